#!/usr/bin/env python3
"""`make bench-linux`: the Linux peer's figures for one board.

Boots Debian's own kernel (fetched by `make deps` into build/linux/<arch>/)
in the QEMU machine threadbare's bench uses (same machine, CPU model,
memory, CPU count and -icount settings; the board's serial as the console),
with an initramfs whose /init is tools/linux-peer/ (built static with the
distribution's compilers). Its figures print in threadbare's bench format;
this writes build/<board>/bench-linux.json.

    tools/bench_linux.py --board qemu-q35-x86_64
    tools/bench_linux.py --board qemu-virt-aarch64 --serve   # net servers, for tools/netload.py
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (one parser and one runner for both systems)

TOP = bench.TOP
CONSOLE = {"x86_64": "ttyS0", "aarch64": "ttyAMA0"}
# Under -icount, QEMU's round-robin vCPUs and Linux's x86 secondary-CPU
# bring-up deadlock: the boot stops after "x86: Booting SMP configuration"
# (lpj= and nohz=off do not help; without -icount it boots). So on x86 Linux
# brings up only its boot CPU, in the same 4-CPU machine; the cross-CPU
# figures are not measured there (docs/benchmarks.md).
KERNEL_EXTRA = {"x86_64": " maxcpus=1", "aarch64": ""}
# What the virtio-net driver needs, on either transport; the rest of each
# one's dependencies come from the modules' own .modinfo.
NET_MODULES = ("virtio_net", "virtio_pci", "virtio_mmio")
# QEMU user networking: the guest's ports 7 (UDP) and 80 (TCP) forwarded
# from these host ports (tools/netload.py's defaults).
HOST_UDP, HOST_TCP = 5507, 5580


def board_arch(make, board):
    code, text = bench.run(f"{make} -s BOARD={board} print-newlib")
    return text.split()[0]


def kernel_dir(arch):
    d = os.path.join(TOP, "build", "linux", arch)
    if not os.path.exists(os.path.join(d, "vmlinuz")):
        sys.exit(f"bench-linux: no kernel in {os.path.relpath(d, TOP)}: run 'make deps'")
    return d


def build_peer(arch):
    out = os.path.join("build", "linux", arch)
    code, text = bench.run(f"make --no-print-directory -s -f tools/linux-peer/Makefile ARCH={arch} OUT={out}")
    if code != 0:
        sys.exit(f"bench-linux: building the peer failed:\n{text}")
    return os.path.join(TOP, out, "peer")


def modinfo(path):
    with open(path, "rb") as f:
        data = f.read()
    m = re.search(rb"\0depends=([^\0]*)\0", data) or re.search(rb"^depends=([^\0]*)\0", data)
    return [d for d in m.group(1).decode().split(",") if d] if m else []


def module_order(moddir, names):
    """Paths (relative to moddir) of the named modules and everything they
    depend on, dependencies first."""
    where = {}
    for root, _, files in os.walk(moddir):
        for f in files:
            if f.endswith(".ko"):
                where[f[:-3].replace("-", "_")] = os.path.relpath(os.path.join(root, f), moddir)
    order = []

    def visit(name):
        name = name.replace("-", "_")
        if name in order or name not in where:
            return
        for dep in modinfo(os.path.join(moddir, where[name])):
            visit(dep)
        order.append(name)
    for n in names:
        visit(n)
    return [where[n] for n in order]


class Cpio:
    """An uncompressed newc archive, written directly so that /dev/console
    needs no mknod (and no root) on the host."""

    def __init__(self):
        self.out = bytearray()
        self.ino = 1

    def add(self, name, mode, data=b"", rdev=(0, 0)):
        fields = [self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0]
        self.ino += 1
        self.out += b"070701" + b"".join(b"%08X" % v for v in fields) + name.encode() + b"\0"
        self.out += b"\0" * (-len(self.out) % 4) + data
        self.out += b"\0" * (-len(self.out) % 4)

    def finish(self):
        self.add("TRAILER!!!", 0)
        return bytes(self.out)


def build_initramfs(arch, peer, kdir):
    moddir = os.path.join(kdir, "modules")
    mods = module_order(moddir, NET_MODULES)
    c = Cpio()
    for d in ("dev", "proc", "sys", "lib", "lib/modules"):
        c.add(d, 0o040755)
    c.add("dev/console", 0o020600, rdev=(5, 1))
    with open(peer, "rb") as f:
        c.add("init", 0o100755, f.read())
    for m in mods:
        with open(os.path.join(moddir, m), "rb") as f:
            c.add("lib/modules/" + os.path.basename(m), 0o100644, f.read())
    order = "".join(f"/lib/modules/{os.path.basename(m)}\n" for m in mods)
    c.add("modules.order", 0o100644, order.encode())
    path = os.path.join(kdir, "initramfs.cpio")
    with open(path, "wb") as f:
        f.write(c.finish())
    return path


def qemu_cmd(make, board, cpus, arch, kdir, initramfs, mode, extra="", net=False, netdev="virtio-net-pci"):
    """threadbare's own QEMU command line for the board, with the kernel,
    initramfs and command line swapped in."""
    # The board's own NIC (the same machine as threadbare's), with the
    # forwards on it when the network is measured.
    fwd = f" NET_FWD='{net_fwd()}'" if net else ""
    code, cmd = bench.run(f"{make} -s BOARD={board} CPUS={cpus}{fwd} qemu-cmd")
    cmd = cmd.strip()
    if code != 0 or " -kernel " not in cmd:
        sys.exit(f"bench-linux: no QEMU command for {board}:\n{cmd}")
    cmd = re.sub(r"-kernel \S+", f"-kernel {shlex.quote(os.path.join(kdir, 'vmlinuz'))} "
                 f"-initrd {shlex.quote(initramfs)}", cmd)
    cmd += f" -append 'console={CONSOLE[arch]} quiet bench={mode}{KERNEL_EXTRA[arch]}'"
    return cmd + " " + extra


def net_fwd():
    """The guest's UDP 7 and TCP 80 forwarded from HOST_UDP and HOST_TCP
    (tools/netload.py's defaults), as the Makefile's NET_FWD, for either system."""
    return f"hostfwd=udp:127.0.0.1:{HOST_UDP}-:7,hostfwd=tcp:127.0.0.1:{HOST_TCP}-:80"


def image_bytes(kdir, initramfs):
    vmlinuz = os.path.realpath(os.path.join(kdir, "vmlinuz"))
    return {"kernel_image": os.path.getsize(vmlinuz), "initramfs": os.path.getsize(initramfs),
            "init_program": os.path.getsize(os.path.join(kdir, "peer"))}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--board", required=True)
    ap.add_argument("--make", default="make --no-print-directory")
    ap.add_argument("--cpus", type=int, default=4)
    ap.add_argument("--serve", action="store_true",
                    help="boot the UDP echo and HTTP servers with host forwards and wait")
    ap.add_argument("--netdev", default="virtio-net-pci", help="QEMU's virtio-net device model")
    ap.add_argument("--timeout", type=int, default=1200)
    args = ap.parse_args()
    arch = board_arch(args.make, args.board)
    kdir = kernel_dir(arch)
    peer = build_peer(arch)
    initramfs = build_initramfs(arch, peer, kdir)
    if args.serve:
        cmd = qemu_cmd(args.make, args.board, args.cpus, arch, kdir, initramfs, "net",
                       bench.ICOUNT, net=True, netdev=args.netdev)
        print(f"bench-linux: {cmd}", flush=True)
        os.execvp("timeout", ["timeout", str(args.timeout), "sh", "-c", cmd])
    with open(os.path.join(kdir, ".version")) as f:
        version = f.read().split()
    results = {"board": args.board, "system": "linux", "kernel_package": version[0],
               "kernel_version": version[1], "image_bytes": image_bytes(kdir, initramfs)}
    text = bench.run_checked(qemu_cmd(args.make, args.board, args.cpus, arch, kdir, initramfs,
                                      "ops", bench.ICOUNT), "the Linux peer", args.timeout)
    os.makedirs(os.path.join(TOP, "build", args.board), exist_ok=True)
    with open(os.path.join(TOP, "build", args.board, "bench-linux-console.txt"), "w") as f:
        f.write(text)
    figures = bench.parse_figures(text)
    results["boot_instructions_to_app"] = {str(args.cpus): figures.pop("boot_to_app_first_line")["value"]}
    results["threads"] = figures
    results["console"] = [l for l in text.splitlines() if l.startswith("peer:")]
    online = re.search(r"^peer: .*; (\d+) cpus", text, re.M)
    results["linux_cpus_online"] = int(online.group(1)) if online else None
    results["kernel_command_line_extra"] = KERNEL_EXTRA[arch].strip()
    wall = bench.run_checked(qemu_cmd(args.make, args.board, args.cpus, arch, kdir, initramfs,
                                      "speedup", "-accel tcg,thread=multi"), "the Linux peer", args.timeout)
    results["speedup_wall_time"] = bench.speedup_ratios(wall)

    print(f"Linux peer on {args.board} ({version[0]} {version[1]}; QEMU {bench.ICOUNT})")
    bench.print_table(results)
    path = os.path.join(TOP, "build", args.board, "bench-linux.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(results, f, indent=2)
    print(f"written {os.path.relpath(path, TOP)}")


if __name__ == "__main__":
    main()
