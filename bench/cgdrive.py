#!/usr/bin/env python3
# Fixed-count load for bench/callgrind.sh (wrk only runs for a duration).
"""cgdrive.py HOST:PORT MODE N CONNS TAG: N GETs over CONNS keep-alive raw sockets, round robin,
each answered in full before the next on that connection. MODE miss: /bytes/1024/cg<TAG>-<i>;
MODE hot: /bytes/1024/0. Exits 1 on a non-200 or wrong length."""
import socket, sys
hp, mode, n, conns, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
host, port = hp.rsplit(":", 1)
socks = [socket.create_connection((host, int(port))) for _ in range(conns)]
bufs = [b""] * conns
def read_resp(i):
    s = socks[i]; b = bufs[i]
    while b"\r\n\r\n" not in b:
        c = s.recv(65536)
        if not c: raise SystemExit("closed")
        b += c
    head, _, rest = b.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    cl = 0
    for l in lines[1:]:
        k, _, v = l.partition(b":")
        if k.strip().lower() == b"content-length": cl = int(v)
    while len(rest) < cl:
        c = s.recv(65536)
        if not c: raise SystemExit("closed")
        rest += c
    bufs[i] = rest[cl:]
    return status, cl
bad = 0
for k in range(0, n, conns):
    batch = range(min(conns, n - k))
    for i in batch:
        path = f"/bytes/1024/cg{tag}-{k+i}" if mode == "miss" else "/bytes/1024/0"
        socks[i].sendall(f"GET {path} HTTP/1.1\r\nHost: {hp}\r\nUser-Agent: drive\r\nAccept: */*\r\n\r\n".encode())
    for i in batch:
        st, cl = read_resp(i)
        if st != 200 or cl != 1024: bad += 1
print(f"{n} requests, {bad} bad")
sys.exit(1 if bad else 0)
