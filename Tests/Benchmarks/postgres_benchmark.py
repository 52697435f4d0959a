#!/usr/bin/env python3
"""PostgreSQL benchmark: the store benchmark's fleet (64 VFs per host, derived from the real igb
capture) imported into PostgreSQL by one and by two `import` processes at once, then audited
with `audit --fleet` (cold and warm) next to psql running the bare GROUP BY queries on the same
database; and the same import and audit into an SQLite file beside it, in one run.

Each PostgreSQL run gets a database of its own on the server --pg names (created, then dropped
unless --keep). The server should be on this machine (127.0.0.1): the figures are the tool's,
not the network's.

    python3 Tests/Benchmarks/store_benchmark.py --hosts 10000 --keep /tmp/storebench
    Tests/Postgres/cluster.sh start /tmp/pgbench
    python3 Tests/Benchmarks/postgres_benchmark.py --pg postgres://postgres@127.0.0.1:54329/postgres?sslmode=disable \\
        --fleet /tmp/storebench/fleet-10000x64.jsonl
"""
import argparse, os, subprocess, sys, tempfile, time, uuid

from benchlib import measure, release_bindir
from audit_benchmark import SQL, rules_file, timed


def database_url(server, name):
    head, _, rest = server.partition("://")
    authority, _, tail = rest.partition("/")
    query = "?" + tail.partition("?")[2] if "?" in tail else ""
    return f"{head}://{authority}/{name}{query}"


def psql(url, sql):
    return subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", url, "-c", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


def imports(tool, parts, db):
    """Imports each part by a process of its own, all at once: (wall s, snapshots)."""
    start = time.perf_counter()
    procs = [subprocess.Popen([tool, "import", part, "--db", db], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for part in parts]
    outputs = [p.communicate() for p in procs]
    wall = time.perf_counter() - start
    for p, (out, err) in zip(procs, outputs):
        if p.returncode != 0:
            sys.exit(f"import failed: {out}{err}")
    return wall


def split(fleet, count, work):
    """The fleet's lines dealt into `count` files (host n to file n % count)."""
    paths = [os.path.join(work, f"part-{i}-of-{count}.jsonl") for i in range(count)]
    outs = [open(p, "w") for p in paths]
    hosts = 0
    with open(fleet) as f:
        for n, line in enumerate(f):
            if line.strip():
                outs[n % count].write(line)
                hosts += 1
    for o in outs:
        o.close()
    return paths, hosts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", required=True, help="a PostgreSQL server URL (its database is used to create the benchmark's)")
    ap.add_argument("--fleet", required=True, help="JSON lines from store_benchmark.py --keep")
    ap.add_argument("--l2-domains", type=int, default=20)
    ap.add_argument("--keep", action="store_true", help="keep the benchmark's databases")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    tool = os.path.join(release_bindir(["sriov-audit"], build=not args.no_build), "sriov-audit")
    work = tempfile.mkdtemp(prefix="sriov-audit-pg-bench-")
    rules = os.path.join(work, "rules.yaml")
    rules_file(rules)
    created = []
    try:
        rows = []
        whole, hosts = split(args.fleet, 1, work)
        halves, _ = split(args.fleet, 2, work)
        sqlite = os.path.join(work, "inventory.db")
        rows.append(("SQLite", "import, 1 process", hosts / imports(tool, whole, sqlite), "snapshots/s"))
        for processes, parts in ((1, whole), (2, halves)):
            name = f"sat_bench_{processes}_{uuid.uuid4().hex[:8]}"
            psql(args.pg, f'CREATE DATABASE "{name}"')
            created.append(name)
            url = database_url(args.pg, name)
            rows.append(("PostgreSQL", f"import, {processes} process(es)", hosts / imports(tool, parts, url), "snapshots/s"))
        url = database_url(args.pg, created[-1])
        psql(url, f"INSERT INTO host_labels (host_id, key, value) SELECT id, 'l2-domain', 'l2-' || (id % {args.l2_domains}) FROM hosts "
                  "ON CONFLICT (host_id, key) DO UPDATE SET value = EXCLUDED.value")
        subprocess.run(["sqlite3", sqlite, f"INSERT OR REPLACE INTO host_labels (host_id, key, value) "
                        f"SELECT id, 'l2-domain', 'l2-' || (id % {args.l2_domains}) FROM hosts;"], check=True)
        psql(url, "VACUUM ANALYZE")
        for label, db in (("SQLite", sqlite), ("PostgreSQL", url)):
            cold, warm = timed(tool, db, rules), timed(tool, db, rules)
            rows.append((label, "audit --fleet, cold", cold[0], f"s  {cold[1]:.0f} MB"))
            rows.append((label, "audit --fleet, warm", warm[0], f"s  {warm[1]:.0f} MB"))
        rows.append(("SQLite", "sqlite3: bare GROUP BY queries", measure(["sqlite3", sqlite], stdin=SQL)[0], "s"))
        rows.append(("PostgreSQL", "psql: bare GROUP BY queries", measure(["psql", "-X", "-q", url], stdin=SQL)[0], "s"))
        print(f"{hosts} hosts from {args.fleet}")
        for backend, what, value, unit in rows:
            print(f"{backend:<11} {what:<34} {value:>9.2f} {unit}")
        pg_cold = next(v for b, w, v, _ in rows if b == "PostgreSQL" and w.endswith("cold"))
        pg_sql = next(v for b, w, v, _ in rows if b == "PostgreSQL" and w.startswith("psql"))
        print(f"PostgreSQL cold audit = {pg_cold / pg_sql:.1f}x the bare queries")
        print("targets (10,000 hosts): import >= 1,000 snapshots/s with two processes; fleet audit <= 2x the bare queries")
    finally:
        if not args.keep:
            for name in created:
                subprocess.run(["psql", "-X", "-q", args.pg, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], capture_output=True)


if __name__ == "__main__":
    main()
