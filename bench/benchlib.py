"""What the benchmarks share: a throw-away vhost, free ports, timing helpers."""
import os
import secrets
import socket
import uuid
from contextlib import contextmanager

import requests

from fazhi_common.crypto import new_key

# no config.yml ships a secret: each run makes its own (the gateway's pair stays per bench)
RUN_SECRETS = {"TOKEN_KEY_K1": secrets.token_urlsafe(32),
               "EVALUATION_SURVEY_SECRET": secrets.token_urlsafe(32),
               "MEDIATION_DATA_KEY": new_key(), "LEGALSERVICES_DATA_KEY": new_key(),
               "LEGAL_AID_TRANSFER_KEY": new_key(), "CORRECTIONS_DATA_KEY": new_key()}
RABBIT_API = os.environ.get("FAZHI_RABBIT_API", "http://guest:guest@127.0.0.1:15672")
RABBIT_HOST = os.environ.get("FAZHI_RABBIT_HOST", "127.0.0.1:5672")


def make_vhost(api=RABBIT_API, prefix="fazhi_bench"):
    """A fresh vhost the guest user may use; the caller deletes it."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    requests.put(f"{api}/api/vhosts/{name}").raise_for_status()
    requests.put(f"{api}/api/permissions/{name}/guest",
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    return name


@contextmanager
def rabbit_vhost(amqp_uri=None, api=RABBIT_API):
    """An AMQP URI on a fresh vhost, deleted afterwards (or ``amqp_uri`` as given)."""
    if amqp_uri:
        yield amqp_uri
        return
    name = make_vhost(api)
    try:
        yield f"pyamqp://guest:guest@{RABBIT_HOST}/{name}"
    finally:
        requests.delete(f"{api}/api/vhosts/{name}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """User and system CPU a process and its live children (gunicorn's workers) have used
    so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        kids = [int(kid) for kid in children.read().split()]
    used = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used + sum(cpu_seconds(kid) for kid in kids)


def peak_rss_mb(pid):
    """The peak resident memory of a running process (VmHWM), in MB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def create_admin(env, cwd, username, password):
    """A platform administrator in the gateway's account database, for the bench's logins."""
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "gateway.admin", "create-user", "--username",
                    username, "--role", "platform_admin", "--department", "bench",
                    "--password-stdin"], input=f"{password}\n", text=True, env=env,
                   cwd=cwd, check=True, capture_output=True)


def wait_answering(url, what, seconds=120):
    """Poll ``url`` until it answers 200; give up with a message naming ``what``."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{what} did not answer within {seconds}s")


def stop(processes, seconds=20):
    """Ask each process to stop, then kill any that has not within ``seconds``."""
    import subprocess

    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()


def run_secrets():
    """Secrets of this bench run, as environment variables: no config.yml ships one."""
    return dict(RUN_SECRETS)


def service_config_file(path, root, service, **overrides):
    """Write ``service``'s own config.yml (its defaults) with the bench's ``overrides`` to
    ``path``: a config written by hand misses each setting added later."""
    import yaml

    from fazhi_common.config import load_config

    settings = load_config(root / "services" / service / "config.yml", environ={})
    for key in ("SURVEY_SECRET", "MEDIATION_DATA_KEY", "LEGALSERVICES_DATA_KEY",
                "LEGAL_AID_TRANSFER_KEY", "CORRECTIONS_DATA_KEY"):
        if key in settings:  # no config.yml ships a secret: the run makes its own
            settings[key] = RUN_SECRETS["EVALUATION_SURVEY_SECRET" if key == "SURVEY_SECRET"
                                        else key]
    settings.update({"LOGGING": {"version": 1, "root": {"level": "WARNING"}}, **overrides})
    path.write_text(yaml.safe_dump(settings))
    return path
