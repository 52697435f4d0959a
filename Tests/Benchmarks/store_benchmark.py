#!/usr/bin/env python3
"""Store benchmark: import a fleet of host snapshots (64 VFs each, derived from the real igb
capture with varied MACs, VLANs and firmware), then import it again unchanged.

Reports import throughput, the database size, and the bytes added by the unchanged re-import.

usage: python3 Tests/Benchmarks/store_benchmark.py [--hosts 10000] [--vfs 64] [--keep DIR] [--no-build]
"""
import argparse, os, shutil, subprocess, sys, tempfile, time

from benchlib import release_bindir


def db_bytes(path):
    return sum(os.path.getsize(path + s) for s in ("", "-wal") if os.path.exists(path + s))


def run_import(tool, fleet, db):
    start = time.perf_counter()
    out = subprocess.run([tool, "import", fleet, "--db", db], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit(f"import failed: {out.stdout}{out.stderr}")
    return wall, out.stdout.strip().splitlines()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=10000)
    ap.add_argument("--vfs", type=int, default=64)
    ap.add_argument("--keep", help="keep the fleet and database in this folder")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    bindir = release_bindir(["sriov-audit", "sriov-audit-fixtures"], build=not args.no_build)
    tool = os.path.join(bindir, "sriov-audit")
    work = args.keep or tempfile.mkdtemp(prefix="sriov-audit-store-bench-")
    os.makedirs(work, exist_ok=True)
    fleet = os.path.join(work, f"fleet-{args.hosts}x{args.vfs}.jsonl")
    db = os.path.join(work, "inventory.db")
    try:
        if not os.path.exists(fleet):
            subprocess.run([os.path.join(bindir, "sriov-audit-fixtures"), "fleet", fleet, str(args.hosts), str(args.vfs)], check=True)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        first, line1 = run_import(tool, fleet, db)
        subprocess.run(["sqlite3", db, "PRAGMA wal_checkpoint(TRUNCATE);"], capture_output=True)
        size = db_bytes(db)
        second, line2 = run_import(tool, fleet, db)
        subprocess.run(["sqlite3", db, "PRAGMA wal_checkpoint(TRUNCATE);"], capture_output=True)
        grown = db_bytes(db) - size
        print(f"fleet: {args.hosts} hosts, {os.path.getsize(fleet) / 1e6:.0f} MB of JSON lines ({fleet})")
        print(f"first import:    {first:7.2f} s  {args.hosts / first:7.0f} snapshots/s   ({line1})")
        print(f"database size:   {size / 1e6:7.1f} MB  ({size / args.hosts / 1024:.1f} KiB per snapshot)")
        print(f"re-import:       {second:7.2f} s  {args.hosts / second:7.0f} snapshots/s   ({line2})")
        print(f"bytes added by the unchanged re-import: {grown} ({grown / args.hosts:.1f} per snapshot)")
        print(f"targets: >= 1000 snapshots/s -> {'met' if args.hosts / first >= 1000 else 'NOT met'}; "
              f"<= 1 KB per unchanged snapshot -> {'met' if grown / args.hosts <= 1024 else 'NOT met'}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
