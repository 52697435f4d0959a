#!/bin/bash
# Builds the guest's initramfs: busybox, the real ip/ethtool/devlink/lspci/kmod, the kernel modules the
# scenario loads, and the sriov-audit binary under test with its shared libraries (found by ldd).
# usage: build-initramfs.sh SRIOV_AUDIT_BINARY KVER OUT.cpio.gz [NETDEVSIM.ko]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${1:?binary}; KVER=${2:?kernel version}; OUT=${3:?output}; NETDEVSIM=${4:-}
ROOT=$(mktemp -d /tmp/sriov-audit-initramfs.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,etc,usr/share/misc,lib/modules/$KVER}
cp /bin/busybox "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"
copy_bin() {  # copy_bin SRC [DST]: the binary and every library ldd names
  local src=$1 dst=${2:-$1}
  install -D -m755 "$src" "$ROOT$dst"
  ldd "$src" | awk '/=> \//{print $3} /^\s*\/lib/{print $1}' | while read -r lib; do
    [ -e "$ROOT$lib" ] || install -D -m755 "$lib" "$ROOT$lib"
  done
}
copy_bin /usr/sbin/ip /usr/sbin/ip
copy_bin /usr/sbin/ethtool /usr/sbin/ethtool
copy_bin /usr/sbin/devlink /usr/sbin/devlink
copy_bin /usr/bin/lspci /usr/bin/lspci
copy_bin /usr/bin/kmod /usr/bin/kmod
for t in modprobe insmod lsmod depmod; do ln -sf ../bin/kmod "$ROOT/usr/sbin/$t"; done
# The binary under test, stripped of debug info to keep the image small.
strip --strip-debug -o "$ROOT/tmp.sriov-audit" "$BIN"
copy_bin "$ROOT/tmp.sriov-audit" /usr/bin/sriov-audit
rm "$ROOT/tmp.sriov-audit"
[ -e "$ROOT/lib64/ld-linux-x86-64.so.2" ] || install -D /lib64/ld-linux-x86-64.so.2 "$ROOT/lib64/ld-linux-x86-64.so.2"
cp /usr/share/misc/pci.ids "$ROOT/usr/share/misc/pci.ids"
for m in nvme e1000e igb igbvf virtio_pci virtio_blk vfio-pci psample; do
  modprobe -S "$KVER" --show-depends "$m" | awk '$1=="insmod"{print $2}'
done | sort -u | while read -r ko; do install -D -m644 "$ko" "$ROOT$ko"; done
if [ -n "$NETDEVSIM" ]; then
  install -d "$ROOT/lib/modules/$KVER/extra"
  strip --strip-debug -o "$ROOT/lib/modules/$KVER/extra/netdevsim.ko" "$NETDEVSIM"
fi
cp /lib/modules/$KVER/modules.{order,builtin,builtin.modinfo} "$ROOT/lib/modules/$KVER/"
depmod -b "$ROOT" "$KVER"
install -m755 "$HERE/guest-init.sh" "$ROOT/init"
install -m755 "$HERE/guest-scenario.sh" "$ROOT/scenario.sh"
(cd "$ROOT" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$OUT"
echo "initramfs: $OUT ($(du -h "$OUT" | cut -f1))" >&2
