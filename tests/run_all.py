#!/usr/bin/env python3
"""`make test`: the host tests, then the in-image suites on every QEMU board.

Ends with one 'N passed, N failed' line over everything; exits non-zero on
any failure.
"""
import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_target  # noqa: E402


def host_tests(results, make):
    """Build and run the CMocka suites; count their tests."""
    out = subprocess.run(f"{make} -C tests/host", shell=True, cwd=run_target.TOP,
                         capture_output=True, text=True)
    text = out.stdout + out.stderr
    print(text, end="")
    ran = 0
    for m in re.finditer(r"^\[\s+(OK|FAILED)\s+\] (\S+)$", text, re.M):
        ran += 1
        results.record(m.group(1) == "OK", f"host {m.group(2)}")
    if out.returncode != 0 or ran == 0:
        results.record(False, "host tests ran and passed", f"exit {out.returncode}, {ran} tests seen")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--make", default="make --no-print-directory")
    ap.add_argument("boards", nargs="+")
    args = ap.parse_args()
    results = run_target.Results()
    host_tests(results, args.make)
    for board in args.boards:
        run_target.check_board(results, args.make, board)
    for name in results.failures:
        print(f"failed: {name}")
    print(f"{results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
