"""What the benchmarks share: a throw-away vhost, free ports, timing helpers."""
import os
import socket
import uuid
from contextlib import contextmanager

import requests

RABBIT_API = os.environ.get("FAZHI_RABBIT_API", "http://guest:guest@127.0.0.1:15672")
RABBIT_HOST = os.environ.get("FAZHI_RABBIT_HOST", "127.0.0.1:5672")


@contextmanager
def rabbit_vhost(amqp_uri=None, api=RABBIT_API):
    """An AMQP URI on a fresh vhost, deleted afterwards (or ``amqp_uri`` as given)."""
    if amqp_uri:
        yield amqp_uri
        return
    name = f"fazhi_bench_{uuid.uuid4().hex[:8]}"
    requests.put(f"{api}/api/vhosts/{name}").raise_for_status()
    requests.put(f"{api}/api/permissions/{name}/guest",
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    try:
        yield f"pyamqp://guest:guest@{RABBIT_HOST}/{name}"
    finally:
        requests.delete(f"{api}/api/vhosts/{name}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid):
    """The peak resident memory of a running process (VmHWM), in MB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0
