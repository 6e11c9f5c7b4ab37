#!/usr/bin/env python3
# pg-proxy.py: a TCP proxy before a PostgreSQL server's Unix socket that
# loses a COMMIT's connection once, on purpose (t/9011-pg-retry.bats).
#
#   pg-proxy.py SOCKET PORTFILE LOG MODE [ARM]
#
# Listens on 127.0.0.1, a port the kernel picks, written to PORTFILE once
# it listens; each connection is passed on to SOCKET as it is, in both
# directions. The first connection that sends a statement whose text
# holds ARM (a Query or a Parse; any, when ARM is empty) has its next
# COMMIT lost, as MODE says:
#
#   after    COMMIT goes to the server, which answers it (ReadyForQuery
#            seen), then both sides are closed: the answer never reaches
#            the client. The transaction is stored; the client can't know.
#   before   both sides are closed at once: COMMIT never reaches the
#            server, which rolls the transaction back.
#   refuse   as after, and from then on every connection is refused:
#            nobody can ask the server what came of it.
#   mid      both sides are closed at the statement that arms it, which
#            never reaches the server: a connection lost inside the
#            transaction, before its COMMIT.
#
# It happens once; LOG then says "lost MODE COMMIT" (mid: "lost the
# connection at STATEMENT"). Connections must not
# ask for SSL or GSS encryption (sslmode=disable&gssencmode=disable): the
# messages are read in the clear. Standard library only.
import os
import select
import socket
import struct
import sys
import threading

sock_path, port_file, log_path, mode = sys.argv[1:5]
arm = sys.argv[5].encode() if len(sys.argv) > 5 else b""
lock = threading.Lock()
fired = False
refusing = False


def log(msg):
    with open(log_path, "a") as f:
        f.write(msg + "\n")


def messages(buf, typed):
    """Whole messages at the start of buf: (list of (type, body), rest)."""
    out = []
    while True:
        if typed:
            if len(buf) < 5:
                break
            t, n = buf[:1], struct.unpack("!I", buf[1:5])[0]
            if len(buf) < 1 + n:
                break
            out.append((t, buf[5:1 + n]))
            buf = buf[1 + n:]
        else:
            if len(buf) < 4:
                break
            n = struct.unpack("!I", buf[:4])[0]
            if len(buf) < n:
                break
            out.append((None, buf[4:n]))
            buf = buf[n:]
            typed = True
    return out, buf, typed


def frame(t, body):
    if t is None:
        return struct.pack("!I", len(body) + 4) + body
    return t + struct.pack("!I", len(body) + 4) + body


def statement(t, body):
    """The SQL text of a Query or Parse message, else None."""
    if t == b"Q":
        return body.rstrip(b"\0")
    if t == b"P":
        parts = body.split(b"\0")
        return parts[1] if len(parts) > 1 else b""
    return None


def until_ready(srv):
    """Reads the server's answer up to ReadyForQuery, dropping it."""
    buf = b""
    while True:
        data = srv.recv(65536)
        if not data:
            return
        buf += data
        msgs, buf, _ = messages(buf, True)
        if any(t == b"Z" for t, _ in msgs):
            return


def serve(cli):
    global fired, refusing
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        srv.connect(sock_path)
    except OSError:
        cli.close()
        return
    cbuf, typed, armed = b"", False, False
    try:
        while True:
            r, _, _ = select.select([cli, srv], [], [])
            if srv in r:
                data = srv.recv(65536)
                if not data:
                    break
                cli.sendall(data)
            if cli not in r:
                continue
            data = cli.recv(65536)
            if not data:
                break
            cbuf += data
            msgs, cbuf, typed = messages(cbuf, typed)
            for t, body in msgs:
                text = statement(t, body)
                with lock:
                    if text is not None and not fired and arm in text:
                        armed = True
                    if mode == "mid":
                        lose = armed and not fired
                    else:
                        lose = (armed and not fired and t == b"Q" and
                                text.strip().upper().startswith(b"COMMIT"))
                    if lose:
                        fired = True
                if not lose:
                    srv.sendall(frame(t, body))
                    continue
                if mode == "mid":
                    log("lost the connection at %s" % text.decode())
                    return
                if mode != "before":
                    srv.sendall(frame(t, body))
                    until_ready(srv)
                if mode == "refuse":
                    refusing = True
                log("lost %s COMMIT" % mode)
                return
    finally:
        srv.close()
        cli.close()


def main():
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.rename(tmp, port_file)
    while True:
        cli, _ = ls.accept()
        if refusing:
            # As a server that is gone: the connection ends at once.
            cli.close()
            continue
        threading.Thread(target=serve, args=(cli,), daemon=True).start()


main()
