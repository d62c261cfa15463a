#!/usr/bin/env python3
"""A loopback TCP proxy that loses answers: it forwards every request to the server, and
drops the N-th answer (counted over all connections) by closing both sides as soon as the
server starts sending it — the server has then committed whatever the request did. Used by
renewal_test.sh and cmp_test.sh to retry after a lost answer (docs/renewal-and-cmp.md).

  drop_proxy.py PORT_FILE TARGET_PORT MODE DROP
    MODE: http (plain HTTP) or tls (TLS 1.2 passthrough: answers are the server's
          application_data records; the client must use TLS 1.2 so that the handshake
          itself is never counted)
    DROP: comma-separated answer numbers to drop, e.g. "1" or "2,3"; "" drops nothing.
Writes the port it listens on to PORT_FILE; serves until killed.
"""
import socket
import sys
import threading

from proxy_util import close_pair, listen

port_file, target, mode, drop = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
to_drop = {int(x) for x in drop.split(",") if x}
lock = threading.Lock()
answers = 0


def records(buf):
    """Splits complete TLS records off `buf`: (list of (type, bytes), rest)."""
    out = []
    while len(buf) >= 5:
        n = 5 + int.from_bytes(buf[3:5], "big")
        if len(buf) < n:
            break
        out.append((buf[0], buf[:n]))
        buf = buf[n:]
    return out, buf


def serve(client):
    global answers
    server = socket.create_connection(("127.0.0.1", target))
    state = {"awaiting": False, "closed": False}

    def close():
        close_pair(state, client, server)

    def pump(src, dst, from_client):
        global answers
        buf = b""
        try:
            while not state["closed"]:
                data = src.recv(65536)
                if not data:
                    break
                chunks = [(23, data)] if mode == "http" else None
                if mode == "tls":
                    buf += data
                    chunks, buf = records(buf)
                for kind, chunk in chunks:
                    if kind == 23 and from_client:
                        state["awaiting"] = True
                    elif kind == 23 and state["awaiting"]:
                        state["awaiting"] = False
                        with lock:
                            answers += 1
                            n = answers
                        if n in to_drop:
                            print(f"drop_proxy: dropped answer {n}", file=sys.stderr, flush=True)
                            close()
                            return
                    dst.sendall(chunk)
        except OSError:
            pass
        if not state["closed"]:
            close()

    threading.Thread(target=pump, args=(client, server, True), daemon=True).start()
    threading.Thread(target=pump, args=(server, client, False), daemon=True).start()


listener = listen(port_file)
while True:
    conn, _ = listener.accept()
    try:
        serve(conn)
    except OSError:
        conn.close()
