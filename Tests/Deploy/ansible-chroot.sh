#!/bin/bash
# Runs deploy/ansible/collector.yml for real, twice, against a throw-away Debian 12 root over
# Ansible's chroot connection, and checks what it left: the binary, the token (0600), the
# settings, the units (as in deploy/systemd) and the enabled timer. The second run must change
# nothing. usage: ansible-chroot.sh SRIOV_AUDIT_BINARY WORKDIR   (exit 77: SKIPPED)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BIN=${1:?binary}; WORK=${2:?work dir}
command -v ansible-playbook >/dev/null || { echo "SKIPPED: deployment test: ansible-playbook is not installed (pip install ansible)" >&2; exit 77; }
ROOT=$WORK/root
"$HERE/debootstrap-root.sh" "$ROOT"
TOKEN="sra_$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
cat >"$WORK/inventory" <<INV
[sriov_audit_collectors]
$ROOT ansible_connection=community.general.chroot ansible_python_interpreter=/usr/bin/python3
INV
cat >"$WORK/vars.json" <<VARS
{"sriov_audit_binary": "$BIN", "sriov_audit_server_url": "https://fleet.test:8443/", "sriov_audit_token": "$TOKEN",
 "sriov_audit_ca_pem": "-----BEGIN CERTIFICATE-----\\ntest\\n-----END CERTIFICATE-----\\n",
 "sriov_audit_labels": {"site": "par1", "l2-domain": "blue"}, "sriov_audit_start_timer": false}
VARS
export ANSIBLE_NOCOLOR=1 ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_RETRY_FILES_ENABLED=False
run() { ansible-playbook -i "$WORK/inventory" "$REPO/deploy/ansible/collector.yml" -e "@$WORK/vars.json" >"$WORK/run$1.log" 2>&1 \
          || { tail -30 "$WORK/run$1.log" >&2; echo "FAIL: ansible-playbook run $1" >&2; exit 1; }; }
fail() { echo "FAIL: $*" >&2; exit 1; }
run 1
grep -q "changed=[1-9]" "$WORK/run1.log" || fail "the first run changed nothing"
run 2
recap=$(grep -E "^\S+ +: ok=" "$WORK/run2.log")
echo "$recap" | grep -q "changed=0" || fail "the second run changed something: $recap"
echo "$recap" | grep -q "failed=0" || fail "$recap"

mode() { stat -c %a "$ROOT$1"; }
[ "$(mode /usr/bin/sriov-audit)" = 755 ] || fail "binary mode $(mode /usr/bin/sriov-audit)"
cmp -s "$BIN" "$ROOT/usr/bin/sriov-audit" || fail "the installed binary differs"
[ "$(mode /etc/sriov-audit/token)" = 600 ] || fail "token mode $(mode /etc/sriov-audit/token)"
[ "$(stat -c %U "$ROOT/etc/sriov-audit/token")" = root ] || fail "token owner"
[ "$(cat "$ROOT/etc/sriov-audit/token")" = "$TOKEN" ] || fail "token content"
[ "$(mode /etc/sriov-audit/collector.env)" = 644 ] || fail "settings mode"
grep -qx "SRIOV_AUDIT_SERVER=https://fleet.test:8443" "$ROOT/etc/sriov-audit/collector.env" || fail "server URL: $(cat "$ROOT/etc/sriov-audit/collector.env")"
grep -qx "SRIOV_AUDIT_OPTIONS=--cacert /etc/sriov-audit/ca.pem --label l2-domain=blue --label site=par1" "$ROOT/etc/sriov-audit/collector.env" \
  || fail "options: $(cat "$ROOT/etc/sriov-audit/collector.env")"
for unit in sriov-audit-collect.service sriov-audit-collect.timer; do
  cmp -s "$REPO/deploy/systemd/$unit" "$ROOT/etc/systemd/system/$unit" || fail "$unit differs from deploy/systemd"
  [ "$(mode /etc/systemd/system/$unit)" = 644 ] || fail "$unit mode"
done
[ "$(readlink "$ROOT/etc/systemd/system/timers.target.wants/sriov-audit-collect.timer")" = /etc/systemd/system/sriov-audit-collect.timer ] \
  || fail "the timer is not enabled"
if grep -rqs "$TOKEN" "$WORK"/run*.log; then fail "the token appears in Ansible's output"; fi
echo "ansible: first run $(grep -oE 'changed=[0-9]+' "$WORK/run1.log" | head -1), second run changed=0; files, modes, units and timer as expected"
