"""A systemd-style notify socket for tests: binds an AF_UNIX SOCK_DGRAM socket at argv[1] and prints
each datagram as one JSON line {"t_ms": monotonic ms, "msg": text, "pid": sender pid}."""
import json
import socket
import struct
import sys
import time

path = sys.argv[1]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
# SO_PASSCRED: receive the sender's credentials, as systemd does to enforce NotifyAccess=main.
sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
print(json.dumps({"bound": path}), flush=True)
while True:
    data, ancdata, _flags, _addr = sock.recvmsg(4096, socket.CMSG_SPACE(12))
    pid = None
    for level, kind, cdata in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid, _uid, _gid = struct.unpack("iII", cdata[:12])
    print(json.dumps({"t_ms": time.monotonic() * 1000, "msg": data.decode(), "pid": pid}), flush=True)
