#!/usr/bin/env python3
"""Packet capture for a conformance run, started in the router's namespace by
harness.js. One AF_PACKET socket (no promiscuous mode) sees every IPv4 and ARP
frame on every interface of the namespace: the router's bridges (what the router's
own stack takes in and puts out) and the veth ports of the hosts (each host's
wire, the other end of its eth0). Kernel timestamps (SO_TIMESTAMPNS).

  capture.py     prints {"ready": true}, then one JSON line per IPv4 frame
                 until SIGTERM: t (s), ifname, pkttype, dmac, ttl, proto,
                 src, dst, and per protocol the ports, TCP flags and payload
                 length, ICMP type/code and the quoted header. An ARP frame
                 is a line with proto "arp", op (1 request, 2 reply), src and
                 dst (sender and target IP): harness.js watches it to know
                 when the wire is quiet (a neighbour being resolved is not
                 quiet); the fixtures do not keep it (normalizePackets).
                 A line "mark" on stdin is answered, after every frame the
                 socket already holds has been printed, with {"mark": t}
                 (t: now, in the clock of the frames' timestamps): the
                 harness's proof that no frame seen before t is still in a
                 buffer somewhere when it decides the wire is quiet.
"""
import json, os, select, signal, socket, struct, sys, time

ETH_P_ALL = 0x0003
SO_TIMESTAMPNS = 35
PACKET_NAMES = {0: "host", 1: "broadcast", 2: "multicast", 3: "otherhost", 4: "outgoing"}
TCP_FLAGS = [(0x02, "syn"), (0x04, "rst"), (0x01, "fin"), (0x08, "psh"), (0x10, "ack")]

def ip4(b):
    return socket.inet_ntoa(b)

def transport(proto, seg):
    """Ports and flags of a TCP/UDP header (seg may be only the quoted 8 bytes)."""
    out = {}
    if proto in (6, 17) and len(seg) >= 4:
        out["sport"], out["dport"] = struct.unpack("!HH", seg[:4])
    if proto == 6 and len(seg) >= 14:
        flags = seg[13]
        out["flags"] = [n for bit, n in TCP_FLAGS if flags & bit]
    return out

def parse(frame):
    if len(frame) >= 42 and frame[12:14] == b"\x08\x06":
        arp = frame[14:]
        return {"dmac": frame[0:6].hex(":"), "proto": "arp", "op": struct.unpack("!H", arp[6:8])[0],
                "src": ip4(arp[14:18]), "dst": ip4(arp[24:28])}
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return None
    dmac = frame[0:6].hex(":")
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    total = struct.unpack("!H", ip[2:4])[0]
    proto = ip[9]
    rec = {"dmac": dmac, "ttl": ip[8], "proto": {6: "tcp", 17: "udp", 1: "icmp"}.get(proto, str(proto)),
           "src": ip4(ip[12:16]), "dst": ip4(ip[16:20])}
    body = ip[ihl:total]
    if proto == 6 and len(body) >= 20:
        rec.update(transport(6, body))
        doff = (body[12] >> 4) * 4
        rec["length"] = len(body) - doff
    elif proto == 17 and len(body) >= 8:
        rec.update(transport(17, body))
        rec["length"] = len(body) - 8
    elif proto == 1 and len(body) >= 4:
        rec["type"], rec["code"] = body[0], body[1]
        inner = body[8:]
        if rec["type"] in (3, 5, 11, 12) and len(inner) >= 20:
            iihl = (inner[0] & 0x0F) * 4
            iproto = inner[9]
            q = {"proto": {6: "tcp", 17: "udp", 1: "icmp"}.get(iproto, str(iproto)),
                 "src": ip4(inner[12:16]), "dst": ip4(inner[16:20])}
            q.update({k: v for k, v in transport(iproto, inner[iihl:iihl + 8]).items() if k != "flags"})
            rec["inner"] = q
        if rec["type"] == 5 and len(body) >= 8:
            rec["gateway"] = ip4(body[4:8])
    return rec

def main():
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    sys.stdout.write(json.dumps({"ready": True}) + "\n")
    sys.stdout.flush()
    stdin = sys.stdin.fileno()
    watched = [s, stdin]
    while True:
        ready, _, _ = select.select(watched, [], [])
        if s in ready:
            read_frame(s, 0)
        if stdin in ready:
            line = os.read(stdin, 4096)
            if not line:
                watched = [s]  # the harness closed stdin: frames only
                continue
            # Stamp first, then drain: every frame stamped before t is printed before the mark.
            t = time.time()
            while read_frame(s, socket.MSG_DONTWAIT):
                pass
            sys.stdout.write(json.dumps({"mark": t}) + "\n")
            sys.stdout.flush()

def read_frame(s, flags):
    """Print one frame from the socket; False when none is waiting (MSG_DONTWAIT)."""
    try:
        data, anc, _flags, addr = s.recvmsg(65535, socket.CMSG_SPACE(16), flags)
    except BlockingIOError:
        return False
    rec = parse(data)
    if rec is None:
        return True
    t = None
    for level, kind, value in anc:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
            sec, nsec = struct.unpack("qq", value[:16])
            t = sec + nsec / 1e9
    rec["t"] = t
    rec["ifname"] = addr[0]
    rec["pkttype"] = PACKET_NAMES.get(addr[2], str(addr[2]))
    sys.stdout.write(json.dumps(rec) + "\n")
    sys.stdout.flush()
    return True

if __name__ == "__main__":
    main()
