#!/usr/bin/env python3
"""Collector benchmark: `sriov-audit collect --root` on a large derived host, next to
`lspci -vvv` reading the same sysfs tree.

The tree is derived from the real igb capture by the fixture builder (8 PFs x 128 VFs = 1,024 VFs,
each in its own IOMMU group). Each command runs RUNS times; the median wall time and the largest
peak RSS (from wait4's rusage) are reported, and their ratio.

usage: python3 Tests/Benchmarks/collect_benchmark.py [--runs N] [--pfs 8] [--vfs 128] [--keep DIR]
"""
import argparse, os, shutil, statistics, subprocess, tempfile

from benchlib import measure, release_bindir


def measure_runs(argv, runs):
    results = [measure(argv) for _ in range(runs)]
    return statistics.median(w for w, _ in results), max(r for _, r in results)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--pfs", type=int, default=8)
    ap.add_argument("--vfs", type=int, default=128)
    ap.add_argument("--keep", help="build the tree here and keep it")
    ap.add_argument("--no-build", action="store_true", help="use the existing release build")
    args = ap.parse_args()

    bindir = release_bindir(["sriov-audit", "sriov-audit-fixtures"], build=not args.no_build)
    tool = os.path.join(bindir, "sriov-audit")
    work = args.keep or tempfile.mkdtemp(prefix="sriov-audit-bench-")
    tree = os.path.join(work, "large-host")
    try:
        if not os.path.exists(tree):
            subprocess.run([os.path.join(bindir, "sriov-audit-fixtures"), "large-host", tree, str(args.pfs), str(args.vfs)], check=True)
        pci = os.path.join(tree, "sysfs/sys/bus/pci")
        devices = len(os.listdir(os.path.join(pci, "devices")))
        lspci = measure_runs(["lspci", "-vvv", "-A", "linux-sysfs", "-O", f"sysfs.path={pci}"], args.runs)
        table = measure_runs([tool, "collect", "--root", tree], args.runs)
        json_ = measure_runs([tool, "collect", "--root", tree, "--format", "json"], args.runs)
        print(f"tree: {args.pfs} PFs x {args.vfs} VFs, {devices} PCI functions, {args.runs} runs each ({tree})")
        print(f"{'command':<44} {'median wall':>12} {'peak RSS':>10} {'wall vs lspci':>14}")
        for name, (wall, rss) in [("lspci -vvv -A linux-sysfs", lspci),
                                  ("sriov-audit collect --root (table)", table),
                                  ("sriov-audit collect --root --format json", json_)]:
            print(f"{name:<44} {wall*1000:>9.1f} ms {rss:>7.1f} MB {wall/lspci[0]:>13.2f}x")
        print(f"targets for collect --root: wall <= 1.0x lspci, peak RSS <= 30 MB -> "
              f"{'met' if table[0] <= lspci[0] * 1.0 and table[1] <= 30 else 'NOT met'}"
              f" (json: {'met' if json_[0] <= lspci[0] and json_[1] <= 30 else 'NOT met'})")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
