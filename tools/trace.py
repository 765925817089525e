#!/usr/bin/env python3
"""`make trace`: run an app with the scheduling trace on and draw it.

Boots the app with `trace=on` (kernel/trace.c records from just before the
app starts and dumps every CPU's ring over the console when it returns),
checks the dump's framing and CRC-32, and writes
    build/<board>/trace.json   Chrome/Perfetto trace events (ui.perfetto.dev,
                               chrome://tracing): one lane per CPU with the
                               threads it ran, interrupts nested in them, a
                               lane of coroutines per CPU, wake-ups, blocks,
                               big-lock hand-offs and loop ticks as instants
    build/<board>/trace.png    the timeline, one lane per CPU (matplotlib)
The console output other than the dump is passed through.

    tools/trace.py --board qemu-virt-aarch64 --app gil [--cpus 4]
    tools/trace.py --board ... --log console.txt   (a dump from `trace dump`)
"""
import argparse
import json
import os
import re
import struct
import subprocess
import sys
import zlib

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# enum trace_type (kernel/include/kernel/trace.h)
SWITCH, WAKE, IRQ_ENTER, IRQ_EXIT, GIL_HANDOFF, CORO_RESUME, CORO_SUSPEND, LOOP_TICK, NAME, MARK = range(1, 11)
THREAD_BLOCKED = 2      # enum thread_state
CORO_STATES = ["ready", "running", "parked", "suspended", "exiting", "done"]


class DumpError(Exception):
    pass


def parse_dump(text):
    """The last complete dump in text: (cpus, {cpu: [event tuples]}, names, lost).
    An event is (ts, type, arg, a, b). Raises DumpError if it is damaged."""
    lines = [m.group(1).split() for m in re.finditer(r"@TRACE (.*)$", text, re.M)]
    begins = [i for i, l in enumerate(lines) if l[0] == "begin"]
    if not begins:
        raise DumpError("no '@TRACE begin' in the console output")
    lines = lines[begins[-1]:]
    cpus = int(dict(kv.split("=") for kv in lines[0][2:])["cpus"])
    events, names, lost = {}, {}, {}
    crc, total, cur, want, end = 0, 0, None, {}, None
    for l in lines[1:]:
        if l[0] == "cpu":
            cur = int(l[1])
            kv = dict(x.split("=") for x in l[2:])
            want[cur] = int(kv["count"])
            lost[cur] = int(kv["lost"])
            events[cur] = []
        elif l[0] == "e":
            if cur is None or len(l) != 6:
                raise DumpError(f"malformed event line: {' '.join(l)}")
            ts, typ, arg, a, b = (int(x, 16) for x in l[1:])
            events[cur].append((ts, typ, arg, a, b))
            crc = zlib.crc32(struct.pack("<QIIQQ", ts, typ, arg, a, b), crc)
            total += 1
        elif l[0] == "name":
            names[int(l[2], 16)] = " ".join(l[3:])
        elif l[0] == "end":
            end = dict(x.split("=") for x in l[1:])
            break
    if end is None:
        raise DumpError("the dump has no '@TRACE end' line (cut short?)")
    if int(end["events"]) != total or any(len(events.get(c, [])) != n for c, n in want.items()):
        raise DumpError(f"event count mismatch: end says {end['events']}, read {total}")
    if int(end["crc"], 16) != crc:
        raise DumpError(f"CRC mismatch: dump says {end['crc']}, computed {crc:08x}")
    if sorted(events) != list(range(cpus)):
        raise DumpError(f"cpu sections {sorted(events)} for {cpus} cpus")
    # Names recorded in the rings (threads and coroutines that came and went).
    chunks = {}
    for evs in events.values():
        for ts, typ, arg, a, b in evs:
            if typ == NAME:
                chunks.setdefault(a, {})[arg & 0xff] = struct.pack("<Q", b)
                chunks[a]["kind"] = arg >> 8
    for obj, parts in chunks.items():
        raw = b"".join(parts.get(i, b"\0" * 8) for i in range(3))
        names.setdefault(obj, raw.split(b"\0")[0].decode("utf-8", "replace"))
    return cpus, events, names, lost


def label(names, obj):
    return names.get(obj, f"{obj:#x}")


def is_idle(name):
    return re.fullmatch(r"idle\d+", name) is not None


def to_chrome(cpus, events, names):
    """Chrome trace events: pid 0, tid = cpu (threads), 1000 + cpu (coroutines)."""
    t0 = min((e[0] for evs in events.values() for e in evs), default=0)
    us = lambda ns: (ns - t0) / 1000.0
    out = [{"ph": "M", "name": "process_name", "pid": 0, "args": {"name": "threadbare"}}]
    spans = {}    # cpu -> [(start, end, thread name)] for the picture
    for cpu in range(cpus):
        out.append({"ph": "M", "name": "thread_name", "pid": 0, "tid": cpu, "args": {"name": f"cpu {cpu}"}})
        out.append({"ph": "M", "name": "thread_sort_index", "pid": 0, "tid": cpu, "args": {"sort_index": cpu}})
        evs = sorted(events[cpu], key=lambda e: e[0])
        spans[cpu] = []
        running, since = None, evs[0][0] if evs else t0
        coro, coro_since = None, None
        irq_start = []
        for ts, typ, arg, a, b in evs:
            if typ == SWITCH:
                prev, nxt = label(names, a), label(names, b)
                if running is None:
                    running = prev
                if not is_idle(running):
                    out.append({"ph": "X", "name": running, "cat": "thread", "pid": 0, "tid": cpu,
                                "ts": us(since), "dur": (ts - since) / 1000.0})
                spans[cpu].append((since, ts, running))
                if arg == THREAD_BLOCKED:
                    out.append({"ph": "i", "s": "t", "name": f"block {prev}", "cat": "block",
                                "pid": 0, "tid": cpu, "ts": us(ts)})
                running, since = nxt, ts
            elif typ == WAKE:
                out.append({"ph": "i", "s": "t", "name": f"wake {label(names, a)}", "cat": "wake",
                            "pid": 0, "tid": cpu, "ts": us(ts), "args": {"to_cpu": arg}})
            elif typ == IRQ_ENTER:
                irq_start.append(ts)
            elif typ == IRQ_EXIT and irq_start:
                start = irq_start.pop()
                out.append({"ph": "X", "name": "irq", "cat": "irq", "pid": 0, "tid": cpu,
                            "ts": us(start), "dur": (ts - start) / 1000.0})
                spans[cpu].append((start, ts, "irq"))
            elif typ == GIL_HANDOFF:
                out.append({"ph": "i", "s": "t", "name": f"gil hand-off to {label(names, b)}",
                            "cat": "gil", "pid": 0, "tid": cpu, "ts": us(ts),
                            "args": {"domain": f"{a:#x}", "to_io_waiter": bool(arg)}})
            elif typ == CORO_RESUME:
                coro, coro_since = label(names, a), ts
            elif typ == CORO_SUSPEND and coro_since is not None:
                state = CORO_STATES[arg] if arg < len(CORO_STATES) else str(arg)
                out.append({"ph": "X", "name": coro, "cat": "coroutine", "pid": 0, "tid": 1000 + cpu,
                            "ts": us(coro_since), "dur": (ts - coro_since) / 1000.0,
                            "args": {"then": state}})
                coro, coro_since = None, None
            elif typ == LOOP_TICK:
                out.append({"ph": "i", "s": "t", "name": "loop tick", "cat": "loop", "pid": 0,
                            "tid": cpu, "ts": us(ts), "args": {"ran": arg, "loop": f"{a:#x}"}})
            elif typ == MARK:
                out.append({"ph": "i", "s": "t", "name": "mark", "cat": "mark", "pid": 0, "tid": cpu,
                            "ts": us(ts), "args": {"arg": arg, "a": a, "b": b}})
        if evs and running is not None:
            last = evs[-1][0]
            if not is_idle(running):
                out.append({"ph": "X", "name": running, "cat": "thread", "pid": 0, "tid": cpu,
                            "ts": us(since), "dur": (last - since) / 1000.0})
            spans[cpu].append((since, last, running))
        out.append({"ph": "M", "name": "thread_name", "pid": 0, "tid": 1000 + cpu,
                    "args": {"name": f"cpu {cpu} coroutines"}})
        out.append({"ph": "M", "name": "thread_sort_index", "pid": 0, "tid": 1000 + cpu,
                    "args": {"sort_index": 100 + cpu}})
    return {"traceEvents": out, "displayTimeUnit": "ns"}, spans, t0


def draw(spans, t0, cpus, path, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    names = sorted({n for s in spans.values() for _, _, n in s if not is_idle(n) and n != "irq"})
    cmap = plt.get_cmap("tab20")
    colour = {n: cmap(i % 20) for i, n in enumerate(names)}
    fig, ax = plt.subplots(figsize=(14, 1.2 + 0.7 * cpus))
    for cpu in range(cpus):
        for name in names:
            bars = [((s - t0) / 1e6, (e - s) / 1e6) for s, e, n in spans[cpu] if n == name]
            if bars:
                ax.broken_barh(bars, (cpu - 0.35, 0.7), facecolors=colour[name])
        irqs = [((s - t0) / 1e6, max((e - s) / 1e6, 1e-4)) for s, e, n in spans[cpu] if n == "irq"]
        if irqs:
            ax.broken_barh(irqs, (cpu + 0.35, 0.15), facecolors="black")
    ax.set_yticks(range(cpus))
    ax.set_yticklabels([f"cpu {c}" for c in range(cpus)])
    ax.invert_yaxis()
    ax.set_xlabel("ms since the trace began (black: interrupts; gaps: idle)")
    ax.set_title(title)
    shown = names[:20]
    ax.legend(handles=[matplotlib.patches.Patch(color=colour[n], label=n) for n in shown],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_outputs(text, board, title):
    cpus, events, names, lost = parse_dump(text)
    trace, spans, t0 = to_chrome(cpus, events, names)
    out_dir = os.path.join(TOP, "build", board)
    os.makedirs(out_dir, exist_ok=True)
    json_path, png_path = os.path.join(out_dir, "trace.json"), os.path.join(out_dir, "trace.png")
    with open(json_path, "w") as f:
        json.dump(trace, f)
    draw(spans, t0, cpus, png_path, title)
    counts = ", ".join(f"cpu {c}: {len(events[c])}" + (f" ({lost[c]} lost)" if lost.get(c) else "")
                       for c in range(cpus))
    print(f"trace: {counts} events; wrote {os.path.relpath(json_path, TOP)} and "
          f"{os.path.relpath(png_path, TOP)}")
    return cpus, events


def system_python_for_matplotlib():
    """python3-matplotlib is the distribution's: if this interpreter (a
    virtualenv, pyenv) cannot import it, run again under the system's."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        system = "/usr/bin/python3"
        if os.path.exists(system) and os.path.realpath(sys.executable) != os.path.realpath(system):
            os.execv(system, [system] + sys.argv)
        sys.exit("trace: python3-matplotlib is missing (make deps installs it)")


def main():
    system_python_for_matplotlib()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--board", required=True)
    ap.add_argument("--app", default="hello")
    ap.add_argument("--cpus", default="4")
    ap.add_argument("--append", default="")
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--make", default="make --no-print-directory")
    ap.add_argument("--log", help="read a console log with a dump instead of booting")
    args = ap.parse_args()
    if args.log:
        with open(args.log, errors="replace") as f:
            text = f.read()
    else:
        append = f"app={args.app} trace=on {args.append}".strip()
        cmd = subprocess.run(f"{args.make} -s BOARD={args.board} CPUS={args.cpus} APPEND='{append}' qemu-cmd",
                             shell=True, cwd=TOP, capture_output=True, text=True)
        if cmd.returncode != 0:
            sys.exit(f"trace: {cmd.stderr.strip()}")
        try:
            run = subprocess.run(cmd.stdout.strip(), shell=True, cwd=TOP, stdin=subprocess.DEVNULL,
                                 capture_output=True, timeout=args.timeout)
        except subprocess.TimeoutExpired:
            sys.exit(f"trace: the app did not end within {args.timeout}s")
        text = run.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
        with open(os.path.join(TOP, "build", args.board, "trace-console.log"), "w") as f:
            f.write(text)
        sys.stdout.write("".join(l + "\n" for l in text.splitlines() if "@TRACE" not in l))
    try:
        write_outputs(text, args.board, f"{args.app} on {args.board}, {args.cpus} cpus")
    except DumpError as e:
        sys.exit(f"trace: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
