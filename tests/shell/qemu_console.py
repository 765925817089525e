"""Drive a guest over QEMU's serial console: boot, wait for text, type.

Used by tests/shell/ and tools/trace.py. QEMU runs in its own session so a
hung guest can be killed whole; everything it prints is kept (CR LF
turned into LF) for the caller's logs.
"""
import os
import re
import signal
import subprocess
import threading
import time


class Console:
    def __init__(self, cmd, cwd):
        self.proc = subprocess.Popen(cmd, shell=True, cwd=cwd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.text = ""
        self.pos = 0              # expect() searches from here
        self.lock = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        carry = b""     # a CR at the end of a read may be half of a CR LF
        while True:
            data = self.proc.stdout.read1(4096)
            if not data:
                break
            data, carry = carry + data, b""
            if data.endswith(b"\r"):
                data, carry = data[:-1], b"\r"
            with self.lock:
                self.text += data.decode("utf-8", "replace").replace("\r\n", "\n")
                self.lock.notify_all()
        with self.lock:
            self.lock.notify_all()

    def expect(self, pattern, timeout=30):
        """The match of pattern after the last one, or None on timeout or exit."""
        rx = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                m = rx.search(self.text, self.pos)
                if m:
                    self.pos = m.end()
                    return m
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self.reader.is_alive()):
                    return None
                self.lock.wait(min(left, 0.2))

    def send(self, data):
        """Type data (str or bytes), a few bytes at a time, as a person would."""
        if isinstance(data, str):
            data = data.encode()
        try:
            for i in range(0, len(data), 8):
                self.proc.stdin.write(data[i:i + 8])
                self.proc.stdin.flush()
                time.sleep(0.01)
        except BrokenPipeError:
            pass

    def since(self, start):
        with self.lock:
            return self.text[start:]

    def wait(self, timeout):
        """QEMU's exit code, or None if it had to be killed."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.reader.join(5)
