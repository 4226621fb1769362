"""Three RabbitMQ nodes on this machine, clustered, for tests and for trying a failover.

Each node is Debian's ``rabbitmq-server`` run directly (not the system service) with its
own node name, AMQP, distribution and management ports, its own data and log directories
under one base directory, and one Erlang cookie shared by the three (``HOME`` points at the
base directory, where the cookie lives). The system broker on 5672/25672/15672 is never
touched: our nodes read no file under /etc/rabbitmq.

    python -m tests.rabbit_cluster start [BASE]   # or scripts/rabbit-cluster start
    python -m tests.rabbit_cluster stop [BASE]

Only the standard library is used, so the script runs without the project's virtualenv.
"""
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

SBIN = Path(os.environ.get("RABBITMQ_SBIN", "/usr/lib/rabbitmq/bin"))
DEFAULT_BASE = Path(os.environ.get("FAZHI_CLUSTER_DIR", "/tmp/fazhi-rabbit-cluster"))
# fixed ports for the script (the test fixture takes free ones); far from 5672/25672/15672
DEFAULT_PORTS = [(5701 + i, 25701 + i, 15701 + i) for i in range(3)]


def free_ports(count):
    """``count`` TCP ports nothing listens on right now."""
    sockets = []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _die_with_parent():
    """In the child before exec: SIGTERM when the parent dies (rabbitmq-server execs its way
    to the VM, which keeps it), so a test run killed by a timeout leaves no node behind."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Node:
    def __init__(self, cluster, index, amqp_port, dist_port, management_port):
        self.cluster = cluster
        self.index = index
        self.name = f"{cluster.prefix}{index + 1}@localhost"
        self.amqp_port = amqp_port
        self.dist_port = dist_port
        self.management_port = management_port
        self.dir = cluster.base / f"node{index + 1}"
        self.process = None

    @property
    def amqp_uri(self):
        return f"pyamqp://guest:guest@127.0.0.1:{self.amqp_port}/"

    @property
    def pid_file(self):
        return self.dir / "rabbit.pid"

    def env(self):
        env = dict(os.environ)
        env.update({
            "HOME": str(self.cluster.base),  # the shared .erlang.cookie
            "RABBITMQ_CONF_ENV_FILE": str(self.cluster.base / "rabbitmq-env.conf"),
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.amqp_port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONFIG_FILE": str(self.dir / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.dir / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.cluster.base / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(self.dir / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.dir / "log"),
            "RABBITMQ_PID_FILE": str(self.pid_file),
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS":
                "-kernel inet_dist_use_interface {127,0,0,1}",
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        })
        return env

    def prepare(self):
        for sub in ("mnesia", "log"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        (self.dir / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{self.amqp_port}\n"
            f"management.tcp.ip = 127.0.0.1\n"
            f"management.tcp.port = {self.management_port}\n"
            "loopback_users = none\n"
            # a stopped node is noticed within seconds, not the default minute
            "net_ticktime = 10\n"
            "log.console = false\n"
            f"log.file.level = {self.cluster.log_level}\n")
        (self.dir / "advanced.config").write_text("[].\n")

    def start(self):
        """Start the node's Erlang VM (returns at once; ``wait`` for it to boot)."""
        log = open(self.dir / "log" / "stdout.log", "ab")  # noqa: SIM115 (the child keeps it)
        self.process = subprocess.Popen(
            [str(SBIN / "rabbitmq-server")], env=self.env(), stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            preexec_fn=self._prepare_process)

    def _prepare_process(self):
        """In the child before exec."""
        if self.cluster.die_with_parent:
            _die_with_parent()
        if self.cluster.open_files:
            # the node's file handle cache takes its limit from this: at Debian's default
            # (1,024) a node holding a few hundred quorum queues waits for handles, and
            # every file operation on the node with it, for tens of seconds
            import resource

            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            wanted = self.cluster.open_files
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, max(hard, wanted)))
            except (ValueError, OSError):  # not allowed above the hard limit: up to it
                resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, hard), hard))

    def ctl(self, *args, timeout=120, check=True):
        return subprocess.run([str(SBIN / "rabbitmqctl"), "-n", self.name, *args],
                              env=self.env(), capture_output=True, text=True,
                              timeout=timeout, check=check)

    def wait(self, timeout=120):
        """Return once the node has booted (the CLI cannot reach it until it registers)."""
        deadline = time.monotonic() + timeout
        while True:
            done = self.ctl("--timeout", "10", "await_startup", timeout=30, check=False)
            if done.returncode == 0:
                return
            if time.monotonic() > deadline or (self.process and self.process.poll() is not None):
                raise RuntimeError(f"{self.name} did not start: {done.stderr.strip()[-500:]}"
                                   f" (see {self.dir / 'log'})")
            time.sleep(1)

    def os_pid(self):
        return int(self.pid_file.read_text().strip())

    def stop(self):
        """An orderly stop of the whole node (what an operator's ``systemctl stop`` does)."""
        self.ctl("stop", check=False)
        self._reap()

    def kill(self):
        """``kill -9`` of the node's VM: no goodbye to its peers, nothing flushed."""
        try:
            os.kill(self.os_pid(), signal.SIGKILL)
        except (OSError, ValueError):
            pass
        self._reap()

    def _reap(self, timeout=60):
        if self.process is None:
            return
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def running(self):
        return self.process is not None and self.process.poll() is None


class RabbitCluster:
    """Nodes under ``base`` (three, unless ``size`` says otherwise); ``ports`` is one
    (amqp, dist, management) tuple a node, free ports if not given."""

    def __init__(self, base=DEFAULT_BASE, ports=None, prefix="fazhi-c", size=3,
                 die_with_parent=False, open_files=None, log_level="info"):
        self.base = Path(base)
        self.prefix = prefix
        self.die_with_parent = die_with_parent
        self.open_files = open_files  # the nodes' limit of open files (None: inherited)
        self.log_level = log_level
        if ports is None:
            flat = free_ports(3 * size)
            ports = [tuple(flat[i * 3:i * 3 + 3]) for i in range(size)]
        self.nodes = [Node(self, i, *p) for i, p in enumerate(ports)]

    @property
    def amqp_uri(self):
        """A kombu failover URL naming every node (``;``-separated)."""
        return ";".join(node.amqp_uri for node in self.nodes)

    def start(self):
        self.base.mkdir(parents=True, exist_ok=True)
        cookie = self.base / ".erlang.cookie"
        if not cookie.exists():
            cookie.write_text(secrets.token_hex(20))
            cookie.chmod(0o400)
        (self.base / "rabbitmq-env.conf").write_text("")  # not /etc/rabbitmq's
        (self.base / "enabled_plugins").write_text("[rabbitmq_management].\n")
        for node in self.nodes:
            node.prepare()
            node.start()
        for node in self.nodes:
            node.wait()
        first = self.nodes[0]
        for node in self.nodes[1:]:
            self.join(node, first)
        self.save()

    def join(self, node, peer):
        if peer.name in self.members(node):
            return
        node.ctl("stop_app")
        node.ctl("join_cluster", peer.name)
        node.ctl("start_app")

    def members(self, node):
        status = json.loads(node.ctl("cluster_status", "--formatter", "json").stdout)
        return status.get("running_nodes", [])

    def restart(self, node):
        """Start a stopped or killed node again; it rejoins the cluster it belonged to."""
        node.start()
        node.wait()

    def stop(self):
        for node in self.nodes:
            node.kill() if node.running() else node.stop()

    def save(self):
        (self.base / "cluster.json").write_text(json.dumps({
            "prefix": self.prefix,
            "ports": [[n.amqp_port, n.dist_port, n.management_port] for n in self.nodes]}))

    @classmethod
    def load(cls, base):
        saved = json.loads((Path(base) / "cluster.json").read_text())
        return cls(base, [tuple(p) for p in saved["ports"]], saved["prefix"])


USAGE = f"""usage: rabbit-cluster COMMAND [DIR]   (default DIR: {DEFAULT_BASE})
  start              three nodes, clustered (AMQP 5701-5703, management 15701-15703)
  stop               stop all three
  stop-node N        an orderly stop of node N (1-3)
  kill-node N        kill -9 node N
  start-node N       start node N again; it rejoins the cluster"""


def main(argv):
    commands = ("start", "stop", "stop-node", "kill-node", "start-node")
    if not argv or argv[0] not in commands:
        sys.exit(USAGE)
    command, args = argv[0], argv[1:]
    index = None
    if command.endswith("-node"):
        if not args or args[0] not in ("1", "2", "3"):
            sys.exit(USAGE)
        index, args = int(args[0]) - 1, args[1:]
    base = Path(args[0]) if args else DEFAULT_BASE
    if command == "start":
        cluster = RabbitCluster(base, DEFAULT_PORTS)
        started = time.monotonic()
        cluster.start()
        print(f"three nodes clustered in {time.monotonic() - started:.0f}s under {base}")
        for node in cluster.nodes:
            print(f"  {node.name}: amqp {node.amqp_port}, management "
                  f"http://127.0.0.1:{node.management_port}/")
        print(f"AMQP_URI='{cluster.amqp_uri}'")
        return
    if not (base / "cluster.json").exists():
        sys.exit(f"no cluster under {base}")
    cluster = RabbitCluster.load(base)
    if command == "stop":
        for node in cluster.nodes:
            node.ctl("stop", check=False, timeout=60)
        print(f"stopped; remove {base} to forget its data")
    elif command == "stop-node":
        cluster.nodes[index].stop()
    elif command == "kill-node":
        cluster.nodes[index].kill()
    else:
        cluster.restart(cluster.nodes[index])


if __name__ == "__main__":
    main(sys.argv[1:])
