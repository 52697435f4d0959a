#!/bin/bash
# Unpacks QEMU >= 8 (the first with the SR-IOV igb NIC model) from Debian bookworm-backports into
# $1 (default: $CACHE/qemu-bpo) with apt-get download + dpkg -x: the system's apt sources and its
# QEMU 7.2 stay untouched. Prints the qemu-system-x86_64 path.
set -euo pipefail
DEST=${1:?usage: fetch-qemu.sh DEST}
if [ -x "$DEST/root/usr/bin/qemu-system-x86_64" ]; then echo "$DEST/root/usr/bin/qemu-system-x86_64"; exit 0; fi
mkdir -p "$DEST/lists/partial" "$DEST/cache/archives/partial" "$DEST/root"
cd "$DEST"
MIRROR=$(awk '/^URIs:/{for(i=2;i<=NF;i++) if ($i ~ /\/debian\/?$/) {print $i; exit}}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$MIRROR" ] || MIRROR=$(awk '$1=="deb" && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$MIRROR" ] || { echo "no Debian mirror in the apt sources" >&2; exit 1; }
echo "deb $MIRROR bookworm-backports main" > bpo.list
APT=(-o Dir::Etc::SourceList="$PWD/bpo.list" -o Dir::Etc::SourceParts=/dev/null
     -o Dir::State::Lists="$PWD/lists" -o Dir::Cache="$PWD/cache")
apt-get "${APT[@]}" update >&2
V=$(apt-cache "${APT[@]}" madison qemu-system-x86 | awk '/bookworm-backports/{print $3; exit}')
S=$(apt-cache "${APT[@]}" madison seabios | awk '/bookworm-backports/{print $3; exit}')
[ -n "$V" ] || { echo "bookworm-backports has no qemu-system-x86" >&2; exit 1; }
apt-get "${APT[@]}" download qemu-system-x86="$V" qemu-system-common="$V" qemu-system-data="$V" ${S:+seabios=$S} >&2
for d in *.deb; do dpkg -x "$d" root; done
echo "$DEST/root/usr/bin/qemu-system-x86_64"
