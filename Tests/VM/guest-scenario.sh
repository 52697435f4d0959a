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
  run ip link set $PF vf 1 mac 02:00:00:00:10:02 vlan 200 qos 3 spoofchk off trust on
  run ip link set $PF vf 2 mac 02:00:00:00:10:03
  run ip link set $PF vf 2 max_tx_rate 100
  vf2=$(basename $(readlink -f $IGB/virtfn2))
  run sh -c "echo vfio-pci > /sys/bus/pci/devices/$vf2/driver_override"
  run sh -c "echo $vf2 > /sys/bus/pci/devices/$vf2/driver/unbind"
  run sh -c "echo $vf2 > /sys/bus/pci/drivers/vfio-pci/bind"
done
for n in $(ls /sys/class/net); do ip link set $n up 2>/dev/null; done
sleep 2

O=/tmp/out; mkdir -p $O/tools
T0=$(cut -d' ' -f1 /proc/uptime)
sriov-audit collect --format json >$O/collect.json 2>$O/collect.err; echo $? >$O/collect.rc
T1=$(cut -d' ' -f1 /proc/uptime)
sriov-audit collect >$O/collect.txt 2>&1
sriov-audit capture $O/capture >$O/capture.log 2>&1; echo $? >$O/capture.rc
echo "collect took $T0 -> $T1 s of guest uptime" >$O/timing.txt
# The kernel's own tools at the same moment.
ip -d -j link show >$O/tools/ip-d-j-link.json
for n in $(ls /sys/class/net); do ethtool -i $n >$O/tools/ethtool-i-$n.txt 2>&1; done
lspci -nnD >$O/tools/lspci-nnD.txt
lspci -vvv >$O/tools/lspci-vvv.txt
uname -a >$O/tools/uname.txt
cat /proc/cmdline >$O/tools/cmdline.txt
# The verdict on this host with the default rules (nothing stored: the guest has no database). It
# runs after the tools so as not to widen the moment the comparisons above rely on: igbvf netdevs
# are still coming up (link, MAC) under emulation.
sriov-audit audit --no-store --format json --out - >$O/audit.json 2>$O/audit.err; echo $? >$O/audit.rc
cat $O/collect.txt
cd $O && tar -cf /dev/vda . && sync && echo "=== RESULTS_WRITTEN"
