#!/usr/bin/env python3
"""`make bench`: deterministic figures for one board.

Boots under QEMU -icount shift=0,align=off,sleep=off, where virtual time
advances one nanosecond per guest instruction, so the times the guest reads
are instruction counts. Prints a table and writes build/<board>/bench.json.

    tools/bench.py --board qemu-virt-aarch64
"""
import argparse
import json
import os
import re
import subprocess
import sys

import net_bench

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ICOUNT = "-icount shift=0,align=off,sleep=off"


def run(cmd, timeout=300):
    out = subprocess.run(cmd, shell=True, cwd=TOP, capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, timeout=timeout)
    return out.returncode, out.stdout + out.stderr


def image_size(make, board):
    code, text = run(f"{make} -s BOARD={board} print-size")
    text_b, data_b, bss_b = (int(x) for x in text.split()[:3])
    bin_size = os.path.getsize(os.path.join(TOP, "build", board, "threadbare.bin"))
    return {"text": text_b, "data": data_b, "bss": bss_b, "flash_image": bin_size}


def boot_instructions(make, board, cpus):
    code, cmd = run(f"{make} -s BOARD={board} CPUS={cpus} APPEND='app=hello boottime' qemu-cmd")
    code, text = run(f"{cmd.strip()} {ICOUNT}")
    m = re.search(r"banner at (\d+) ns since reset", text)
    if code != 0 or not m:
        sys.exit(f"bench: boot with {cpus} cpus failed (exit {code}):\n{text[-2000:]}")
    return int(m.group(1))


def guest_benchmarks(make, board, cpus, app="bench", args="", memory=None):
    """A bench app's figures (bench, gil_bench): instructions per operation
    under -icount. args: more of the command line; memory: the guest's RAM
    instead of the board's default."""
    mem = f" MEMORY={memory}" if memory else ""
    code, cmd = run(f"{make} -s BOARD={board} CPUS={cpus}{mem} APPEND='app={app} {args}' qemu-cmd")
    return parse_figures(run_checked(f"{cmd.strip()} {ICOUNT}", f"the {app} app", 900))


def clean_console(text):
    """Firmware's terminal escapes (SeaBIOS clears the screen) can run into a
    guest's first line: each ends a line instead."""
    return re.sub(r"\x1b(\[[0-9;?]*[A-Za-z]|.)", "\n", text)


def run_checked(cmd, what, timeout):
    """One boot; its console text, or an exit with its tail when it failed
    or printed no figure."""
    code, text = run(cmd, timeout=timeout)
    text = clean_console(text)
    if code != 0 or not re.search(r"^bench \w+ \d+ ", text, re.M):
        sys.exit(f"bench: {what} failed (exit {code}):\n{text[-2000:]}")
    return text


def parse_figures(text):
    """Every "bench <name> <value> <unit> [ops=<n> reps=<r> min=<a> max=<b>]"
    line (threadbare's bench apps and the Linux peer print the same form):
    name -> {value, unit[, ops, reps, min, max]}."""
    figures = {}
    for m in re.finditer(r"^bench (\w+) (\d+) (\S+)((?: \w+=\d+)*)\r?$", text, re.M):
        f = {"value": int(m.group(2)), "unit": m.group(3)}
        f.update({k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(4))})
        figures[m.group(1)] = f
    return figures


def spread(f):
    """A figure's spread over its repetitions, as text; "-" for one run."""
    return f"{f['min']:,}-{f['max']:,}" if "min" in f and f.get("reps", 1) > 1 else "-"


def print_table(results):
    """The table `make bench` and `make bench-linux` print: sizes, boot,
    then every figure with its iterations and spread."""
    print(f"{'what':<48}{'value':>14}{'iterations':>12}{'spread (min-max)':>20}")
    for k, v in results["image_bytes"].items():
        print(f"{'image ' + k + ' (bytes)':<48}{v:>14,}")
    for key in ("boot_instructions_to_banner", "boot_instructions_to_app"):
        for cpus, n in results.get(key, {}).items():
            what = "banner" if key.endswith("banner") else "app's first line"
            print(f"{'instructions, reset to ' + what + ', ' + cpus + ' cpus':<48}{n:>14,}")
    for group in ("threads", "coroutines", "trace_on", "gil", "loop", "net"):
        for name, f in results.get(group, {}).items():
            ops = f"{f['ops']:,} x {f.get('reps', 1)}" if "ops" in f else "-"
            print(f"{name + ' (' + f['unit'] + ')':<48}{f['value']:>14,}{ops:>12}{spread(f):>20}")
    host = os.cpu_count()
    for n, ratio in results.get("speedup_wall_time", {}).items():
        print(f"{'speed-up, CPU-bound work on ' + n + f' ({host} host cores)':<48}{ratio:>14.2f}")
    for mode, ratios in results.get("gil_speedup_wall_time", {}).items():
        for n, ratio in ratios.items():
            print(f"{'gil speed-up, lock ' + mode + ', ' + n + f' ({host} host cores)':<48}{ratio:>14.2f}")


def wall_time_run(make, board, cpus, append):
    """One boot with multi-threaded TCG (no -icount): the console text."""
    code, cmd = run(f"{make} -s BOARD={board} CPUS={cpus} APPEND='{append}' qemu-cmd")
    code, text = run(f"{cmd.strip()} -accel tcg,thread=multi", timeout=900)
    return text


def summarize(values):
    """Repeated runs of one figure: the median, with min, max and the count,
    in parse_figures()'s form."""
    v = sorted(values)
    return {"value": v[len(v) // 2], "min": v[0], "max": v[-1], "reps": len(v)}


def io_rate_wall_time(make, board, runs=5):
    """The big lock's I/O-rate figures with multi-threaded TCG, over runs
    boots: under -icount QEMU runs the CPUs one after another, each until
    the next timer deadline, so an interrupt for an idle CPU waits behind
    the busy CPUs before it in that order (docs/benchmarks.md)."""
    names = ("gil_io_rate_percent_of_alone", "gil_io_rate_percent_no_spin")
    seen = {n: [] for n in names}
    for _ in range(runs):
        figures = parse_figures(wall_time_run(make, board, 4, "app=gil_bench bench=gil_io_rate"))
        for n in names:
            if n in figures:
                seen[n].append(figures[n]["value"])
    return {f"{n}_wall_time": dict(summarize(v), unit="percent") for n, v in seen.items() if v}


def speedup_ratios(text, name="speedup"):
    """CPU-bound work on 1, 2, 4 threads: wall-time ratios measured inside
    one run, from lines 'bench <name>_<n>_threads <ratio> x'."""
    return {f"{m.group(1)} threads": float(m.group(2))
            for m in re.finditer(rf"^bench {name}_(\d+)_threads (\d+\.\d+) x", text, re.M)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--board", required=True)
    ap.add_argument("--make", default="make --no-print-directory")
    args = ap.parse_args()
    results = {"board": args.board, "image_bytes": image_size(args.make, args.board),
               "boot_instructions_to_banner": {}}
    for cpus in (1, 4):
        results["boot_instructions_to_banner"][str(cpus)] = boot_instructions(args.make, args.board, cpus)
    figures = guest_benchmarks(args.make, args.board, 4)
    # The bench app's first line: reset to the app running, as the Linux peer's.
    results["boot_instructions_to_app"] = {"4": figures.pop("boot_to_app_first_line")["value"]}
    results["threads"] = {k: v for k, v in figures.items() if not k.startswith("coro_")}
    results["coroutines"] = {k: v for k, v in figures.items() if k.startswith("coro_")}
    # How many fit: a guest of 1 GiB of its own, filled with parked coroutines.
    live = guest_benchmarks(args.make, args.board, 4, args="bench=coro_live", memory="1G")
    live.pop("boot_to_app_first_line", None)	# a 1 GiB guest's boot: not the figure
    results["coroutines"].update(live)
    results["speedup_wall_time"] = speedup_ratios(
        wall_time_run(args.make, args.board, 4, "app=bench bench=speedup"))
    # The scheduling trace's cost: the same switch figures with it recording
    # (trace=on; off, as above, each hook is one branch).
    results["trace_on"] = {f"{k}_traced": v for b in ("yield", "pingpong")
                           for k, v in guest_benchmarks(args.make, args.board, 4,
                                                        args=f"bench={b} trace=on").items()}
    results["gil"] = guest_benchmarks(args.make, args.board, 4, app="gil_bench")
    results["gil"].update(io_rate_wall_time(args.make, args.board))
    results["loop"] = guest_benchmarks(args.make, args.board, 4, app="loop_bench")
    gil_wall = wall_time_run(args.make, args.board, 4, "app=gil_bench bench=gil_speedup")
    results["gil_speedup_wall_time"] = {mode: speedup_ratios(gil_wall, f"gil_speedup_{mode}")
                                        for mode in ("on", "off")}

    results["net"] = net_bench.net_benchmarks(args.make, args.board)

    print(f"benchmarks on {args.board} (QEMU {ICOUNT}: 1 ns = 1 guest instruction)")
    print_table(results)
    path = os.path.join(TOP, "build", args.board, "bench.json")
    with open(path, "w") as f:
        json.dump(results, f, indent=2)
    print(f"written {os.path.relpath(path, TOP)}")


if __name__ == "__main__":
    main()
