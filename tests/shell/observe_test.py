#!/usr/bin/env python3
"""Host-side tests of the observability tools on one board, under QEMU:

- a scripted shell session over the serial console: every command, line
  editing (backspace, Ctrl-U, arrows, history), an unknown command and bad
  arguments, each answer checked; `reboot` and `poweroff` end a boot;
- `make trace`'s pipeline: an app run with trace=on, its dump parsed and
  checked (framing, CRC), trace.json loadable with events from every CPU,
  trace.png written;
- the gdb script in batch mode against a booted, halted guest: tb-threads
  lists the threads and parked coroutines with backtraces, tb-cpus the CPUs.

Run by tests/run_target.py (make check); alone:
    tests/shell/observe_test.py --board qemu-virt-aarch64
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(TOP, "tools"))
from qemu_console import Console  # noqa: E402
import trace as tb_trace  # noqa: E402  (tools/trace.py)

CPUS = 4
# The prompt that ends an answer: on a line of its own, the last thing
# printed (a redraw of the line being edited starts with CR instead).
PROMPT = r"^tb> \Z"
ESC = "\x1b"
COMMANDS = ["bench", "cpus", "gil", "help", "irq", "loop", "mem", "net", "poweroff", "ps", "reboot", "top",
            "trace"]


def qemu_cmd(make, board, append, extra=""):
    out = subprocess.run(f"{make} -s BOARD={board} CPUS={CPUS} APPEND='{append}' qemu-cmd",
                         shell=True, cwd=TOP, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr)
    return f"timeout 300 {out.stdout.strip()} {extra}".strip()


def save_log(board, name, text):
    d = os.path.join(TOP, "build", board, "logs")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name + ".log"), "w") as f:
        f.write(text)


def tail(text, n=15):
    return "\n".join("    | " + l for l in text.strip().splitlines()[-n:])


# (what to type, what the answer must hold, a name for the result)
SESSION = [
    ("help\r", [rf"^  {c} " for c in COMMANDS], "help lists every command"),
    ("cpus\r", [rf"^{i}\s+\S+\s+yes\s" for i in range(CPUS)] + [rf"^{CPUS}/{CPUS} cpus online$"],
     "cpus shows every CPU online"),
    ("ps\r", [r"^threads: \d+$", r"^  shell\s+running\s+\d+\s+2\s", r"^  main\s+blocked\s",
              r"^  idle0\s", r"^coroutines: \d+ alive$"], "ps lists threads and coroutines"),
    ("top 2 100\r", [r"^cpu\s+load$"] + [rf"^{i}\s+\d+%$" for i in range(CPUS)], "top 2 100 refreshes"),
    ("irq\r", [rf"^{i}\s+\d+$" for i in range(CPUS)] + [r"^total\s+\d+$"], "irq counts per CPU"),
    ("mem\r", [r"^ram\s+\d+ KiB$", r"^pages\s+\d+ KiB free of \d+ KiB", r"^heap\s+\d+ KiB free"],
     "mem shows RAM, pages and heap"),
    ("gil\r", [r"^gil: 0 domains$"], "gil reports the domains"),
    ("net\r", [r"^net: not started$"], "net reports the stack (not started by the shell app)"),
    ("loop\r", [r"^loop: no event loop runs"], "loop reports the network loop (none here)"),
    ("net now\r", [r"^net: takes no arguments$"], "bad argument (net): one line"),
    ("bench mutex\r", [r"^bench mutex_lock_unlock_uncontended \d+ "], "bench runs a named benchmark"),
    ("trace start\r", [r"^trace: recording$"], "trace start"),
    ("trace stop\r", [r"^trace: stopped$"], "trace stop"),
    ("frobnicate\r", [r"^shell: unknown command 'frobnicate' \(try 'help'\)$"], "unknown command: one line"),
    ("top sideways\r", [r"^usage: top \[count \[ms\]\]"], "bad argument (top): one line"),
    ("trace upward\r", [r"^usage: trace start\|stop\|dump$"], "bad argument (trace): one line"),
    ("bench no_such\r", [r"^bench: no benchmark named 'no_such'"], "bad argument (bench): one line"),
    ("cpus now\r", [r"^cpus: takes no arguments$"], "bad argument (cpus): one line"),
    # Line editing.
    ("hepl\x7f\x7flp\r", [r"^  trace "], "backspace edits the line"),
    ("garbage\x15irq\r", [r"^total\s+\d+$"], "Ctrl-U clears the line"),
    (f"cus{ESC}[D{ESC}[Dp\r", [rf"^{CPUS}/{CPUS} cpus online$"], "left arrow moves the cursor"),
    (f"gi{ESC}[D{ESC}[Cl\r", [r"^gil: 0 domains$"], "right arrow moves the cursor"),
    (f"{ESC}[A\r", [r"^gil: 0 domains$"], "up arrow recalls the last line"),
    (f"{ESC}[A{ESC}[A{ESC}[A{ESC}[B\r", [rf"^{CPUS}/{CPUS} cpus online$"], "up and down walk the history"),
]


def one_line_error(answer):
    """An error answer is one line, then the prompt."""
    return len([l for l in answer.strip("\n").splitlines() if l.strip()]) == 1


def shell_session(results, make, board):
    tag = f"{board} shell"
    con = Console(qemu_cmd(make, board, "app=shell"), TOP)
    try:
        if not con.expect(r"tb> \Z", 120):
            results.record(False, f"{tag} prompt", tail(con.text))
            return
        results.record(True, f"{tag} prompt")
        for typed, patterns, name in SESSION:
            start = len(con.text)
            con.send(typed)
            ok = con.expect(PROMPT, 60) is not None
            answer = con.since(start)
            # The echo and redraws of the typed line come first: look after them.
            body = answer.split("\n", 1)[1] if "\n" in answer else ""
            body = body.rsplit("tb> ", 1)[0]
            missing = [p for p in patterns if not re.search(p, body, re.M)]
            if ok and not missing and ("bad argument" in name or "unknown" in name):
                ok = one_line_error(body)
            results.record(ok and not missing, f"{tag} {name}",
                           f"missing {missing}\n{tail(answer)}" if missing or not ok else "")
        # top without a count refreshes until a key.
        start = len(con.text)
        con.send("top\r")
        shown = con.expect(r"^cpu\s+load.*\n(?:.*\n){%d}" % CPUS, 30) is not None
        con.send("q")
        back = con.expect(PROMPT, 30) is not None
        results.record(shown and back, f"{tag} top refreshes until a key is pressed",
                       f"table {shown}, prompt back {back}\n" + tail(con.since(start)))
        # The dump from the shell: framed, checksummed, parsed.
        start = len(con.text)
        con.send("trace dump\r")
        end = con.expect(r"@TRACE end events=\d+ crc=[0-9a-f]+", 120)
        con.expect(PROMPT, 30)
        try:
            cpus, events, names, lost = tb_trace.parse_dump(con.since(start))
            ok, detail = end is not None and cpus == CPUS, f"{cpus} cpus"
        except tb_trace.DumpError as e:
            ok, detail = False, str(e)
        results.record(ok, f"{tag} trace dump parses (framing, CRC)", detail if not ok else "")
        con.send("reboot\r")
        code = con.wait(60)
        results.record(code == 0 and "rebooting" in con.text, f"{tag} reboot ends the boot (-no-reboot)",
                       f"exit {code}\n{tail(con.text)}")
    finally:
        con.kill()
        save_log(board, "shell-session", con.text)
    con = Console(qemu_cmd(make, board, "app=shell"), TOP)
    try:
        ok = con.expect(r"tb> \Z", 120) is not None
        con.send("poweroff\r")
        code = con.wait(60)
        results.record(ok and code == 0 and "powering off" in con.text, f"{tag} poweroff exits 0",
                       f"exit {code}\n{tail(con.text)}")
    finally:
        con.kill()
        save_log(board, "shell-poweroff", con.text)


def trace_json(results, make, board):
    tag = f"{board} trace"
    cmd = qemu_cmd(make, board, "app=gil trace=on")
    run = subprocess.run(cmd, shell=True, cwd=TOP, stdin=subprocess.DEVNULL, capture_output=True)
    text = run.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
    save_log(board, "trace-gil", text)
    try:
        cpus, events, names, lost = tb_trace.parse_dump(text)
    except tb_trace.DumpError as e:
        results.record(False, f"{tag} dump parses", f"{e}\n{tail(text)}")
        return
    results.record(run.returncode == 0 and cpus == CPUS, f"{tag} dump parses (framing, CRC)",
                   f"exit {run.returncode}, {cpus} cpus")
    # The drawing needs the distribution's matplotlib: the tool finds it.
    log = os.path.join(TOP, "build", board, "logs", "trace-gil.log")
    for f in ("trace.json", "trace.png"):
        if os.path.exists(os.path.join(TOP, "build", board, f)):
            os.remove(os.path.join(TOP, "build", board, f))
    draw = subprocess.run([sys.executable, os.path.join(TOP, "tools", "trace.py"), "--board", board,
                           "--log", log], cwd=TOP, capture_output=True, text=True)
    results.record(draw.returncode == 0, f"{tag} tools/trace.py writes the outputs",
                   draw.stdout + draw.stderr)
    if draw.returncode:
        return
    path = os.path.join(TOP, "build", board, "trace.json")
    with open(path) as f:
        trace = json.load(f)
    evs = trace["traceEvents"]
    lanes = {e["tid"] for e in evs if e.get("ph") in ("X", "i") and e["tid"] < 1000}
    results.record(lanes == set(range(CPUS)), f"{tag} trace.json holds events from every CPU",
                   f"lanes with events: {sorted(lanes)}")
    kinds = {e.get("cat") for e in evs}
    results.record({"thread", "wake", "block", "gil"} <= kinds, f"{tag} switches, wakes, blocks, hand-offs",
                   f"categories: {sorted(k for k in kinds if k)}")
    png = os.path.join(TOP, "build", board, "trace.png")
    with open(png, "rb") as f:
        results.record(f.read(8) == b"\x89PNG\r\n\x1a\n", f"{tag} trace.png drawn")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def gdb_batch(results, make, board):
    tag = f"{board} gdb"
    port = free_port()
    con = Console(qemu_cmd(make, board, "app=selftest test=debug_parked_coroutines",
                           f"-gdb tcp:127.0.0.1:{port}"), TOP)
    try:
        if not con.expect(r"parked for the debugger", 120):
            results.record(False, f"{tag} guest ready", tail(con.text))
            return
        elf = os.path.join(TOP, "build", board, "threadbare.elf")
        g = subprocess.run(["timeout", "120", "gdb-multiarch", "-nx", "-batch", "-ex", "set pagination off",
                            "-ex", f"file {elf}", "-ex", f"source {TOP}/tools/gdb/threadbare.py",
                            "-ex", f"target remote 127.0.0.1:{port}", "-ex", "tb-threads", "-ex", "tb-cpus"],
                           cwd=TOP, capture_output=True, text=True)
        out = g.stdout + g.stderr
        save_log(board, "gdb-batch", out)
        want = [r"^thread 'main' state=\w+ cpu=\d+", rf"^thread 'idle{CPUS - 1}' state=running",
                r"^thread 'coro-worker0' ", r"in sched_block at kernel/sched\.c:\d+",
                r"^\d+ threads$"]
        missing = [p for p in want if not re.search(p, out, re.M)]
        results.record(not missing, f"{tag} tb-threads lists the threads with backtraces",
                       f"missing {missing}\n{tail(out, 30)}")
        parked = re.findall(r"^coroutine 'gdb-parked' state=parked worker=\d+ .*\n    saved context:\n"
                            r"(?:      #\d+ .*\n)*?      #\d+ 0x[0-9a-f]+ in wg_wait", out, re.M)
        results.record(len(parked) == 2, f"{tag} tb-threads lists parked coroutines, backtrace to wg_wait",
                       f"{len(parked)} found\n{tail(out, 30)}")
        cpus = re.findall(r"^cpu \d+: hwid=0x[0-9a-f]+ online=yes thread='[^']+' .* pc=0x[0-9a-f]+ in \w+",
                          out, re.M)
        results.record(len(cpus) == CPUS and f"{CPUS} cpus" in out, f"{tag} tb-cpus lists every CPU",
                       tail(out, 10))
    finally:
        con.kill()
        save_log(board, "gdb-guest", con.text)


def run(results, make, board):
    shell_session(results, make, board)
    trace_json(results, make, board)
    gdb_batch(results, make, board)


def main():
    sys.path.insert(0, os.path.join(TOP, "tests"))
    from run_target import Results
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--board", required=True)
    ap.add_argument("--make", default="make --no-print-directory")
    args = ap.parse_args()
    results = Results()
    run(results, args.make, args.board)
    print(f"{results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
