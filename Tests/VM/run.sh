#!/bin/bash
# The VM test's host side: boots Debian's kernel under QEMU (q35 + intel-iommu, TCG) with an SR-IOV
# igb NIC and an SR-IOV NVMe controller, runs guest-scenario.sh, and unpacks its results into OUT.
# usage: run.sh SRIOV_AUDIT_BINARY OUT
# exit 77 (and SKIPPED on stderr) when QEMU >= 8 or a kernel cannot be had on this machine.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${1:?binary}; OUT=${2:?output dir}
CACHE=${SRIOV_AUDIT_VM_CACHE:-/var/cache/sriov-audit-vm}
skip() { echo "SKIPPED: VM test: $*" >&2; exit 77; }
KERNEL=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1 || true)
[ -n "$KERNEL" ] || skip "no kernel in /boot (apt-get install linux-image-amd64)"
KVER=${KERNEL#/boot/vmlinuz-}
[ -d /lib/modules/$KVER ] || skip "no modules for $KVER"
for t in busybox cpio ip ethtool lspci modprobe; do command -v $t >/dev/null || [ -x /usr/sbin/$t ] || skip "$t is not installed"; done
QEMU=$(command -v qemu-system-x86_64 || true)
if [ -z "$QEMU" ] || [ "$($QEMU --version | awk 'NR==1{split($4,v,"."); print v[1]}')" -lt 8 ]; then
  QEMU=$("$HERE/fetch-qemu.sh" "$CACHE/qemu-bpo") || skip "QEMU >= 8 (igb SR-IOV model) could not be fetched from bookworm-backports"
  QROOT=$(cd "$(dirname "$QEMU")/../.." && pwd)
  QEMU_L=(-L "$QROOT/usr/share/qemu" -L "$QROOT/usr/share/seabios")
  export QEMU_MODULE_DIR=$QROOT/usr/lib/x86_64-linux-gnu/qemu
else
  QEMU_L=()
fi
WORK=$(mktemp -d /tmp/sriov-audit-vm.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# netdevsim (PFs with hundreds of VFs, past the kernel's VF-list limit): Debian's kernel does not
# ship it, so it is built out of tree from Debian's linux-source-6.1 against the kernel's headers.
# Without them the guest skips its large-VF phase and the test says SKIPPED for that part.
NETDEVSIM=$CACHE/netdevsim-$KVER/netdevsim.ko
if [ ! -f "$NETDEVSIM" ] && [ -f /usr/src/linux-source-6.1.tar.xz ] && [ -d /lib/modules/$KVER/build ]; then
  NDS=$(mktemp -d /tmp/sriov-audit-netdevsim.XXXXXX)
  if tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$NDS" --strip-components=4 linux-source-6.1/drivers/net/netdevsim \
     && make -C /lib/modules/$KVER/build M="$NDS" CONFIG_NETDEVSIM=m modules >"$NDS/build.log" 2>&1; then
    install -D -m644 "$NDS/netdevsim.ko" "$NETDEVSIM"
  else
    echo "netdevsim did not build: $(tail -3 "$NDS/build.log" 2>/dev/null)" >&2
  fi
  rm -rf "$NDS"
fi
[ -f "$NETDEVSIM" ] || { echo "SKIPPED: VM test: netdevsim phase (apt-get install linux-source-6.1 linux-headers-$KVER)" >&2; NETDEVSIM=; }
"$HERE/build-initramfs.sh" "$BIN" "$KVER" "$WORK/initramfs.cpio.gz" "$NETDEVSIM"
truncate -s 64M "$WORK/nvme.img" "$WORK/out.img"
START=$(date +%s.%N)
timeout 1200 "$QEMU" "${QEMU_L[@]}" -audio none \
  -machine q35,kernel-irqchip=split,accel=tcg -cpu max -smp 2 -m 1536 \
  -device intel-iommu,intremap=on \
  -kernel "$KERNEL" -initrd "$WORK/initramfs.cpio.gz" \
  -append "console=ttyS0 intel_iommu=on iommu=pt loglevel=4 panic=-1" \
  -nographic -no-reboot -nic none \
  -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1,addr=2.0 \
  -device pcie-root-port,id=rp2,bus=pcie.0,chassis=2,slot=2,addr=3.0 \
  -device pcie-root-port,id=rp3,bus=pcie.0,chassis=3,slot=3,addr=4.0 \
  -device pcie-root-port,id=rp4,bus=pcie.0,chassis=4,slot=4,addr=5.0 \
  -device nvme-subsys,id=subsys0,nqn=sriovsub \
  -device nvme,id=nvme0,bus=rp1,serial=SRIOV0001,subsys=subsys0,sriov_max_vfs=4,sriov_vq_flexible=8,sriov_vi_flexible=4,max_ioqpairs=12,msix_qsize=16 \
  -drive file="$WORK/nvme.img",if=none,id=ns1,format=raw -device nvme-ns,drive=ns1,bus=nvme0,nsid=1 \
  -device e1000e,bus=rp2 \
  -drive file="$WORK/out.img",if=none,id=out,format=raw -device virtio-blk-pci,drive=out,bus=rp3 \
  -device igb,bus=rp4 </dev/null >"$WORK/console.log" 2>&1 || true
END=$(date +%s.%N)
mkdir -p "$OUT"
cp "$WORK/console.log" "$OUT/console.log"
awk -v a="$START" -v b="$END" 'BEGIN{printf "%.1f\n", b-a}' >"$OUT/wall-seconds.txt"
tar -xf "$WORK/out.img" -C "$OUT" 2>/dev/null || { echo "no results on the output disk; console:" >&2; tail -40 "$OUT/console.log" >&2; exit 1; }
echo "VM run: $(cat "$OUT/wall-seconds.txt") s wall ($("$QEMU" --version | head -1), kernel $KVER)" >&2
