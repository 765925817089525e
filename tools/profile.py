#!/usr/bin/env python3
"""Instruction profile of a stretch of guest code, per function.

Boots the image under QEMU -icount with `-d exec,nochain,in_asm`, which logs
every translated block (its instructions) and every block executed, then
counts the instructions each function executed on one CPU between two
markers, per operation:

    tools/profile.py --board qemu-virt-aarch64 --append 'app=bench bench=pingpong' \\
        --start arch_context_switch --skip 100 --stop thread_exit \\
        --per arch_context_switch

counts from the 101st entry to `arch_context_switch` until the first block of
`thread_exit`, divided by the entries to `arch_context_switch` in between.
The log is large (hundreds of MB for a few million instructions): keep the
stretch short. Needs a built image (`make BOARD=...`).
"""
import argparse
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ICOUNT = "-icount shift=0,align=off,sleep=off"


def symbols(elf, nm):
    """(address, name) of every function, sorted."""
    out = subprocess.run([nm, "-n", elf], capture_output=True, text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    return sorted(syms)


def profile(log, syms, cpu, start, skip, stop, per):
    """Instructions per function and the number of operations."""
    addrs = [a for a, _ in syms]

    def lookup(pc):
        i = bisect.bisect_right(addrs, pc) - 1
        return syms[i] if i >= 0 else (0, "?")

    blocks = {}		# host block address -> guest instruction addresses
    pending, current, in_block = None, [], False
    counts = collections.Counter()
    seen_start, counting, ops = 0, False, 0
    trace = re.compile(r"Trace (\d+): (\S+) \[[0-9a-f]+/([0-9a-f]+)/")
    for line in log:
        if line.startswith("IN:"):
            in_block, current = True, []
            continue
        if in_block:
            m = re.match(r"0x([0-9a-f]+):", line)
            if m:
                current.append(int(m.group(1), 16))
                continue
            in_block, pending = False, current
        if not line.startswith("Trace"):
            continue
        m = trace.search(line)
        if not m:
            continue
        # A block's first execution follows its translation: the host
        # address identifies it from then on (QEMU may translate the same
        # guest address more than once, with different lengths).
        if pending is not None:
            blocks[m.group(2)] = pending
            pending = None
        if int(m.group(1)) != cpu:
            continue
        pc = int(m.group(3), 16)
        entry, name = lookup(pc)
        if not counting:
            if name == start and entry == pc:
                seen_start += 1
                counting = seen_start > skip
            if not counting:
                continue
        if name == stop:
            break
        if name == per and entry == pc:
            ops += 1
        for a in blocks.get(m.group(2), ()):
            counts[lookup(a)[1]] += 1
    return counts, ops


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--board", required=True)
    ap.add_argument("--append", required=True, help="kernel command line (app=...)")
    ap.add_argument("--cpus", type=int, default=4)
    ap.add_argument("--cpu", type=int, default=0, help="the CPU to profile")
    ap.add_argument("--start", required=True, help="count from an entry to this function")
    ap.add_argument("--skip", type=int, default=0, help="entries to --start to pass first")
    ap.add_argument("--stop", required=True, help="stop at the first block of this function")
    ap.add_argument("--per", required=True, help="one operation = one entry to this function")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--make", default="make --no-print-directory -s")
    args = ap.parse_args()

    cmd = subprocess.run(f"{args.make} BOARD={args.board} CPUS={args.cpus} "
                         f"APPEND='{args.append}' qemu-cmd", shell=True, cwd=TOP,
                         capture_output=True, text=True, check=True).stdout.strip()
    elf = os.path.join(TOP, "build", args.board, "threadbare.elf")
    nm = "aarch64-linux-gnu-nm" if "aarch64" in args.board else "nm"
    with tempfile.TemporaryDirectory() as tmp:
        log_path = os.path.join(tmp, "exec.log")
        subprocess.run(f"timeout 600 {cmd} {ICOUNT} -d exec,nochain,in_asm -D {log_path}",
                       shell=True, cwd=TOP, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not os.path.exists(log_path):
            sys.exit("profile: QEMU wrote no log")
        with open(log_path, errors="replace") as log:
            counts, ops = profile(log, symbols(elf, nm), args.cpu, args.start, args.skip,
                                  args.stop, args.per)
    if not ops:
        sys.exit(f"profile: no entry to '{args.per}' between the markers on cpu {args.cpu}")
    total = sum(counts.values())
    print(f"{ops} operations (entries to {args.per}) on cpu {args.cpu}")
    print(f"{'instructions/op':>16}  function")
    for name, n in counts.most_common(args.top):
        print(f"{n / ops:>16.1f}  {name}")
    print(f"{total / ops:>16.1f}  total")


if __name__ == "__main__":
    main()
