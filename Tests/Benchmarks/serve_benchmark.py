#!/usr/bin/env python3
"""Fleet server benchmark: snapshots/s one `sriov-audit serve` (release build, SQLite) accepts
from 64 concurrent clients on 127.0.0.1, with p50/p99 latency and the server's peak RSS.

The fleet is the store benchmark's fixture, derived from the real igb capture: 64 hosts x 64 VFs
(`sriov-audit-fixtures fleet`); each client is one host with its own token and sends distinct
collections of it (serve_load.py). Targets: >= 1,000 snapshots/s sustained, p99 <= 250 ms,
RSS <= 300 MB.

usage: python3 Tests/Benchmarks/serve_benchmark.py [--count 20000] [--clients 64] [--vfs 64] [--same-content] [--no-build]
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time

from benchlib import release_bindir

HERE = os.path.dirname(os.path.abspath(__file__))


def peak_rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--vfs", type=int, default=64)
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--same-content", action="store_true", help="hosts that did not change: every push only an observation")
    args = ap.parse_args()
    bindir = release_bindir(["sriov-audit", "sriov-audit-fixtures"], build=not args.no_build)
    tool = os.path.join(bindir, "sriov-audit")
    work = tempfile.mkdtemp(prefix="sriov-audit-serve-bench-")
    server = None
    try:
        fleet = os.path.join(work, "fleet.jsonl")
        subprocess.run([os.path.join(bindir, "sriov-audit-fixtures"), "fleet", fleet, str(args.clients), str(args.vfs)], check=True,
                       stdout=subprocess.DEVNULL)
        db = os.path.join(work, "inventory.db")
        hosts = [json.loads(line)["host"]["hostname"] for line in open(fleet) if line.strip()]
        with open(os.path.join(work, "tokens"), "w") as f:
            for host in hosts:
                token = subprocess.run([tool, "token", "issue", host, "--db", db], check=True, capture_output=True, text=True).stdout.strip()
                f.write("%s %s\n" % (host, token))
        size = os.path.getsize(fleet) / len(hosts)
        port_file = os.path.join(work, "port")
        server = subprocess.Popen([tool, "serve", "--db", db, "--listen", "127.0.0.1:0", "--port-file", port_file,
                                   "--rate-limit", "1000000", "--rate-burst", "1000000", "--log-level", "warning"],
                                  stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "server.log"), "w"))
        for _ in range(300):
            if os.path.exists(port_file):
                break
            time.sleep(0.05)
        port = int(open(port_file).read())
        cpu_before = cpu_seconds(server.pid)
        load = subprocess.run([sys.executable, os.path.join(HERE, "serve_load.py"), "--url", "http://127.0.0.1:%d" % port,
                               "--tokens", os.path.join(work, "tokens"), "--base", fleet, "--count", str(args.count),
                               "--concurrency", str(args.clients), "--max-seconds", "600", "--out", os.path.join(work, "load.json")]
                              + (["--same-content"] if args.same_content else []),
                              check=True, capture_output=True, text=True)
        summary = json.loads(load.stdout.strip().splitlines()[-1])
        cpu = cpu_seconds(server.pid) - cpu_before
        rss = peak_rss_mb(server.pid)
        stored = subprocess.run(["sqlite3", db, "SELECT count(*) FROM observations"], capture_output=True, text=True).stdout.strip()
        print("fleet: %d hosts x %d VFs, %.0f KB a snapshot; %d clients, %d snapshots, %s"
              % (len(hosts), args.vfs, size / 1024, args.clients, args.count, "unchanged content" if args.same_content else "every one new content"))
        print("accepted %d (stored %s): %.0f snapshots/s, p50 %.1f ms, p99 %.1f ms, server peak RSS %.1f MB, server CPU %.1f s (%.2f ms a snapshot)"
              % (summary["acknowledgedCount"], stored, summary["perSecond"], summary["p50Ms"], summary["p99Ms"], rss, cpu,
                 1000 * cpu / max(1, summary["acknowledgedCount"])))
        print("statuses: %s" % summary["statuses"])
        met = summary["perSecond"] >= 1000 and summary["p99Ms"] <= 250 and rss <= 300
        print("targets (>= 1000/s, p99 <= 250 ms, RSS <= 300 MB): %s" % ("met" if met else "NOT met"))
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
