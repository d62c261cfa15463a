"""What the loopback proxies of the integration tests share (drop_proxy.py,
pg_lost_commit_proxy.py)."""
import socket


def close_pair(state, *socks):
    """Marks the proxied connection closed and closes both of its sockets."""
    state["closed"] = True
    for s in socks:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()


def listen(port_file):
    """A listening socket on a free loopback port, its number written to port_file
    (atomically: a reader never sees half of it)."""
    import os

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(listener.getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    return listener
