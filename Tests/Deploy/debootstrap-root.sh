#!/bin/bash
# A throw-away Debian 12 root for the deployment tests (Ansible over a chroot connection, the
# .deb install): debootstrap minbase with python3 (Ansible's modules) and systemd (systemctl
# enable), made once and kept as a tarball in $CACHE, unpacked fresh into OUT for every test.
# The mirror is the one this machine's apt uses.
# usage: debootstrap-root.sh OUT      exit 77 (SKIPPED on stderr) when debootstrap cannot run
set -euo pipefail
OUT=${1:?output dir}
CACHE=${SRIOV_AUDIT_VM_CACHE:-/var/cache/sriov-audit-vm}
TARBALL=$CACHE/debian12-minbase-systemd.tar.zst
skip() { echo "SKIPPED: deployment test: $*" >&2; exit 77; }
[ "$(id -u)" = 0 ] || skip "debootstrap and chroot need root"
command -v debootstrap >/dev/null || skip "debootstrap is not installed (apt-get install debootstrap)"
if [ ! -f "$TARBALL" ]; then
  MIRROR=$(awk '/^URIs:/{for(i=2;i<=NF;i++) if ($i ~ /\/debian\/?$/) {print $i; exit}}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$MIRROR" ] || MIRROR=$(awk '$1=="deb" && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$MIRROR" ] || skip "no Debian mirror in this machine's apt sources"
  BUILD=$(mktemp -d /tmp/sriov-audit-debootstrap.XXXXXX)
  trap 'rm -rf "$BUILD"' EXIT
  debootstrap --variant=minbase --include=python3,systemd bookworm "$BUILD/root" "$MIRROR" >"$BUILD/log" 2>&1 \
    || { tail -20 "$BUILD/log" >&2; skip "debootstrap failed"; }
  mkdir -p "$CACHE"
  tar -C "$BUILD/root" --zstd -cf "$TARBALL.tmp" . && mv "$TARBALL.tmp" "$TARBALL"
fi
mkdir -p "$OUT"
tar -C "$OUT" --zstd -xf "$TARBALL"
