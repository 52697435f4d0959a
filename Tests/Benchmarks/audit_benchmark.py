#!/usr/bin/env python3
"""Fleet audit benchmark: `sriov-audit audit --fleet --db` with the default rules plus a 20-entry
compatibility matrix, next to the sqlite3 shell running the bare GROUP BY queries (duplicate VF
MACs, firmware spread per model) on the same database.

The databases are the store benchmark's fleets (derived from the real igb capture):
    python3 Tests/Benchmarks/store_benchmark.py --hosts 10000 --keep /tmp/storebench
    python3 Tests/Benchmarks/audit_benchmark.py --db /tmp/storebench/inventory.db [--db OTHER.db ...]
"""
import argparse, os, subprocess, tempfile

from benchlib import ROOT, measure, release_bindir

SQL = """
SELECT v.admin_mac, count(*) FROM latest_snapshots s JOIN vf_settings v ON v.snapshot_id = s.id
 WHERE v.admin_mac != '00:00:00:00:00:00' GROUP BY v.admin_mac HAVING count(*) > 1;
SELECT d.vendor_id, d.device_id, p.firmware_version, count(*) FROM latest_snapshots s
 JOIN physical_functions p ON p.snapshot_id = s.id
 JOIN pci_devices d ON d.snapshot_id = s.id AND d.address = p.address
 GROUP BY d.vendor_id, d.device_id, p.firmware_version;
"""


def rules_file(path):
    with open(os.path.join(ROOT, "rules/default.yaml")) as f:
        text = f.read()
    text += "\n  - id: igb-compat\n    check: driver-firmware-compat\n    severity: high\n    select: {driver: igb}\n    matrix:\n"
    for n in range(20):
        text += f'      - {{driver: ">=6.{n % 3}", firmware: ">=2.{n} <2.{n + 1}"}}\n'
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", action="append", required=True)
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    bindir = release_bindir(["sriov-audit"], build=not args.no_build)
    tool = os.path.join(bindir, "sriov-audit")
    rules = os.path.join(tempfile.mkdtemp(prefix="sriov-audit-audit-bench-"), "rules.yaml")
    rules_file(rules)
    print(f"{'database':<40} {'hosts':>7} {'audit wall':>11} {'audit RSS':>10} {'sqlite3 wall':>13} {'ratio':>7}")
    for db in args.db:
        hosts = subprocess.run(["sqlite3", db, "SELECT count(*) FROM hosts"], capture_output=True, text=True).stdout.strip()
        audit = measure([tool, "audit", "--fleet", "--db", db, "--rules", rules, "--format", "json"], ok=(0, 1))
        sql = measure(["sqlite3", db], stdin=SQL)
        print(f"{db:<40} {hosts:>7} {audit[0]:>9.2f} s {audit[1]:>7.0f} MB {sql[0]:>11.2f} s {audit[0] / sql[0]:>6.1f}x")
    print("targets (10,000 hosts): <= 2 s, <= 2x the sqlite3 queries, <= 1 GB RSS")


if __name__ == "__main__":
    main()
