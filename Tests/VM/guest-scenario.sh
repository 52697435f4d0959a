#!/bin/sh
# Runs inside the guest: create and configure VFs on the igb NIC and the NVMe controller, then run
# sriov-audit (live collect and capture) next to the kernel's own tools, and write everything as a
# tar onto the virtio disk /dev/vda.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
ip() { /usr/sbin/ip "$@"; }
modprobe() { /usr/sbin/modprobe "$@"; }
run() { echo "+ $*"; "$@"; echo "  (rc=$?)"; }
for m in nvme e1000e igb igbvf virtio_pci virtio_blk vfio-pci; do modprobe $m; done
sleep 1

# NVMe PF: 4 VFs without auto-probing; VF2 and VF3 bound to vfio-pci, VF0 and VF1 left unbound.
for d in /sys/bus/pci/devices/*; do
  [ -e $d/sriov_totalvfs ] && [ "$(cat $d/class)" = 0x010802 ] && NVME=$d
done
if [ -n "$NVME" ]; then
  run sh -c "echo 0 > $NVME/sriov_drivers_autoprobe"
  run sh -c "echo 4 > $NVME/sriov_numvfs"
  for i in 2 3; do
    vf=$(basename $(readlink -f $NVME/virtfn$i))
    run sh -c "echo vfio-pci > /sys/bus/pci/devices/$vf/driver_override"
    run sh -c "echo $vf > /sys/bus/pci/drivers/vfio-pci/bind"
  done
fi

# igb PF: 3 VFs configured over netlink, VF2 rebound to vfio-pci.
for IGB in /sys/bus/pci/drivers/igb/0000:*; do
  [ -e "$IGB" ] || continue
  PF=$(ls $IGB/net | head -1)
  run ip link set $PF up
  run sh -c "echo 3 > $IGB/sriov_numvfs"
  sleep 2
  run ip link set $PF vf 0 mac 02:00:00:00:10:01 vlan 100 spoofchk on trust off
  run ip link set $PF vf 1 mac 02:00:00:00:10:02 vlan 200 qos 3 spoofchk on trust off
  run ip link set $PF vf 2 mac 02:00:00:00:10:03
  run ip link set $PF vf 2 max_tx_rate 100
  vf2=$(basename $(readlink -f $IGB/virtfn2))
  run sh -c "echo vfio-pci > /sys/bus/pci/devices/$vf2/driver_override"
  run sh -c "echo $vf2 > /sys/bus/pci/devices/$vf2/driver/unbind"
  run sh -c "echo $vf2 > /sys/bus/pci/drivers/vfio-pci/bind"
done
for n in $(ls /sys/class/net); do ip link set $n up 2>/dev/null; done
# Under emulation an igbvf netdev takes seconds to finish its reset and take the MAC its PF gave
# it; a trusted VF could meanwhile push its own random MAC into the PF's table. So: wait until VF
# 0 and 1 carry their MACs with carrier (at most 60 s), and only then plant the problem on VF 1.
if [ -n "$IGB" ] && [ -e "$IGB/virtfn1" ]; then
  for i in $(seq 60); do
    ok=1
    for v in 0 1; do
      n=$(ls $IGB/virtfn$v/net 2>/dev/null | head -1)
      [ -n "$n" ] && [ "$(cat /sys/class/net/$n/address)" = "02:00:00:00:10:0$((v + 1))" ] \
        && [ "$(cat /sys/class/net/$n/operstate)" = up ] || ok=0
    done
    [ $ok = 1 ] && break
    sleep 1
  done
  echo "igbvf netdevs ready after $i s (ok=$ok)"
  run ip link set $PF vf 1 spoofchk off trust on
fi
# Under emulation igbvf netdevs take a while to come up (carrier, and the MAC the PF gave them):
# wait until three `ip -d -j link` listings a second apart agree (at most 60 s), so that the
# collector and the tools below see the same settled host.
same=0; prev=
for i in $(seq 60); do
  cur=$(ip -d -j link show | md5sum)
  if [ "$cur" = "$prev" ]; then same=$((same + 1)); else same=0; fi
  [ $same -ge 2 ] && break
  prev=$cur; sleep 1
done
echo "links settled after $i s"

# VF consumers as libvirt, the SR-IOV device plugin and the kubelet record them, naming this
# guest's real VFs: guest-a runs with the igb VF on vfio-pci, guest-b is defined on the same VF
# (the planted conflict), a pod holds igb VF 1, the NVMe VFs on vfio-pci are a device plugin pool,
# and 16 huge pages are reserved for that pool's (SPDK/DPDK) users.
if [ -n "$IGB" ] && [ -e "$IGB/virtfn2" ]; then
  vf2=$(basename $(readlink -f $IGB/virtfn2)); VF1=$(basename $(readlink -f $IGB/virtfn1))
  d=${vf2%%:*}; rest=${vf2#*:}; b=${rest%%:*}; rest=${rest#*:}; s=${rest%%.*}; f=${rest#*.}
  A="domain='0x$d' bus='0x$b' slot='0x$s' function='0x$f'"
  mkdir -p /etc/libvirt/qemu /run/libvirt/qemu /etc/pcidp /var/lib/kubelet/device-plugins
  printf '%s\n' "<domain type='kvm'>" "  <name>guest-a</name>" "  <uuid>aaaaaaaa-0000-4000-8000-000000000001</uuid>" "  <devices>" \
    "    <hostdev mode='subsystem' type='pci' managed='yes'>" "      <source>" "        <address $A/>" "      </source>" \
    "    </hostdev>" "  </devices>" "</domain>" >/etc/libvirt/qemu/guest-a.xml
  { echo "<domstatus state='running' reason='booted' pid='1'>"; cat /etc/libvirt/qemu/guest-a.xml; echo "</domstatus>"; } >/run/libvirt/qemu/guest-a.xml
  printf '%s\n' "<domain type='kvm'>" "  <name>guest-b</name>" "  <uuid>bbbbbbbb-0000-4000-8000-000000000002</uuid>" "  <devices>" \
    "    <interface type='hostdev' managed='yes'>" "      <mac address='02:00:00:00:10:03'/>" "      <source>" \
    "        <address type='pci' $A/>" "      </source>" "    </interface>" "  </devices>" "</domain>" >/etc/libvirt/qemu/guest-b.xml
  printf '%s\n' '{"resourceList": [' \
    '  {"resourceName": "igb_vfs", "selectors": [{"vendors": ["8086"], "drivers": ["igbvf"]}]},' \
    '  {"resourceName": "nvme_vfio", "deviceType": "accelerator", "selectors": [{"vendors": ["1b36"], "drivers": ["vfio-pci"]}]}' \
    ']}' >/etc/pcidp/config.json
  printf '{"Data":{"PodDeviceEntries":[{"PodUID":"c0ffee00-0000-4000-8000-000000000003","ContainerName":"app","ResourceName":"intel.com/igb_vfs","DeviceIDs":{"-1":["%s"]},"AllocResp":""}],"RegisteredDevices":{"intel.com/igb_vfs":["%s"]}},"Checksum":0}' \
    "$VF1" "$VF1" >/var/lib/kubelet/device-plugins/kubelet_internal_checkpoint
  echo 16 >/proc/sys/vm/nr_hugepages
  echo "consumers written; huge pages: $(cat /proc/sys/vm/nr_hugepages)"
fi

O=/tmp/out; mkdir -p $O/tools
T0=$(cut -d' ' -f1 /proc/uptime)
sriov-audit collect --format json >$O/collect.json 2>$O/collect.err; echo $? >$O/collect.rc
T1=$(cut -d' ' -f1 /proc/uptime)
sriov-audit collect >$O/collect.txt 2>&1
sriov-audit capture $O/capture >$O/capture.log 2>&1; echo $? >$O/capture.rc
echo "collect took $T0 -> $T1 s of guest uptime" >$O/timing.txt
# The kernel's own tools at the same moment: counters first, as they move.
ip -s -d -j link show >$O/tools/ip-s-d-j-link.json
ip -d -j link show >$O/tools/ip-d-j-link.json
for n in $(ls /sys/class/net); do ethtool -i $n >$O/tools/ethtool-i-$n.txt 2>&1; done
for n in $(ls /sys/class/net); do ethtool -k $n >$O/tools/ethtool-k-$n.txt 2>&1; done
lspci -nnD >$O/tools/lspci-nnD.txt
lspci -vvv >$O/tools/lspci-vvv.txt
uname -a >$O/tools/uname.txt
cat /proc/cmdline >$O/tools/cmdline.txt
# The verdict on this host with the default rules (nothing stored: the guest has no database). It
# runs after the tools so as not to widen the moment the comparisons above rely on: igbvf netdevs
# are still coming up (link, MAC) under emulation.
sriov-audit audit --no-store --format json --out - >$O/audit.json 2>$O/audit.err; echo $? >$O/audit.rc
cat $O/collect.txt

# Large PFs, past the kernel's VF-list limit: netdevsim PFs with 256, 335 and 512 VFs (the
# IFLA_VFINFO_LIST nest wraps its 16-bit length at ~222 VFs with per-VF stats, as `ip` asks, and
# at ~335 without, as sriov-audit asks). A few VFs are configured on each, past 222 and 335 too.
# Runs after everything above, so the first part's checks see the host without them.
if modprobe netdevsim 2>$O/netdevsim.err; then
  B=$O/big; mkdir -p $B/tools
  mount -t debugfs debugfs /sys/kernel/debug
  id=10
  for n in 256 335 512; do
    run sh -c "echo '$id 1' > /sys/bus/netdevsim/new_device"
    run sh -c "echo $n > /sys/kernel/debug/netdevsim/netdevsim$id/max_vfs"
    run sh -c "echo $n > /sys/bus/netdevsim/devices/netdevsim$id/sriov_numvfs"
    dev=$(ls /sys/bus/netdevsim/devices/netdevsim$id/net/ | head -1)
    echo "netdevsim$id $dev $n" >>$B/pfs.txt
    run ip link set $dev up
    run ip link set $dev vf 0 mac 02:5e:00:$id:00:00 vlan 10 spoofchk on trust off
    run ip link set $dev vf 230 mac 02:5e:00:$id:00:e6 vlan 230 qos 2 spoofchk on trust off
    # `max_tx_rate` makes ip read the VF list back first, which it cannot past its own cut
    # ("Cannot find VF 300"); the legacy `rate` is sent as it is, and the kernel sets max_tx_rate.
    if [ $n -gt 300 ]; then
      run ip link set $dev vf 300 mac 02:5e:00:$id:01:2c vlan 300 spoofchk on trust off
      run ip link set $dev vf 300 rate 300
    fi
    last=$((n - 1))
    run ip link set $dev vf $last mac 02:5e:00:$id:ff:ff vlan 4000 spoofchk off trust on
    id=$((id + 1))
  done
  # One more netdevsim device, 2 VFs, its eswitch in switchdev mode: what `devlink dev eswitch`
  # and `devlink dev info` report is compared with the collector's devlink reading.
  run sh -c "echo '20 1' > /sys/bus/netdevsim/new_device"
  run sh -c "echo 2 > /sys/kernel/debug/netdevsim/netdevsim20/max_vfs"
  run /usr/sbin/devlink dev eswitch set netdevsim/netdevsim20 mode switchdev
  run sh -c "echo 2 > /sys/bus/netdevsim/devices/netdevsim20/sriov_numvfs"
  sriov-audit collect --format json >$B/collect.json 2>$B/collect.err; echo $? >$B/collect.rc
  /usr/sbin/devlink -j dev show >$B/tools/devlink-dev.json 2>&1
  /usr/sbin/devlink -j dev info >$B/tools/devlink-dev-info.json 2>&1
  for d in $(ls /sys/bus/netdevsim/devices); do
    /usr/sbin/devlink -j dev eswitch show netdevsim/$d >$B/tools/devlink-eswitch-$d.json 2>&1
  done
  sriov-audit capture $B/capture >$B/capture.log 2>&1; echo $? >$B/capture.rc
  ip -d -j link show >$B/tools/ip-d-j-link.json 2>$B/tools/ip-d-j-link.stderr
  for f in /sys/bus/netdevsim/devices/*/sriov_numvfs; do echo "$f $(cat $f)"; done >$B/tools/sriov_numvfs.txt
  sriov-audit audit --no-store --format json --out - >$B/audit.json 2>$B/audit.err; echo $? >$B/audit.rc
  echo "=== LARGE_PFS_DONE"
fi
cd $O && tar -cf /dev/vda . && sync && echo "=== RESULTS_WRITTEN"
