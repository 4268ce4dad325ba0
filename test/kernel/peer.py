#!/usr/bin/env python3
"""The applications of a conformance run, started inside a host's network
namespace by harness.js. Plain BSD sockets so that what the client reports is
exactly what connect()/recv() returned (errno), as the simulator's outcome is
defined: the client application's view.

  peer.py serve tcp|udp PORT    prints "ready", then one JSON line per peer seen
  peer.py connect tcp|udp IP PORT SPORT   prints one JSON line {outcome, errno}
"""
import errno, json, socket, sys

LINE = b"hello from the server\n"

def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()

def serve(proto, port):
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(socket.AF_INET, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    if proto == "tcp":
        s.listen(16)
    out({"ready": True})
    while True:
        if proto == "tcp":
            c, addr = s.accept()
            out({"saw": "%s:%d" % addr})
            # The exchange: the server sends one line and closes.
            try:
                c.sendall(LINE)
            except OSError:
                pass
            c.close()
        else:
            data, addr = s.recvfrom(2048)
            out({"saw": "%s:%d" % addr})
            s.sendto(LINE, addr)

def outcome_of(code):
    if code == errno.ECONNREFUSED or code == errno.ECONNRESET:
        return "refused"
    if code == errno.ETIMEDOUT:
        return "timeout"
    return "unreachable"

def connect(proto, ip, port, sport, udp_wait):
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(socket.AF_INET, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", sport))
    if proto == "tcp":
        try:
            s.connect((ip, port))  # blocking: SYN retries come from net.ipv4.tcp_syn_retries
        except OSError as e:
            out({"outcome": outcome_of(e.errno), "errno": errno.errorcode.get(e.errno, str(e.errno))})
            return
        s.settimeout(5)
        try:
            while s.recv(4096):
                pass
        except OSError:
            pass
        s.close()
        out({"outcome": "established"})
        return
    # UDP: connect() so the socket only takes its peer's datagrams and hears ICMP errors.
    try:
        s.connect((ip, port))
        s.send(b"ping\n")
    except OSError as e:
        out({"outcome": outcome_of(e.errno), "errno": errno.errorcode.get(e.errno, str(e.errno))})
        return
    s.settimeout(udp_wait)
    try:
        s.recv(4096)
        out({"outcome": "established"})
    except socket.timeout:
        out({"outcome": "timeout"})
    except OSError as e:
        out({"outcome": outcome_of(e.errno), "errno": errno.errorcode.get(e.errno, str(e.errno))})

if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        connect(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]) if len(sys.argv) > 6 else 4.0)
