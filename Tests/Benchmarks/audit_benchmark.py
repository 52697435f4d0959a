#!/usr/bin/env python3
"""Fleet audit benchmark: `sriov-audit audit --fleet --db` with the default rules plus a 20-entry
compatibility matrix, next to the sqlite3 shell running the bare GROUP BY queries (duplicate VF
MACs, firmware spread per model) on the same database, in one run.

Per database it measures:
  cold      a rules file never seen before: every host's per-host checks are worked out
  warm      the same rules again, nothing changed: every per-host result is reused
  1% new    1% of the hosts collected again with new content (a VF's VLAN changed), then audited
  upgrade   check-upgrade --db of a firmware roll-out on the fleet's NIC model
Hosts are labelled into --l2-domains l2-domain values first (as a fleet would be), so that the
label-scoped MAC check compares hosts across each domain in the database.

The databases are the store benchmark's fleets (derived from the real igb capture):
    python3 Tests/Benchmarks/store_benchmark.py --hosts 10000 --keep /tmp/storebench
    python3 Tests/Benchmarks/audit_benchmark.py --db /tmp/storebench/inventory.db --fleet /tmp/storebench/fleet-10000x64.jsonl
"""
import argparse, json, os, subprocess, tempfile, time

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
    """The default rules plus a 20-entry matrix; a comment makes every call a new rules file (cold)."""
    with open(os.path.join(ROOT, "rules/default.yaml")) as f:
        text = f.read()
    text += "\n  - id: igb-compat\n    check: driver-firmware-compat\n    severity: high\n    select: {driver: igb}\n    matrix:\n"
    for n in range(20):
        text += f'      - {{driver: ">=6.{n % 3}", firmware: ">=2.{n} <2.{n + 1}"}}\n'
    text += f"# benchmark run {time.time_ns()}\n"
    with open(path, "w") as f:
        f.write(text)


def changed_hosts(fleet, count, path):
    """`count` hosts of the fleet's JSON lines collected again now, with one VF's VLAN changed."""
    now = time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime()) + f"{int(time.time() * 1000) % 1000:03d}Z"
    step = 100  # every 100th host: 1%
    with open(fleet) as src, open(path, "w") as out:
        for n, line in enumerate(src):
            if n % step or n // step >= count:
                continue
            s = json.loads(line)
            s["collectedAt"] = now
            vlan = 2 + (time.time_ns() // 1000) % 4000
            for interface in s["interfaces"]:
                if interface.get("vfs"):
                    interface["vfs"][0]["vlan"] = vlan
                    pf = next(p for p in s["physicalFunctions"] if interface["name"] in p["interfaces"])
                    for vf in pf["virtualFunctions"]:
                        if vf["index"] == 0 and vf.get("config"):
                            vf["config"]["vlan"] = vlan
                    break
            out.write(json.dumps(s, separators=(",", ":")) + "\n")


def timed(tool, db, rules, extra=()):
    """An audit with SRIOV_AUDIT_TIMING=1: (wall s, peak RSS MB, phases)."""
    env = dict(os.environ, SRIOV_AUDIT_TIMING="1")
    with open(os.devnull, "wb") as null:
        start = time.perf_counter()
        proc = subprocess.Popen([tool, "audit", "--fleet", "--db", db, "--rules", rules, "--format", "json", *extra],
                                stdout=null, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        err = proc.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"audit failed: {err}")
    phases = [l[len("timing: "):] for l in err.splitlines() if l.startswith("timing: ")]
    return wall, usage.ru_maxrss / 1024.0, phases


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", action="append", required=True)
    ap.add_argument("--fleet", action="append", default=[], help="the JSON lines each --db was imported from (for the 1%% change)")
    ap.add_argument("--l2-domains", type=int, default=20)
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--phases", action="store_true", help="print each run's phase timers")
    args = ap.parse_args()
    bindir = release_bindir(["sriov-audit"], build=not args.no_build)
    tool = os.path.join(bindir, "sriov-audit")
    work = tempfile.mkdtemp(prefix="sriov-audit-audit-bench-")
    rules = os.path.join(work, "rules.yaml")
    print(f"{'database':<34} {'hosts':>6} {'run':<8} {'wall':>8} {'RSS':>8} {'report':>8}")
    for i, db in enumerate(args.db):
        subprocess.run(["sqlite3", db, f"INSERT OR REPLACE INTO host_labels (host_id, key, value) "
                        f"SELECT id, 'l2-domain', 'l2-' || (id % {args.l2_domains}) FROM hosts;"], check=True)
        hosts = int(subprocess.run(["sqlite3", db, "SELECT count(*) FROM hosts"], capture_output=True, text=True).stdout)
        rules_file(rules)
        runs = [("cold", timed(tool, db, rules)), ("warm", timed(tool, db, rules))]
        if i < len(args.fleet):
            changes = os.path.join(work, "changes.jsonl")
            changed_hosts(args.fleet[i], hosts // 100, changes)
            subprocess.run([tool, "import", changes, "--db", db], check=True, capture_output=True)
            runs.append(("1% new", timed(tool, db, rules)))
        upgrade = measure([tool, "check-upgrade", "--db", db, "--rules", rules, "--model", "8086:10c9", "--firmware", "2.3.0"], ok=(0, 1))
        sql = measure(["sqlite3", db], stdin=SQL)
        for name, (wall, rss, phases) in runs:
            report = next((p.split(": ")[-1] for p in phases if p.startswith("write the JSON report")), "?")
            print(f"{db:<34} {hosts:>6} {name:<8} {wall:>6.2f} s {rss:>5.0f} MB {report:>8}")
            if args.phases:
                for p in phases:
                    print(f"{'':<44}{p}")
        print(f"{db:<34} {hosts:>6} {'upgrade':<8} {upgrade[0]:>6.2f} s {upgrade[1]:>5.0f} MB")
        print(f"{db:<34} {hosts:>6} {'sqlite3':<8} {sql[0]:>6.2f} s   (cold audit = {runs[0][1][0] / sql[0]:.1f}x the bare queries)")
    print("targets (10,000 hosts): cold <= 2 s and <= 2x the sqlite3 queries; warm <= 0.5 s plus writing the report; "
          "<= 500 MB RSS; check-upgrade <= 1 s")


if __name__ == "__main__":
    main()
