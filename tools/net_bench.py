"""Network figures for `make bench`: guest instructions per UDP echo and per
HTTP request on a kept connection, under QEMU -icount with one CPU (so the
guest's clock, outside its idle thread, counts the instructions it ran).

The host drives the guest (the httpd app with the echo servers) through
user-network forwards, one request at a time, and reads the guest's
counters before and after (tests/net/guest.py):
  - busy_ns: every CPU's time outside its idle thread: all the work a
    request caused, interrupt to reply, stack, sockets and loop;
  - irq_to_tx_ns / irq_to_tx_count: from the device's interrupt to the
    first frame sent after it (the RX-interrupt-to-TX-notify path).
Reading the counters costs instructions too; that cost is measured (two
reads back to back) and subtracted.
"""
import os
import socket
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "net"))
from guest import Guest  # noqa: E402

ICOUNT = "-icount shift=0,align=off,sleep=off"


def _udp_echos(g, n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    payload = b"x" * 64
    for _ in range(n):
        s.sendto(payload, ("127.0.0.1", g.udp))
        if s.recvfrom(2048)[0] != payload:
            raise RuntimeError("udp echo: wrong payload")
    s.close()


def _http_gets(conn, path, n):
    req = f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()
    for _ in range(n):
        conn.sendall(req)
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += conn.recv(65536)
        head, body = buf.split(b"\r\n\r\n", 1)
        length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
        while len(body) < length:
            body += conn.recv(65536)


def _measure(g, overhead, run, n):
    before = g.counters()
    run(n)
    after = g.counters()
    busy = (after["busy_ns"] - before["busy_ns"] - overhead) / n
    pairs = after["irq_to_tx_count"] - before["irq_to_tx_count"]
    irq = (after["irq_to_tx_ns"] - before["irq_to_tx_ns"]) / pairs if pairs else 0
    return busy, irq


def net_benchmarks(make, board, n=1000):
    g = Guest(make, board, {"QEMU_EXTRA": ICOUNT}, cpus=1, label=" bench")
    if not g.start(timeout=300):
        g.stop()
        sys.exit(f"bench: the network guest did not come up:\n{g.console[-2000:]}")
    try:
        a, b = g.counters(), g.counters()
        overhead = b["busy_ns"] - a["busy_ns"]      # one counters read
        _udp_echos(g, 100)                          # warm up: ARP, caches
        udp_busy, udp_irq = _measure(g, overhead, lambda k: _udp_echos(g, k), n)
        conn = socket.create_connection(("127.0.0.1", g.http), timeout=10)
        _http_gets(conn, "/hello", 50)
        http_busy, http_irq = _measure(g, overhead, lambda k: _http_gets(conn, "/hello", k), n)
        page_busy, _ = _measure(g, overhead, lambda k: _http_gets(conn, "/status.txt", k), n // 10)
        conn.close()
    finally:
        g.stop()

    def fig(v, unit="instructions"):
        return {"value": int(round(v)), "unit": unit}
    return {
        "udp_echo_irq_to_tx": fig(udp_irq),
        "udp_echo_all_work": fig(udp_busy),
        "http_request_kept_irq_to_tx": fig(http_irq),
        "http_request_kept_all_work": fig(http_busy),
        "http_status_page_all_work": fig(page_busy),
    }
