#!/bin/sh
# Saves what `sriov-audit import-esxi` reads from one VMware ESXi host: read-only esxcli
# listings (network, PCI, running VMs), one file per command, in esxcli's XML form.
#
# On the ESXi host (ESXi Shell or SSH; busybox sh):
#     sh collect.sh [OUTDIR]            # default /tmp/sriov-audit-$(hostname)
# From an admin host, without copying the script over, as a tarball on standard output:
#     ssh root@esx01 sh -s -- --tar < contrib/esxi/collect.sh > esx01.tar.gz
#     mkdir esx01 && tar -xzf esx01.tar.gz -C esx01 && sriov-audit import-esxi esx01 --store
#
# Only `esxcli ... list`/`get`, `hostname`, `vmware -v` and `date` run: nothing on the host
# is changed. A command that fails (no SR-IOV NIC, an older ESXi without a namespace) leaves
# its message in collect-errors, which the import reports as a warning.
set -u

tar_out=0
if [ "${1:-}" = "--tar" ]; then
    tar_out=1
    shift
fi
name=$(hostname 2>/dev/null || echo esxi)
out=${1:-/tmp/sriov-audit-$name}
if [ "$tar_out" = 1 ]; then
    out=$(mktemp -d /tmp/sriov-audit.XXXXXX) || exit 2
fi
mkdir -p "$out" || exit 2
errors="$out/collect-errors"
: > "$errors"

# save FILE COMMAND...: the command's output in FILE; its failure noted in collect-errors.
save() {
    file=$1
    shift
    "$@" > "$out/$file" 2>> "$errors"
    status=$?
    if [ "$status" -ne 0 ]; then
        echo "$* failed (exit $status)" >> "$errors"
        rm -f "$out/$file"
    fi
}

echo "$name" > "$out/hostname"
date -u +%Y-%m-%dT%H:%M:%SZ > "$out/collected-at"
save version vmware -v
save nic-list.xml esxcli --formatter=xml network nic list
save sriovnic-list.xml esxcli --formatter=xml network sriovnic list
save hardware-pci-list.xml esxcli --formatter=xml hardware pci list
save vm-process-list.xml esxcli --formatter=xml vm process list

# The uplinks a saved listing names (vmnic names appear in no other field of these listings).
uplinks() {
    [ -f "$out/$1" ] && grep -o 'vmnic[0-9][0-9]*' "$out/$1" | sort -u
}

# Every uplink's driver and firmware; every SR-IOV uplink's VFs and their owner worlds.
for nic in $(uplinks nic-list.xml); do
    save "nic-get-$nic.xml" esxcli --formatter=xml network nic get -n "$nic"
done
for nic in $(uplinks sriovnic-list.xml); do
    save "sriovnic-vf-list-$nic.xml" esxcli --formatter=xml network sriovnic vf list -n "$nic"
done

if [ "$tar_out" = 1 ]; then
    tar -czf - -C "$out" . || exit 2
    rm -rf "$out"
else
    echo "sriov-audit: listings of $name saved in $out" >&2
fi
