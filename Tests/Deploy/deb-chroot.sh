#!/bin/bash
# The .deb in a clean Debian 12 root: `dpkg -i` on the bare root must refuse for want of exactly
# the declared dependencies, apt then brings them from Debian's archive and dpkg configures the
# package; inside the root (chroot) `sriov-audit --version`, `collect --root` on a real capture
# and `audit` must run with only Debian's libraries (no Swift runtime installed there), and the
# installed files must be where Debian puts them. lintian must report no error.
# usage: deb-chroot.sh DEB WORKDIR CAPTURE VERSION      exit 77 (SKIPPED on stderr) when it cannot run
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DEB=${1:?deb}; WORK=${2:?work dir}; CAPTURE=${3:?capture}; VERSION=${4:?version}
skip() { echo "SKIPPED: package test: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || skip "dpkg -i into a debootstrapped root needs root"
command -v lintian >/dev/null || skip "lintian is not installed (apt-get install lintian)"

echo "== lintian"
lintian --tag-display-limit 0 "$DEB" >"$WORK/lintian.log" 2>&1 || true
if grep -E "^E: " "$WORK/lintian.log" >&2; then fail "lintian reports errors (above)"; fi
echo "lintian: $(grep -c "^W: " "$WORK/lintian.log" || true) warning(s), no error"
sed 's/^/  /' "$WORK/lintian.log"

ROOT=$WORK/root
"$HERE/debootstrap-root.sh" "$ROOT"
# apt inside the root reaches the same mirror the way this machine's apt does.
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
cp /etc/apt/apt.conf.d/99* "$ROOT/etc/apt/apt.conf.d/" 2>/dev/null || true
name=$(basename "$DEB")
cp "$DEB" "$ROOT/tmp/$name"
# The capture keeps its last two path components: the host name is read from them when the
# capture has no hostname file, as it is outside the root.
inside=/tmp/$(basename "$(dirname "$CAPTURE")")/$(basename "$CAPTURE")
mkdir -p "$ROOT$(dirname "$inside")"
cp -a "$CAPTURE" "$ROOT$inside"
# Every real system has /proc (the Swift runtime reads the command line from it).
mount -t proc proc "$ROOT/proc"
trap 'umount "$ROOT/proc" 2>/dev/null || umount -l "$ROOT/proc" 2>/dev/null || true' EXIT
in_root() { chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

echo "== dpkg -i on the bare root"
if in_root dpkg -i "/tmp/$name" >"$WORK/dpkg-bare.log" 2>&1; then fail "dpkg installed it without its dependencies"; fi
# Each library must be asked for, unless the minimal root already has it (libsqlite3-0 comes with apt).
for dependency in libpci3 libcurl4 libsqlite3-0 pci.ids; do
  grep -q "depends on $dependency" "$WORK/dpkg-bare.log" && continue
  [ "$(in_root dpkg-query -W -f='${Status}' "$dependency" 2>/dev/null)" = "install ok installed" ] && continue
  cat "$WORK/dpkg-bare.log" >&2
  fail "dpkg did not ask for $dependency"
done
grep -E "depends on [^ ;]+" -o "$WORK/dpkg-bare.log" | sort -u | sed 's/^/  missing: /'
grep -qiE "depends on libswift|depends on swiftlang|depends on libfoundation" "$WORK/dpkg-bare.log" && fail "it depends on a Swift runtime package"

echo "== apt-get -f install (the dependencies from Debian's archive)"
in_root apt-get update -qq >"$WORK/apt.log" 2>&1 || { tail -20 "$WORK/apt.log" >&2; skip "apt-get update inside the root failed (no mirror?)"; }
in_root apt-get -f install -y -qq --no-install-recommends >>"$WORK/apt.log" 2>&1 || { tail -20 "$WORK/apt.log" >&2; fail "apt-get -f install"; }
status=$(in_root dpkg-query -W -f='${Status} ${Version}' sriov-audit)
[ "$status" = "install ok installed $VERSION" ] || fail "dpkg-query says: $status"
echo "dpkg: $status"

echo "== the installed files"
for path in /usr/bin/sriov-audit /usr/share/sriov-audit/rules/default.yaml /usr/share/sriov-audit/rules/rules.schema.json \
    /usr/share/man/man1/sriov-audit.1.gz /usr/share/bash-completion/completions/sriov-audit \
    /usr/share/zsh/vendor-completions/_sriov-audit /usr/share/fish/vendor_completions.d/sriov-audit.fish \
    /lib/systemd/system/sriov-audit-collect.service /lib/systemd/system/sriov-audit-collect.timer \
    /lib/systemd/system/sriov-audit-server.service /usr/lib/sysusers.d/sriov-audit.conf \
    /usr/share/doc/sriov-audit/copyright /usr/share/doc/sriov-audit/changelog.gz; do
  [ -e "$ROOT$path" ] || fail "$path is not installed"
done
in_root getent passwd sriov-audit >/dev/null || fail "postinst did not create the sriov-audit user"
if in_root ldd /usr/bin/sriov-audit | grep -E "libswift|Foundation|dispatch|not found" >&2; then fail "the binary needs libraries the root does not have (above)"; fi

echo "== running it inside the root"
got=$(in_root sriov-audit --version)
[ "$got" = "$VERSION" ] || fail "--version printed '$got'"
in_root sriov-audit collect --root "$inside" >"$WORK/collect.txt" 2>"$WORK/collect.err" || { cat "$WORK/collect.err" >&2; fail "collect --root"; }
in_root sriov-audit collect --root "$inside" --format json >"$WORK/collect.json" 2>>"$WORK/collect.err" || fail "collect --root --format json"
set +e
in_root sriov-audit audit --root "$inside" --no-store >"$WORK/audit.txt" 2>"$WORK/audit.err"
audit_status=$?
set -e
[ "$audit_status" -le 1 ] || { cat "$WORK/audit.err" >&2; fail "audit exited $audit_status"; }
echo "audit exit status $audit_status; $(tail -1 "$WORK/audit.txt")"
# libcurl is loaded on the first push: a push to a closed port on the loopback must reach
# libcurl's own "Couldn't connect" (and be spooled, exit 3), not fail to load it.
set +e
in_root sriov-audit collect --root "$inside" --push http://127.0.0.1:9/v1/snapshots --spool /tmp/spool --retries 0 \
  >/dev/null 2>"$WORK/push.err"
push_status=$?
set -e
[ "$push_status" = 3 ] && grep -q "Couldn't connect to server" "$WORK/push.err" \
  || { cat "$WORK/push.err" >&2; fail "push through libcurl (exit $push_status)"; }
echo "push: libcurl loaded, the refused connection spooled (exit 3)"
in_root sriov-audit rules check /usr/share/sriov-audit/rules/default.yaml >"$WORK/rules.txt" 2>&1 || { cat "$WORK/rules.txt" >&2; fail "rules check of the shipped rules"; }
cat "$WORK/rules.txt"
echo "package test passed"
