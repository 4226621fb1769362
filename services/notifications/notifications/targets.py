"""Where a webhook may post: the rule that keeps a subscriber from aiming the service at
the systems beside it (the broker's management port, a database, the cloud's metadata
address), and what a subscriber may read of a failed attempt.

A target must be https (plain http only in development), and its host must resolve to
public addresses only; loopback, link-local, private and other reserved addresses are
refused unless the operator's allow-list (``WEBHOOK_ALLOWED_HOSTS``) names the host. The
rule runs when a subscription is made or changed and again before every delivery, on the
addresses the name resolves to then (a name can be pointed elsewhere after the check); and
the connection itself is refused once made if its far end is such an address (a name that
answers a public address to the check and an internal one to the connection a moment
later: ``public_session``).
"""
import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError


def _patterns(allowed_hosts):
    return [h.strip().lower() for h in (allowed_hosts or "").split(",") if h.strip()]


def _named(host, patterns):
    return any(host == p or (p.startswith(".") and host.endswith(p)) for p in patterns)


def resolve(host):
    """Every address ``host`` resolves to (an address literal: itself)."""
    return {info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)}


def _internal(address):
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def target_problem(url, allowed_hosts, environment, unresolved_ok=False):
    """Why a webhook may not post to ``url`` (a sentence for the subscriber), or None.

    ``unresolved_ok``: a name that does not resolve now passes (at subscribe time: the
    department's system may not be up yet; delivery checks again).
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        return "回调地址缺少主机名。"
    patterns = _patterns(allowed_hosts)
    named = _named(host, patterns)
    if patterns and not named:
        return "该主机不在本部署允许的回调主机之列（WEBHOOK_ALLOWED_HOSTS）。"
    if parts.scheme != "https" and str(environment) != "development":
        return "回调地址必须使用 https。"
    if named:
        return None  # the operator named it: an internal system of theirs is allowed
    try:
        addresses = resolve(host)
    except (OSError, UnicodeError, ValueError):
        return None if unresolved_ok else "回调主机名无法解析。"
    if not addresses and not unresolved_ok:
        return "回调主机名无法解析。"
    if any(_internal(a) for a in addresses):
        return ("回调地址指向回环、链路本地或内网地址；如确需投递到内部系统，"
                "请运维人员将该主机加入 WEBHOOK_ALLOWED_HOSTS。")
    return None


def public_session(allowed_hosts):
    """A ``requests.Session`` whose every direct connection is checked where it landed:
    one whose far end is internal is closed before a byte is sent, unless the operator's
    allow-list names the host. (A proxy of the environment is the operator's own.)"""
    patterns = _patterns(allowed_hosts)

    def checked(sock, connection):
        if _named((connection.host or "").lower(), patterns):
            return sock
        if _internal(sock.getpeername()[0]):
            sock.close()
            raise NewConnectionError(connection, "the host connected to an internal address")
        return sock

    class Checked(HTTPConnection):
        def _new_conn(self):
            return checked(super()._new_conn(), self)

    class CheckedTLS(HTTPSConnection):
        def _new_conn(self):
            return checked(super()._new_conn(), self)

    pools = {"http": type("Pool", (HTTPConnectionPool,), {"ConnectionCls": Checked}),
             "https": type("TLSPool", (HTTPSConnectionPool,), {"ConnectionCls": CheckedTLS})}

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

    session = requests.Session()
    for prefix in ("http://", "https://"):
        session.mount(prefix, Adapter())
    return session


def public_error(exc):
    """What the subscriber's delivery log says of a failed attempt: the kind of failure,
    never the text of an error another host (or our own network) produced."""
    if isinstance(exc, requests.Timeout):
        return "投递超时"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS 握手失败"
    if isinstance(exc, requests.ConnectionError):
        return "无法连接回调地址"
    return "投递失败"
