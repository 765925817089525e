"""Raw Ethernet frames for the malformed-input tests: well-formed ones
built by hand (RFC 791, 768, 793 headers), then broken on purpose."""
import struct

SRC_MAC = bytes.fromhex("020000000099")
SRC_IP = "10.0.2.99"


def ip_bytes(a):
    return bytes(int(x) for x in a.split("."))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, payload, ethertype=0x0800):
    return dst + SRC_MAC + struct.pack("!H", ethertype) + payload


def ipv4(dst_ip, proto, payload, csum_bad=False, len_extra=0):
    total = 20 + len(payload) + len_extra
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0x1234, 0, 64, proto, 0,
                      ip_bytes(SRC_IP), ip_bytes(dst_ip))
    c = csum(hdr) ^ (0x5555 if csum_bad else 0)
    return hdr[:10] + struct.pack("!H", c) + hdr[12:] + payload


def pseudo(dst_ip, proto, length):
    return ip_bytes(SRC_IP) + ip_bytes(dst_ip) + struct.pack("!BBH", 0, proto, length)


def udp(dst_mac, dst_ip, port, data, ip_csum_bad=False, udp_csum_bad=False, ip_len_extra=0):
    length = 8 + len(data)
    hdr = struct.pack("!HHHH", 40000, port, length, 0)
    c = csum(pseudo(dst_ip, 17, length) + hdr + data) or 0xFFFF
    if udp_csum_bad:
        c = c ^ 0x00FF or 1
    seg = hdr[:6] + struct.pack("!H", c) + data
    return eth(dst_mac, ipv4(dst_ip, 17, seg, ip_csum_bad, ip_len_extra))


def truncated_ip(dst_mac):
    """An IPv4 ethertype with only 10 bytes of header (padded to the minimum
    Ethernet payload with zeros, as a NIC would): the header length field
    says 20, the frame's total-length field says 10."""
    hdr = struct.pack("!BBH", 0x45, 0, 10) + b"\0" * 6
    return eth(dst_mac, hdr)


def truncated_udp(dst_mac, dst_ip):
    """An IP datagram of protocol UDP with 4 bytes where the 8-byte header goes."""
    return eth(dst_mac, ipv4(dst_ip, 17, struct.pack("!HH", 40000, 7)))


def oversized(dst_mac, dst_ip, size=4000):
    """A frame far past the 1514 bytes of a 1500-byte MTU."""
    return udp(dst_mac, dst_ip, 7, b"O" * size)


def arp_announce(dst_mac, dst_ip):
    """An ARP reply telling the guest where SRC_IP is, so its answers to
    injected frames come back through the hub instead of waiting on ARP."""
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, SRC_MAC, ip_bytes(SRC_IP),
                      dst_mac, ip_bytes(dst_ip))
    return eth(dst_mac, arp, 0x0806)


def is_udp_reply(frame, port):
    """An IPv4/UDP frame to SRC_IP from the given source port?"""
    return (len(frame) >= 42 and frame[12:14] == b"\x08\x00" and frame[23] == 17 and
            frame[30:34] == ip_bytes(SRC_IP) and struct.unpack("!H", frame[34:36])[0] == port)


def icmp_echo(dst_mac, dst_ip, ident, data):
    """An ICMP echo request (RFC 792) from SRC_IP."""
    hdr = struct.pack("!BBHHH", 8, 0, 0, ident, 1)
    c = csum(hdr + data)
    return eth(dst_mac, ipv4(dst_ip, 1, hdr[:2] + struct.pack("!H", c) + hdr[4:] + data))


def is_icmp_reply(frame, ident, data):
    return (len(frame) >= 42 and frame[12:14] == b"\x08\x00" and frame[23] == 1 and
            frame[34] == 0 and struct.unpack("!H", frame[38:40])[0] == ident and frame.endswith(data))


def tcp_stray(dst_mac, dst_ip, port):
    """An ACK for no connection: a sequence number in no window the guest
    has, to a port nobody listens on (a listener answers a stray ACK with
    a reset without counting it; a closed port counts the drop)."""
    hdr = struct.pack("!HHIIBBHHH", 40001, port, 0xDEADBEEF, 0x12345678, 5 << 4, 0x10, 8192, 0, 0)
    c = csum(pseudo(dst_ip, 6, len(hdr)) + hdr)
    seg = hdr[:16] + struct.pack("!H", c) + hdr[18:]
    return eth(dst_mac, ipv4(dst_ip, 6, seg))
