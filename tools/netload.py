#!/usr/bin/env python3
"""Host-side network load for a guest behind QEMU user networking.

Drives the guest's UDP echo server (guest port 7) and HTTP responder (guest
port 80) through QEMU's host forwards and reports requests per second of
wall time. The same for any guest: the Linux peer (tools/bench_linux.py
--serve) now, threadbare's own servers when they land.

    tools/netload.py [--host 127.0.0.1] [--udp-port 5507] [--http-port 5580]
                     [--seconds 10] [--window 8] [--connections 4] [--quit]

UDP: `window` datagrams in flight, each a sequence number the echo must
carry back; a lost datagram is re-sent after a timeout and counted. HTTP:
`connections` keep-alive connections, each sending one request and reading
the whole response before the next. Writes one JSON object on stdout's
last line.
"""
import argparse
import json
import select
import socket
import struct
import sys
import threading
import time


def wait_ready(host, port, seconds):
    """Until a UDP echo comes back from the guest (it may still be booting)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.5)
    give_up = time.time() + seconds
    while time.time() < give_up:
        s.sendto(b"ping", (host, port))
        try:
            if s.recv(64) == b"ping":
                return True
        except OSError:
            pass
    return False


def udp_echo(host, port, seconds, window, size=64):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((host, port))
    s.setblocking(False)
    pad = b"x" * max(0, size - 8)
    sent_at = {}
    seq = done = resent = bad = 0
    start = time.time()
    end = start + seconds
    while True:
        now = time.time()
        if now >= end:
            break
        while len(sent_at) < window:
            s.send(struct.pack("<Q", seq) + pad)
            sent_at[seq] = now
            seq += 1
        r, _, _ = select.select([s], [], [], 0.05)
        if r:
            while True:
                try:
                    data = s.recv(2048)
                except BlockingIOError:
                    break
                except ConnectionRefusedError:	# ICMP from the forward: no guest yet
                    break
                n = struct.unpack("<Q", data[:8])[0] if len(data) == size else None
                if n in sent_at:
                    del sent_at[n]
                    done += 1
                else:
                    bad += 1
        for n, t in list(sent_at.items()):	# lost: send again, count it
            if now - t > 1.0:
                s.send(struct.pack("<Q", n) + pad)
                sent_at[n] = now
                resent += 1
    took = time.time() - start
    return {"requests": done, "seconds": round(took, 3), "requests_per_s": round(done / took, 1),
            "resent": resent, "unexpected": bad, "window": window, "bytes": size}


# A small fixed answer on both systems: threadbare's /hello ("hello\n"),
# the Linux peer's one response ("hello, world\n") whatever the path.
REQUEST = b"GET /hello HTTP/1.1\r\nHost: guest\r\nConnection: keep-alive\r\n\r\n"


def http_worker(host, port, end, out):
    done = errors = 0
    buf = b""
    s = None
    while time.time() < end:
        try:
            if s is None:
                s = socket.create_connection((host, port), timeout=5)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                buf = b""
            s.sendall(REQUEST)
            while b"\r\n\r\n" not in buf:
                chunk = s.recv(4096)
                if not chunk:
                    raise ConnectionError("closed by the guest")
                buf += chunk
            head, _, rest = buf.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                k, _, v = line.partition(b":")
                if k.strip().lower() == b"content-length":
                    length = int(v)
            while len(rest) < length:
                chunk = s.recv(4096)
                if not chunk:
                    raise ConnectionError("closed by the guest")
                rest += chunk
            if not head.startswith(b"HTTP/1.1 200"):
                errors += 1
            else:
                done += 1
            buf = rest[length:]
        except (OSError, ConnectionError, ValueError):
            errors += 1
            if s:
                s.close()
            s = None
            time.sleep(0.05)
    if s:
        s.close()
    out.append((done, errors))


def http_load(host, port, seconds, connections):
    out = []
    start = time.time()
    end = start + seconds
    threads = [threading.Thread(target=http_worker, args=(host, port, end, out)) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.time() - start
    done = sum(d for d, _ in out)
    return {"requests": done, "seconds": round(took, 3), "requests_per_s": round(done / took, 1),
            "errors": sum(e for _, e in out), "connections": connections}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--udp-port", type=int, default=5507)
    ap.add_argument("--http-port", type=int, default=5580)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--window", type=int, default=8, help="UDP datagrams in flight")
    ap.add_argument("--connections", type=int, default=4, help="HTTP keep-alive connections")
    ap.add_argument("--ready-timeout", type=float, default=600,
                    help="how long to wait for the guest's first echo")
    ap.add_argument("--quit", action="store_true", help="send the guest 'quit' on UDP when done")
    args = ap.parse_args()
    if not wait_ready(args.host, args.udp_port, args.ready_timeout):
        sys.exit(f"netload: no UDP echo from {args.host}:{args.udp_port}")
    results = {"udp_echo": udp_echo(args.host, args.udp_port, args.seconds, args.window),
               "http": http_load(args.host, args.http_port, args.seconds, args.connections)}
    print(f"netload: UDP echo {results['udp_echo']['requests_per_s']:,} requests/s "
          f"({results['udp_echo']['resent']} re-sent), HTTP {results['http']['requests_per_s']:,} "
          f"requests/s ({results['http']['errors']} errors)", file=sys.stderr)
    if args.quit:
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"quit", (args.host, args.udp_port))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
