#!/usr/bin/env python3
"""Collector benchmark: `sriov-audit collect --root` on a large derived host, next to
`lspci -vvv` reading the same sysfs tree.

The tree is derived from the real igb capture by the fixture builder (8 PFs x 128 VFs = 1,024 VFs,
each in its own IOMMU group). Each command runs RUNS times; the median wall time and the largest
peak RSS (from wait4's rusage) are reported, and their ratio.

Both builds are measured: the packaged binary (`make deb`: Swift runtime linked statically, as
operators install it; taken out of the .deb) and the development release build (`swift build -c
release`, the Swift runtime and Foundation as shared libraries from the toolchain).

usage: python3 Tests/Benchmarks/collect_benchmark.py [--runs N] [--pfs 8] [--vfs 128] [--keep DIR]
"""
import argparse, os, shutil, statistics, subprocess, tempfile

from benchlib import ROOT, measure, release_bindir


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
        # The packaged build writes to the same folder as the dev build: keep a copy of the dev
        # binary first (relinked now if the folder holds the packaged one).
        subprocess.run(["swift", "build", "-c", "release", "--product", "sriov-audit"], cwd=ROOT, check=True,
                       capture_output=True)
        tool = shutil.copy(tool, os.path.join(work, "sriov-audit-dev"))
        deb = subprocess.run([os.path.join(ROOT, "deploy/debian/build-deb.sh")], check=True, capture_output=True,
                             text=True).stdout.strip().splitlines()[-1]
        unpacked = os.path.join(work, "deb")
        subprocess.run(["dpkg-deb", "-x", os.path.join(ROOT, deb), unpacked], check=True)
        packaged = os.path.join(unpacked, "usr/bin/sriov-audit")
        lspci = measure_runs(["lspci", "-vvv", "-A", "linux-sysfs", "-O", f"sysfs.path={pci}"], args.runs)
        rows = [("lspci -vvv -A linux-sysfs", lspci)]
        for label, binary in [("packaged", packaged), ("dev build", tool)]:
            rows.append((f"{label}: collect --root (table)", measure_runs([binary, "collect", "--root", tree], args.runs)))
            rows.append((f"{label}: collect --root --format json",
                         measure_runs([binary, "collect", "--root", tree, "--format", "json"], args.runs)))
        print(f"tree: {args.pfs} PFs x {args.vfs} VFs, {devices} PCI functions, {args.runs} runs each ({tree})")
        print(f"{'command':<44} {'median wall':>12} {'peak RSS':>10} {'wall vs lspci':>14}")
        for name, (wall, rss) in rows:
            print(f"{name:<44} {wall*1000:>9.1f} ms {rss:>7.1f} MB {wall/lspci[0]:>13.2f}x")
        for name, (wall, rss) in rows[1:]:
            met = wall <= lspci[0] and rss <= 30
            print(f"targets (<= 1.0x lspci, <= 30 MB) for {name}: {'met' if met else 'NOT met'}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
