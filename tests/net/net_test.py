#!/usr/bin/env python3
"""Host-side network tests, driving a guest through QEMU user networking
with host forwards (tests/net/guest.py), on every virtio transport of a
board:

- 10,000 UDP datagrams of random sizes (1 to 1472 bytes) echoed byte-exact;
  any datagram lost must be explained by the guest's drop counters; 1,000
  more through an echo served by a kernel thread (sockets from outside the
  loop);
- 100 concurrent TCP connections, each echoing 1 MiB byte-exact;
- HTTP GETs of the status page (HTML, JSON, text), keep-alive, 404, and a
  malformed request answered 400;
- ICMP echo (ping) answered; DHCP on PCI, a static address on MMIO;
- a UDP burst that overflows the RX ring, after which the server answers;
- malformed frames put on the wire through a raw-frame socket on a hub
  (bad IP and UDP checksums, truncated headers, oversized frames, TCP
  segments out of window): dropped and counted, service continues.

Run by tests/run_target.py (make check); alone:
    tests/net/net_test.py --board qemu-virt-aarch64 [--only udp,tcp,...]
"""
import argparse
import json
import os
import random
import selectors
import socket
import struct
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from guest import Guest  # noqa: E402
import frames  # noqa: E402

GUEST_MAC = bytes.fromhex("525400123456")
GUEST_IP = "10.0.2.15"


def drops(c):
    """Every guest counter that explains a lost datagram."""
    keys = ["rx_nobuf", "tx_dropped", "dev_rx_dropped", "dev_tx_full", "ip_drop", "udp_drop",
            "sock_udp_rx_dropped", "mem_err", "link_drop"]
    return sum(c.get(k, 0) for k in keys)


def test_udp(g, n=10000, window=16, port=None):
    rng = random.Random(7)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
    s.settimeout(2.0)
    before = drops(g.counters())
    sent = {}
    seq = 0
    got = bad = 0
    lost = 0
    while seq < n or sent:
        while seq < n and len(sent) < window:
            size = rng.randint(1, 1472)
            payload = struct.pack("<I", seq)[:size] + rng.randbytes(max(0, size - 4))
            sent[seq] = payload
            s.sendto(payload, ("127.0.0.1", port or g.udp))
            seq += 1
        try:
            data, _ = s.recvfrom(2048)
        except socket.timeout:
            lost += len(sent)       # whatever is outstanding now will not come
            sent.clear()
            continue
        key = struct.unpack("<I", data[:4])[0] if len(data) >= 4 else None
        if key is None:     # 1-3 byte datagrams: match by content
            key = next((k for k, v in sent.items() if v == data), None)
        if key in sent and sent[key] == data:
            del sent[key]
            got += 1
        else:
            bad += 1
    s.close()
    explained = drops(g.counters()) - before
    ok = bad == 0 and got + lost == n and lost <= explained
    return ok, f"{got}/{n} echoed byte-exact, {bad} corrupt, {lost} lost, guest counted {explained} drops"


def test_udp_thread(g):
    """The same echo served by a kernel thread outside the loop: every
    socket call marshalled onto the loop."""
    return test_udp(g, n=1000, port=g.udp_thread)


def test_tcp(g, conns=100, size=1 << 20):
    rng = random.Random(11)
    sel = selectors.DefaultSelector()
    state = []
    for i in range(conns):
        c = socket.create_connection(("127.0.0.1", g.tcp), timeout=30)
        c.setblocking(False)
        st = {"sock": c, "data": rng.randbytes(size), "sent": 0, "recv": bytearray(), "i": i}
        state.append(st)
        sel.register(c, selectors.EVENT_READ | selectors.EVENT_WRITE, st)
    deadline = time.monotonic() + 180
    open_ = conns
    while open_ and time.monotonic() < deadline:
        for key, ev in sel.select(timeout=5):
            st = key.data
            c = st["sock"]
            if ev & selectors.EVENT_WRITE and st["sent"] < size:
                try:
                    st["sent"] += c.send(st["data"][st["sent"]:st["sent"] + 65536])
                except BlockingIOError:
                    pass
                if st["sent"] == size:
                    sel.modify(c, selectors.EVENT_READ, st)
            if ev & selectors.EVENT_READ:
                try:
                    d = c.recv(262144)
                except BlockingIOError:
                    continue
                if not d:
                    sel.unregister(c)
                    open_ -= 1
                    continue
                st["recv"] += d
                if len(st["recv"]) >= size:
                    sel.unregister(c)
                    open_ -= 1
    exact = sum(1 for st in state if bytes(st["recv"]) == st["data"])
    for st in state:
        st["sock"].close()
    return exact == conns, f"{exact}/{conns} connections echoed {size} bytes byte-exact"


def http(g, raw, keep=None):
    """Send raw request bytes, return the list of (status, headers, body)."""
    s = keep or socket.create_connection(("127.0.0.1", g.http), timeout=10)
    s.sendall(raw)
    out = []
    buf = b""
    while True:
        while b"\r\n\r\n" not in buf:
            d = s.recv(65536)
            if not d:
                return out, s
            buf += d
        head, buf = buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        status = int(lines[0].split()[1])
        hdrs = {k.lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
        n = int(hdrs.get("content-length", 0))
        while len(buf) < n:
            d = s.recv(65536)
            if not d:
                break
            buf += d
        out.append((status, hdrs, buf[:n]))
        buf = buf[n:]
        if raw.count(b"\r\n\r\n") == len(out) or hdrs.get("connection") == "close":
            return out, s


def test_http(g):
    problems = []
    (r,), s = http(g, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    if r[0] != 200 or b"threadbare" not in r[2] or b"cpus" not in r[2]:
        problems.append(f"GET / -> {r[0]}")
    # keep-alive: three more on the same connection, two of them pipelined
    (j,), s = http(g, b"GET /status.json HTTP/1.1\r\nHost: x\r\n\r\n", s)
    try:
        doc = json.loads(j[2])
        if len(doc["cpus"]) != 4 or doc["net"]["ip"] != GUEST_IP:
            problems.append("status.json content")
    except (ValueError, KeyError) as e:
        problems.append(f"status.json: {e}")
    rs, s = http(g, b"GET /status.txt HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\r\n\r\n", s)
    if [x[0] for x in rs] != [200, 404]:
        problems.append(f"pipelined -> {[x[0] for x in rs]}")
    s.close()
    (bad,), s = http(g, b"BLAH\r\n\r\n")
    s.close()
    if bad[0] != 400:
        problems.append(f"malformed request -> {bad[0]}")
    (post,), s = http(g, b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
    s.close()
    if post[0] != 405:
        problems.append(f"POST -> {post[0]}")
    return not problems, "; ".join(problems) or "GET /, /status.json, /status.txt, keep-alive, pipelining, 404, 400, 405"


def echo_once(g, payload=b"still there?", tries=5):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    try:
        for _ in range(tries):
            s.sendto(payload, ("127.0.0.1", g.udp))
            try:
                d, _ = s.recvfrom(2048)
                if d == payload:
                    return True
            except socket.timeout:
                pass
        return False
    finally:
        s.close()


def echo_raw(g, inj, tries=5):
    """A UDP echo through the raw-frame socket: the guest still answers on
    the wire. (Not through the user network: injected frames reach it too
    over the hub, and what it makes of a stranger's frames is its affair.)"""
    to = ("127.0.0.1", g.inject_qemu)
    inj.sendto(frames.arp_announce(GUEST_MAC, GUEST_IP), to)
    payload = b"still there? %d" % random.randrange(1 << 30)
    old = inj.gettimeout()
    inj.settimeout(1)
    try:
        for _ in range(tries):
            inj.sendto(frames.udp(GUEST_MAC, GUEST_IP, 7, payload), to)
            try:
                while True:
                    f = inj.recv(65536)
                    if frames.is_udp_reply(f, 7) and f.endswith(payload):
                        return True
            except socket.timeout:
                pass
        return False
    finally:
        inj.settimeout(old)


RX_RING = 256   # QEMU's virtio-net RX queue size (its rx_queue_size default)


def test_overflow(g, burst=3000):
    """Frames straight onto the wire (the hub) while the guest's loop is
    held busy (the echo app's `stall`), so the RX ring fills and the rest
    waits in, or is dropped by, QEMU. Whatever the guest received and did
    not answer it must have counted; afterwards it must still answer."""
    inj = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    inj.bind(("127.0.0.1", g.inject_host))
    inj.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 23)
    to = ("127.0.0.1", g.inject_qemu)
    inj.sendto(frames.arp_announce(GUEST_MAC, GUEST_IP), to)
    time.sleep(0.3)
    before = g.counters()
    frame = frames.udp(GUEST_MAC, GUEST_IP, 7, b"B" * 200)
    staller = threading.Thread(target=g.command, args=("stall 1500",))
    staller.start()
    time.sleep(0.3)     # the stall has begun
    for _ in range(burst):
        inj.sendto(frame, to)
        if _ % 200 == 199:
            time.sleep(0.02)    # let QEMU read its socket: the host's buffer is small
    staller.join()
    back = 0
    inj.settimeout(2)
    try:
        while True:
            if frames.is_udp_reply(inj.recv(65536), 7):
                back += 1
    except socket.timeout:
        pass
    after = g.counters()
    counted = drops(after) - drops(before)
    seen = after["udp_rx"] - before["udp_rx"]
    answers = echo_raw(g, inj)
    inj.close()
    unexplained = max(0, seen - back - counted)
    filled = seen >= RX_RING
    ok = answers and unexplained == 0 and filled
    return ok, (f"burst of {burst} frames during a 1.5 s stall: guest received {seen} (ring of {RX_RING} "
                f"{'filled' if filled else 'NOT filled'}), answered {back}, counted {counted} "
                f"drops (device rx dropped {after['dev_rx_dropped'] - before['dev_rx_dropped']}); "
                f"{'answers' if answers else 'NO ANSWER'} after")


def test_malformed(g):
    """Frames through the raw-frame socket on the hub, each kind checked
    against the counter that must move."""
    inj = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    inj.bind(("127.0.0.1", g.inject_host))
    inj.settimeout(0.2)
    cases = [
        ("bad IP checksum", frames.udp(GUEST_MAC, GUEST_IP, 7, b"x" * 20, ip_csum_bad=True), "ip_chkerr"),
        ("bad UDP checksum", frames.udp(GUEST_MAC, GUEST_IP, 7, b"y" * 20, udp_csum_bad=True), "udp_chkerr"),
        ("truncated IP header", frames.truncated_ip(GUEST_MAC), "ip_lenerr"),
        ("IP length beyond frame", frames.udp(GUEST_MAC, GUEST_IP, 7, b"z" * 20, ip_len_extra=200), "ip_lenerr"),
        ("truncated UDP header", frames.truncated_udp(GUEST_MAC, GUEST_IP), "udp_lenerr"),
        ("oversized frame", frames.oversized(GUEST_MAC, GUEST_IP), None),
        ("TCP segment out of window", frames.tcp_stray(GUEST_MAC, GUEST_IP, 7777), "tcp_drop"),
    ]
    problems = []
    for name, frame, counter in cases:
        before = g.counters()
        for _ in range(3):
            inj.sendto(frame, ("127.0.0.1", g.inject_qemu))
        time.sleep(0.5)
        after = g.counters()
        if counter and after.get(counter, 0) - before.get(counter, 0) < 3:
            problems.append(f"{name}: {counter} {before.get(counter)} -> {after.get(counter)}")
        if name == "oversized frame":
            moved = sum(after[k] - before[k] for k in ("dev_rx_errors", "dev_rx_dropped", "ip_lenerr",
                                                       "link_drop", "rx_nobuf", "ip_drop"))
            delivered = after["udp_rx"] - before["udp_rx"] - (after["udp_tx"] - before["udp_tx"])
            if not moved and delivered:
                problems.append("oversized frame: neither dropped nor counted")
        if not echo_raw(g, inj):
            problems.append(f"{name}: no echo afterwards")
            break
    inj.close()
    return not problems, "; ".join(problems) or f"{len(cases)} kinds dropped and counted, service continued"


def test_icmp(g, n=20):
    """ICMP echo (ping) through the raw-frame socket: every request answered
    with its identifier and data."""
    inj = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    inj.bind(("127.0.0.1", g.inject_host))
    inj.settimeout(1)
    to = ("127.0.0.1", g.inject_qemu)
    inj.sendto(frames.arp_announce(GUEST_MAC, GUEST_IP), to)
    answered = 0
    try:
        for i in range(n):
            data = b"ping %d " % i + bytes(range(32))
            inj.sendto(frames.icmp_echo(GUEST_MAC, GUEST_IP, 0x4242, data), to)
            try:
                while not frames.is_icmp_reply(inj.recv(65536), 0x4242, data):
                    pass
                answered += 1
            except socket.timeout:
                pass
    finally:
        inj.close()
    return answered == n, f"{answered}/{n} pings answered"


TESTS = {"udp": test_udp, "udp_thread": test_udp_thread, "tcp": test_tcp, "http": test_http, "icmp": test_icmp, "overflow": test_overflow,
         "malformed": test_malformed}


def configurations(make, board):
    """Every virtio transport the board offers; DHCP on PCI, the static
    configuration (the same address QEMU's DHCP server would give) on MMIO."""
    if board == "qemu-virt-aarch64":
        return [("", {}, ""), (" VIRTIO=mmio static-ip", {"VIRTIO": "mmio"}, "ip=10.0.2.15/24,gw=10.0.2.2")]
    return [("", {}, "")]


def run(results, make, board, only=None):
    for label, extra, append in configurations(make, board):
        tag = f"{board}{label} net"
        g = Guest(make, board, extra, inject=True, label=label, append=append)
        try:
            up = g.start()
            results.record(up, f"{tag} guest serves", "" if up else g.console[-2000:])
            if up and append:
                static = "net: static address 10.0.2.15" in g.console
                results.record(static, f"{tag} static configuration used", "" if static else g.console[-1500:])
            if not up:
                continue
            for name, fn in TESTS.items():
                if only and name not in only:
                    continue
                t0 = time.monotonic()
                try:
                    ok, detail = fn(g)
                except (OSError, ValueError, KeyError) as e:
                    ok, detail = False, f"{type(e).__name__}: {e}"
                ok = ok and g.alive()
                print(f"     {name}: {detail} ({time.monotonic() - t0:.1f}s)")
                results.record(ok, f"{tag} {name}", "" if ok else detail + "\n" + g.console[-1500:])
        finally:
            g.stop()
    if not only:
        bad_config(results, make, board)


def bad_config(results, make, board):
    """A malformed ip= is refused with a message naming the expected form,
    and the app exits non-zero instead of running unconfigured."""
    g = Guest(make, board, label=" bad-ip", append="ip=10.0.300.1/24")
    g.start(timeout=60)     # returns when QEMU exits
    deadline = time.monotonic() + 30
    while g.proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    code = g.proc.poll()
    g.stop()
    ok = "expected dhcp or A.B.C.D" in g.console and code not in (None, 0)
    results.record(ok, f"{board} net bad ip= refused, non-zero exit", "" if ok else f"exit {code}\n" + g.console[-800:])


def main():
    sys.path.insert(0, os.path.dirname(HERE))
    import run_target
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--board", required=True)
    ap.add_argument("--make", default="make --no-print-directory")
    ap.add_argument("--only", default="", help="comma-separated: " + ",".join(TESTS))
    args = ap.parse_args()
    results = run_target.Results()
    run(results, args.make, args.board, set(filter(None, args.only.split(","))))
    print(f"{results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
