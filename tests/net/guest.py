"""A network guest for the host-side tests: boots the httpd app (with the
echo servers) under QEMU with user-network host forwards on free ports,
and optionally a raw-frame socket (NET_INJECT) on a hub beside them.
"""
import os
import re
import socket
import subprocess
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Guest:
    def __init__(self, make, board, extra=None, inject=False, cpus=4, label="", append=""):
        self.board = board
        self.label = label
        self.udp = free_port(socket.SOCK_DGRAM)
        self.udp_thread = free_port(socket.SOCK_DGRAM)
        self.tcp = free_port()
        self.counters_port = free_port()
        self.http = free_port()
        fwd = ",".join([f"hostfwd=udp:127.0.0.1:{self.udp}-:7", f"hostfwd=udp:127.0.0.1:{self.udp_thread}-:8",
                        f"hostfwd=tcp:127.0.0.1:{self.tcp}-:7",
                        f"hostfwd=tcp:127.0.0.1:{self.counters_port}-:9",
                        f"hostfwd=tcp:127.0.0.1:{self.http}-:80"])
        variables = dict(extra or {}, CPUS=cpus, NET_FWD=fwd, APPEND=f"app=httpd echo=on {append}".strip())
        if inject:
            self.inject_qemu = free_port(socket.SOCK_DGRAM)
            self.inject_host = free_port(socket.SOCK_DGRAM)
            # QEMU sends to udp=, listens on localaddr=.
            variables["NET_INJECT"] = f"{self.inject_host}:{self.inject_qemu}"
        args = " ".join(f"{k}='{v}'" for k, v in variables.items())
        out = subprocess.run(f"{make} -s BOARD={board} {args} qemu-cmd", shell=True, cwd=TOP,
                             capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError(out.stderr)
        self.cmd = out.stdout.strip()
        self.console = ""
        self.proc = None

    def start(self, timeout=90):
        self.proc = subprocess.Popen(self.cmd, shell=True, cwd=TOP, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "httpd: serving" in self.console and "echo: serving" in self.console:
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.2)
        return False

    def _read(self):
        for chunk in iter(lambda: self.proc.stdout.read1(4096), b""):
            self.console += chunk.decode("utf-8", "replace")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()
        log_dir = os.path.join(TOP, "build", self.board, "logs")
        os.makedirs(log_dir, exist_ok=True)
        name = "net" + self.label.replace(" ", "_").replace("=", "-")
        with open(os.path.join(log_dir, name + ".log"), "w") as f:
            f.write(f"# {self.cmd}\n{self.console}")

    def alive(self):
        return self.proc.poll() is None and "panic" not in self.console

    def command(self, line):
        """One command on the echo app's test port (TCP 9): its answer."""
        with socket.create_connection(("127.0.0.1", self.counters_port), timeout=10) as s:
            s.sendall(line.encode() + b"\n")
            data = b""
            while True:
                d = s.recv(4096)
                if not d:
                    break
                data += d
        return data.decode()

    def counters(self):
        """The guest's network counters."""
        return {k: int(v) for k, v in re.findall(r"^(\w+) (\d+)$", self.command("counters"), re.M)}
