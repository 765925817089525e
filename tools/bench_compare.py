#!/usr/bin/env python3
"""`make bench-compare`: threadbare and the Linux peer side by side.

Reads build/<board>/bench.json (make bench) and build/<board>/bench-linux.json
(make bench-linux), and, when present, build/<board>/netload-<system>.json
(--net), and writes docs/benchmarks/compare-<board>.md and .json and a plot
(.png and .svg). Every instruction figure's ratio is threadbare / Linux: below
1 threadbare executes fewer instructions, above 1 it loses.

    tools/bench_compare.py --board qemu-virt-aarch64 [--net]
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import bench_linux  # noqa: E402

TOP = bench.TOP
DOCS = os.path.join(TOP, "docs", "benchmarks")

# (operation, threadbare figure, Linux figure): each the way its users
# would do it on that system (docs/benchmarks.md says where they differ).
PAIRS = [
    ("yield to another thread on the same CPU, per switch",
     ("threads", "thread_yield_switch"), ("threads", "thread_yield_switch")),
    ("uncontended mutex lock + unlock",
     ("threads", "mutex_lock_unlock_uncontended"), ("threads", "mutex_lock_unlock_uncontended")),
    ("semaphore ping-pong, same CPU, per round trip",
     ("threads", "sem_pingpong_same_cpu"), ("threads", "sem_pingpong_same_cpu")),
    ("semaphore ping-pong, across CPUs, per round trip",
     ("threads", "sem_pingpong_cross_cpu"), ("threads", "sem_pingpong_cross_cpu")),
    ("wake latency across CPUs (post to the woken thread running)",
     ("threads", "wake_latency_cross_cpu"), ("threads", "wake_latency_cross_cpu")),
    ("thread create + join",
     ("threads", "thread_create_join"), ("threads", "thread_create_join")),
    ("hand-written coroutine switch, one direction",
     ("coroutines", "coro_arch_switch"), ("threads", "coro_arch_switch")),
    ("library coroutine switch (coro_transfer / swapcontext), one direction",
     ("coroutines", "coro_switch"), ("threads", "swapcontext_switch")),
    ("channel ping-pong, same CPU (coroutines / threads on mutex+condvar), per round trip",
     ("coroutines", "coro_chan_pingpong"), ("threads", "chan_pingpong_same_cpu")),
    ("channel ping-pong across CPUs (threads on mutex+condvar), per round trip",
     None, ("threads", "chan_pingpong_cross_cpu")),
    ("coroutine yield through the scheduler, per switch",
     ("coroutines", "coro_yield_switch"), None),
    ("coroutine spawn + join",
     ("coroutines", "coro_spawn_join"), None),
]


def load(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


# The plot's labels, by the operation's Linux figure (or threadbare's).
SHORT = {"thread_yield_switch": "yield, same CPU", "mutex_lock_unlock_uncontended": "mutex lock + unlock",
         "sem_pingpong_same_cpu": "semaphore ping-pong, same CPU",
         "sem_pingpong_cross_cpu": "semaphore ping-pong, across CPUs",
         "wake_latency_cross_cpu": "wake latency, across CPUs", "thread_create_join": "thread create + join",
         "coro_arch_switch": "hand-written coroutine switch",
         "swapcontext_switch": "coro_transfer / swapcontext",
         "chan_pingpong_same_cpu": "channel ping-pong, same CPU"}


def figure(results, where):
    if results is None or where is None:
        return None
    return results.get(where[0], {}).get(where[1])


def net_run(board, system, cmd, seconds):
    """Boot a guest's UDP echo and HTTP servers (cmd: its QEMU command line),
    load them from the host, stop them (a UDP "quit"), and write
    build/<board>/netload-<system>.json."""
    proc = subprocess.Popen(["timeout", "1500", "sh", "-c", cmd], cwd=TOP, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    console, load_out = "", None
    try:
        load_out = subprocess.run([sys.executable, os.path.join(TOP, "tools", "netload.py"),
                                   "--seconds", str(seconds), "--quit"],
                                  cwd=TOP, capture_output=True, text=True, timeout=1500)
        console, _ = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        pass
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    if load_out is None or load_out.returncode != 0:
        sys.exit(f"bench-compare: network load on {system} failed:\n{load_out.stderr if load_out else 'timed out'}\n{console[-2000:]}")
    results = json.loads(load_out.stdout.strip().splitlines()[-1])
    results["command"] = cmd
    results["guest_console_tail"] = console.splitlines()[-8:]
    with open(os.path.join(TOP, "build", board, f"netload-{system}.json"), "w") as f:
        json.dump(results, f, indent=2)


# The network load runs in wall time with multi-threaded TCG, not under
# -icount: with sleep=off an idle guest's clock leaps to its next timer, so
# TCP retransmission and idle timers would fire while the host is still
# answering, and a rate per wall second would mean nothing anyway.
NET_ACCEL = "-accel tcg,thread=multi"


def linux_serve_cmd(make, board, netdev):
    arch = bench_linux.board_arch(make, board)
    kdir = bench_linux.kernel_dir(arch)
    initramfs = bench_linux.build_initramfs(arch, bench_linux.build_peer(arch), kdir)
    return bench_linux.qemu_cmd(make, board, 4, arch, kdir, initramfs, "net", NET_ACCEL,
                                net=True, netdev=netdev)


def threadbare_serve_cmd(make, board, append, netdev):
    """threadbare's own machine for the bench, with the app that serves UDP
    echo on 7 and HTTP on 80 (named by append) and the same forwards, on
    the board's own NIC (NET_FWD)."""
    fwd = bench_linux.net_fwd()
    code, cmd = bench.run(f"{make} -s BOARD={board} CPUS=4 NET_FWD='{fwd}' APPEND='{append}' qemu-cmd")
    return f"{cmd.strip()} {NET_ACCEL}"


def rows(tb, lx):
    out = []
    tb_boot = figure(tb, ("threads", "boot_to_app_first_line"))
    tb_boot = tb.get("boot_instructions_to_app", {}).get("4") if tb_boot is None else tb_boot["value"]
    lx_boot = lx.get("boot_instructions_to_app", {}).get("4")
    out.append({"operation": "boot: instructions from reset to the app's first line, 4 CPUs",
                "short": "boot: reset to the app's first line",
                "unit": "instructions", "threadbare": tb_boot, "linux": lx_boot})
    tb_img = tb["image_bytes"]["flash_image"]
    lx_img = lx["image_bytes"]["kernel_image"] + lx["image_bytes"]["initramfs"]
    out.append({"operation": "image: bytes booted (threadbare image / Linux kernel + initramfs)",
                "unit": "bytes", "threadbare": tb_img, "linux": lx_img})
    for name, t, l in PAIRS:
        ft, fl = figure(tb, t), figure(lx, l)
        out.append({"operation": name, "short": SHORT.get((l or t)[1], name),
                    "unit": (ft or fl)["unit"] if (ft or fl) else "",
                    "threadbare": ft["value"] if ft else None, "linux": fl["value"] if fl else None,
                    "threadbare_spread": [ft.get("min"), ft.get("max")] if ft and "min" in ft else None,
                    "linux_spread": [fl.get("min"), fl.get("max")] if fl and "min" in fl else None})
    for n in ("1 threads", "2 threads", "4 threads"):
        out.append({"operation": f"CPU-bound work on {n}: speed-up over 1 (wall time, {os.cpu_count()} host cores)",
                    "unit": "x", "threadbare": tb.get("speedup_wall_time", {}).get(n),
                    "linux": lx.get("speedup_wall_time", {}).get(n)})
    for r in out:
        t, l = r["threadbare"], r["linux"]
        r["ratio"] = float(f"{t / l:.4g}") if t is not None and l else None
    return out


def net_rows(board):
    out = []
    nets = {s: load(os.path.join(TOP, "build", board, f"netload-{s}.json")) for s in ("threadbare", "linux")}
    for key, what in (("udp_echo", "UDP echo (port 7), requests/s from the host"),
                      ("http", "HTTP keep-alive requests/s from the host (port 80)")):
        t = nets["threadbare"][key]["requests_per_s"] if nets["threadbare"] else None
        l = nets["linux"][key]["requests_per_s"] if nets["linux"] else None
        out.append({"operation": what, "unit": "requests/s", "threadbare": t, "linux": l,
                    "ratio": round(t / l, 3) if t is not None and l else None})
    return out


def fmt(v):
    if v is None:
        return "not measured"
    return f"{v:,.2f}" if isinstance(v, float) else f"{v:,}"


def spread_text(r, who):
    s = r.get(f"{who}_spread")
    return f" ({s[0]:,}-{s[1]:,})" if s and s[0] != s[1] else ""


def markdown(board, tb, lx, table):
    lines = [f"# threadbare and Linux on {board}", "",
             f"Generated by `make bench-compare BOARD={board}` (tools/bench_compare.py). "
             f"Linux: Debian's `{lx['kernel_package']}` ({lx['kernel_version']}). "
             f"QEMU `{bench.ICOUNT}` except the speed-up and network rows (wall time). "
             "Instruction figures are medians of 5 runs after a warm-up, with (min-max) when "
             "they differ. Ratio: threadbare / Linux (for instructions and bytes, below 1 is "
             "threadbare using less; for speed-up and requests/s, above 1 is threadbare doing more).",
             "", "| operation | threadbare | Linux | ratio |", "|---|---|---|---|"]
    for r in table:
        unit = f" {r['unit']}" if r["unit"] not in ("", "x") else ""
        lines.append(f"| {r['operation']} | {fmt(r['threadbare'])}{spread_text(r, 'threadbare')} | "
                     f"{fmt(r['linux'])}{spread_text(r, 'linux')} | "
                     f"{'-' if r['ratio'] is None else format(r['ratio'], '.3g')} |")
    lines.append("")
    lines.append("Units: instructions per operation unless the row says otherwise.")
    return "\n".join(lines) + "\n"


def plot(board, table, base):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows_ = [r for r in table if r["unit"].startswith("instructions") and r["threadbare"] and r["linux"]]
    labels = [r.get("short", r["operation"]) for r in rows_]
    fig, ax = plt.subplots(figsize=(10, 0.55 * len(rows_) + 1.6))
    y = range(len(rows_))
    h = 0.38
    ax.barh([i - h / 2 for i in y], [r["threadbare"] for r in rows_], h, label="threadbare")
    ax.barh([i + h / 2 for i in y], [r["linux"] for r in rows_], h, label="Linux")
    ax.set_yticks(list(y))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("guest instructions (log scale; fewer is better)")
    ax.set_title(f"threadbare vs Linux, {board}, QEMU -icount shift=0")
    ax.legend(loc="lower right")
    fig.tight_layout()
    for ext in ("png", "svg"):
        fig.savefig(f"{base}.{ext}", dpi=110, metadata={"Date": None} if ext == "svg" else None)
    plt.close(fig)


def main():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        # The distribution's python3-matplotlib (tools/deps.sh) lives with the
        # distribution's python3, which another python3 first on PATH lacks.
        if os.path.exists("/usr/bin/python3") and sys.executable != "/usr/bin/python3":
            os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
        sys.exit("bench-compare: no matplotlib: run 'make deps'")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--board", required=True)
    ap.add_argument("--make", default="make --no-print-directory")
    ap.add_argument("--net", action="store_true",
                    help="also boot the Linux peer's servers and load them from the host")
    ap.add_argument("--net-seconds", type=float, default=10)
    ap.add_argument("--netdev", default="virtio-net-pci", help="QEMU's virtio-net device model")
    ap.add_argument("--threadbare-net", metavar="APPEND",
                    help="with --net: the threadbare command line of its UDP echo + HTTP app "
                         "(e.g. 'app=netbench'); without it threadbare's network rows stay empty")
    args = ap.parse_args()
    tb = load(os.path.join(TOP, "build", args.board, "bench.json"))
    lx = load(os.path.join(TOP, "build", args.board, "bench-linux.json"))
    if tb is None or lx is None:
        sys.exit("bench-compare: run 'make bench' and 'make bench-linux' for this board first")
    if args.net:
        # One after the other, the same load: the ratio is measured in one run.
        if args.threadbare_net:
            net_run(args.board, "threadbare",
                    threadbare_serve_cmd(args.make, args.board, args.threadbare_net, args.netdev),
                    args.net_seconds)
        net_run(args.board, "linux", linux_serve_cmd(args.make, args.board, args.netdev), args.net_seconds)
    table = rows(tb, lx) + net_rows(args.board)
    os.makedirs(DOCS, exist_ok=True)
    base = os.path.join(DOCS, f"compare-{args.board}")
    with open(base + ".md", "w") as f:
        f.write(markdown(args.board, tb, lx, table))
    with open(base + ".json", "w") as f:
        json.dump({"board": args.board, "linux_kernel": f"{lx['kernel_package']} {lx['kernel_version']}",
                   "qemu": bench.ICOUNT, "ratio": "threadbare / linux", "rows": table}, f, indent=2)
    plot(args.board, table, base)
    with open(base + ".md") as f:
        print(f.read())
    print(f"written {os.path.relpath(base, TOP)}.md .json .png .svg")


if __name__ == "__main__":
    main()
