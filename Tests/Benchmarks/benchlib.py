"""Shared by the benchmark scripts: the release build, and one measured run of a command."""
import os, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def release_bindir(products, build=True):
    """Builds `products` in release (unless build is False) and returns the folder of the binaries."""
    if build:
        for product in products:
            subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True)
    return subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()


def measure(argv, stdin=None, ok=(0,)):
    """Runs argv once with output discarded: (wall seconds, peak RSS in MB from wait4)."""
    with open(os.devnull, "wb") as null:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin else None, stdout=null, stderr=subprocess.PIPE)
        if stdin:
            proc.stdin.write(stdin.encode())
            proc.stdin.close()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        err = proc.stderr.read().decode()
        proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        sys.exit(f"{argv[0]} failed ({code}): {err}")
    return wall, usage.ru_maxrss / 1024.0
