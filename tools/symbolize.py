#!/usr/bin/env python3
"""Translate backtrace addresses in a panic or exception report to function
and file:line, using the ELF and the cross binutils' addr2line.

A backtrace line ("  #3 0x40081234", kernel/panic.c) gets " in fn at
file:line" appended (inlined callers too: "fn (inlined in outer)"). Every
other byte passes through unchanged.

    tools/symbolize.py --elf build/<board>/threadbare.elf < console.log
    tools/symbolize.py --elf ELF -- qemu-system-... (run QEMU, filter its
        output as it comes, keep the console interactive, exit with QEMU's
        status: what `make run` does)

As a module: Symbolizer(elf).annotate_text(text) for the test runner.
"""
import argparse
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FRAME = re.compile(rb"^(\s*#(\d+) )(0x[0-9a-fA-F]+)\s*$")
# A line that may still become a backtrace line: hold it back until it ends.
FRAME_PREFIX = re.compile(rb"^\s*(#(\d+( (0(x[0-9a-fA-F]*)?)?)?)?)?$")
EXCEPTION = re.compile(rb"unexpected exception on cpu")
PANIC = re.compile(rb"panic on cpu \d+ \(")
ADDR2LINE = {0xB7: "aarch64-linux-gnu-addr2line", 0x3E: "addr2line"}


def elf_machine(path):
    with open(path, "rb") as f:
        head = f.read(20)
    if head[:4] != b"\x7fELF":
        raise ValueError(f"{path} is not an ELF file")
    return int.from_bytes(head[18:20], "little")


class Symbolizer:
    """One addr2line process, asked address by address (-a marks where
    each answer starts, so inlined frames of any depth are read whole)."""

    def __init__(self, elf):
        tool = ADDR2LINE.get(elf_machine(elf), "addr2line")
        self.proc = subprocess.Popen([tool, "-a", "-f", "-i", "-e", elf], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)
        self.cache = {}
        self.exact_first = False   # in an exception report, #0 is the faulting pc

    def lookup(self, addr):
        """[(function, file:line)], innermost first; [] when unknown."""
        if addr in self.cache:
            return self.cache[addr]
        # The sentinel 0 ends the answer: its "0x000..." header follows ours.
        self.proc.stdin.write(f"{addr:#x}\n0\n")
        self.proc.stdin.flush()
        lines = []
        header = self.proc.stdout.readline()   # our address
        while True:
            line = self.proc.stdout.readline()
            if not line or re.fullmatch(r"0x0+\n", line):
                break
            lines.append(line.rstrip("\n"))
        self.proc.stdout.readline()
        self.proc.stdout.readline()            # the sentinel's ?? and ??:0
        frames = []
        for fn, where in zip(lines[0::2], lines[1::2]):
            if fn == "??":
                continue
            where = re.sub(r" \(discriminator \d+\)", "", where)
            if where.startswith(TOP + "/"):
                where = where[len(TOP) + 1:]
            frames.append((fn, where))
        self.cache[addr] = frames
        return frames

    def note(self, line):
        """Follow which kind of report the lines belong to."""
        if EXCEPTION.search(line):
            self.exact_first = True
        elif PANIC.search(line):
            self.exact_first = False

    def annotate(self, line):
        """line (bytes, without its end) with the frame's symbol appended."""
        self.note(line)
        m = FRAME.match(line)
        if not m:
            return line
        addr = int(m.group(3), 16)
        # A return address points after the call, maybe into the next
        # function (calls to noreturn functions end one): look up addr - 1.
        exact = m.group(2) == b"0" and self.exact_first
        frames = self.lookup(addr if exact else addr - 1)
        if not frames:
            return line
        fn, where = frames[0]
        text = f" in {fn} at {where}"
        for outer, outer_where in frames[1:]:
            text += f" (inlined in {outer} at {outer_where})"
        return line.rstrip() + text.encode()

    def annotate_text(self, text):
        """A whole console log (str)."""
        out = []
        for line in text.split("\n"):
            out.append(self.annotate(line.encode("utf-8", "replace")).decode("utf-8", "replace"))
        return "\n".join(out)


class StreamFilter:
    """Pass bytes through as they come; hold back only a partial line that
    could still turn out to be a backtrace line (so prompts and typing show
    at once), and annotate backtrace lines when they end."""

    def __init__(self, sym, write):
        self.sym, self.write = sym, write
        self.held = b""          # start of the current line, not yet written
        self.passing = False     # the current line is known not to be a frame

    def feed(self, data):
        while data:
            nl = data.find(b"\n")
            part, data = (data, b"") if nl < 0 else (data[:nl + 1], data[nl + 1:])
            if self.passing:
                self.write(part)
                if part.endswith(b"\n"):
                    self.passing = False
                continue
            line = self.held + part
            if part.endswith(b"\n"):
                self.held = b""
                body = line.rstrip(b"\r\n")
                self.write(self.sym.annotate(body) + line[len(body):])
            elif FRAME_PREFIX.match(line.rstrip(b"\r")):
                self.held = line
            else:
                self.sym.note(line)
                self.write(line)
                self.held = b""
                self.passing = True

    def flush(self):
        if self.held:
            self.write(self.held)
            self.held = b""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--elf", required=True)
    ap.add_argument("command", nargs=argparse.REMAINDER,
                    help="-- a command whose output to filter (default: stdin)")
    args = ap.parse_args()
    sym = Symbolizer(args.elf)
    out = sys.stdout.buffer

    def write(b):
        out.write(b)
        out.flush()

    filt = StreamFilter(sym, write)
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not cmd:
        for chunk in iter(lambda: sys.stdin.buffer.read1(4096), b""):
            filt.feed(chunk)
        filt.flush()
        return 0
    # The command keeps our stdin (the terminal): QEMU's console stays
    # interactive, and Ctrl-A X still reaches it.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    try:
        while True:
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            filt.feed(chunk)
    except KeyboardInterrupt:
        pass
    filt.flush()
    return proc.wait()


if __name__ == "__main__":
    sys.exit(main())
