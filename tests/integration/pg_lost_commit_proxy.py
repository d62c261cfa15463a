#!/usr/bin/env python3
"""A loopback proxy for PostgreSQL's wire protocol that loses the answer to one COMMIT:
the server commits, the client sees its connection break — as when a primary dies after
its synchronous standby has the transaction, or the network drops at that moment. The
client cannot know whether the transaction happened (lost_commit_test.sh).

  pg_lost_commit_proxy.py PORT_FILE TARGET_PORT ARM_FILE

While ARM_FILE exists it holds a piece of SQL (e.g. "INSERT INTO renewal_pending"): the
first transaction on any connection that runs a statement containing it has the answer
to its COMMIT swallowed, and both sides of that connection closed once the server said
it is ready again (the COMMIT is then done); ARM_FILE is removed (one shot) and a line
"dropped COMMIT answer" goes to stderr. Everything else is forwarded unchanged.
Clients must connect with sslmode=disable and gssencmode=disable (the proxy reads the
messages). Writes the port it listens on to PORT_FILE; serves until killed.
"""
import os
import socket
import struct
import sys
import threading

from proxy_util import close_pair, listen

port_file, target, arm_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
arm_lock = threading.Lock()


def armed_sql():
    try:
        with open(arm_file, "rb") as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


def cstrings(body, n):
    """The first n NUL-terminated strings of a message body."""
    out, pos = [], 0
    for _ in range(n):
        end = body.index(b"\0", pos)
        out.append(body[pos:end])
        pos = end + 1
    return out


def serve(client):
    server = socket.create_connection(("127.0.0.1", target))
    state = {"swallow": False, "closed": False}
    statements = {}  # prepared statement name -> SQL, on this connection

    def close_both():
        close_pair(state, client, server)

    def server_to_client():
        buf = b""
        try:
            while True:
                data = server.recv(65536)
                if not data:
                    break
                if not state["swallow"]:
                    client.sendall(data)
                    continue
                # The COMMIT's answer: read up to ReadyForQuery ('Z'), then cut.
                buf += data
                while len(buf) >= 5:
                    n = 1 + struct.unpack("!I", buf[1:5])[0]
                    if len(buf) < n:
                        break
                    kind, buf = buf[0:1], buf[n:]
                    if kind == b"Z":
                        print("dropped COMMIT answer", file=sys.stderr, flush=True)
                        close_both()
                        return
        except OSError:
            pass
        if not state["closed"]:
            close_both()

    threading.Thread(target=server_to_client, daemon=True).start()
    buf = b""
    started = False
    marked = False
    try:
        while True:
            data = client.recv(65536)
            if not data:
                break
            buf += data
            while True:
                if not started:  # StartupMessage: no type byte
                    if len(buf) < 4:
                        break
                    n = struct.unpack("!I", buf[0:4])[0]
                    if len(buf) < n:
                        break
                    msg, buf = buf[:n], buf[n:]
                    started = True
                    server.sendall(msg)
                    continue
                if len(buf) < 5:
                    break
                n = 1 + struct.unpack("!I", buf[1:5])[0]
                if len(buf) < n:
                    break
                msg, buf = buf[:n], buf[n:]
                kind, body = msg[0:1], msg[5:]
                sql = b""
                if kind == b"Q":
                    sql = cstrings(body, 1)[0]
                elif kind == b"P":
                    name, sql = cstrings(body, 2)
                    statements[name] = sql
                elif kind == b"B":
                    sql = statements.get(cstrings(body, 2)[1], b"")
                if kind == b"Q" and sql.strip().upper().startswith(b"BEGIN"):
                    marked = False
                arm = armed_sql()
                if arm and arm in sql:
                    marked = True
                if kind == b"Q" and sql.strip().upper() == b"COMMIT" and marked:
                    with arm_lock:
                        if armed_sql() is not None:
                            os.remove(arm_file)
                            state["swallow"] = True
                    marked = False
                server.sendall(msg)
    except OSError:
        pass
    if not state["closed"]:
        close_both()


listener = listen(port_file)
while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
