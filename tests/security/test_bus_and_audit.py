"""Calls that bypass the gateway are refused; the audit chain shows tampering."""
import base64
import json

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, text

from fazhi_common.audit import main as audit_main
from fazhi_common.contracts.errors import Forbidden, Unauthenticated
from fazhi_common.contracts.roles import Identity
from fazhi_common.identity import (
    CONTEXT_KEY,
    MAX_AGE_SECONDS,
    IdentityVerifier,
    keygen,
    sign_identity,
    signing_key,
    verify_identity,
    verify_keys,
)
from tests.conftest import SIGNING_KEY


def _call(rabbit_config, context):
    with ClusterRpcProxy(rabbit_config, context_data=context, timeout=15) as cluster:
        return cluster.registry.list_counties({})


def test_rpc_without_the_gateways_signature_is_refused(registry, rabbit_config):
    with pytest.raises(Unauthenticated):
        _call(rabbit_config, None)
    gateway_key = signing_key(SIGNING_KEY)
    # another key pair — what any other client on the bus could make for itself
    forged = sign_identity(Identity(subject="mallory", role="platform_admin"),
                           signing_key(keygen()[0]))
    with pytest.raises(Unauthenticated):
        _call(rabbit_config, {CONTEXT_KEY: forged})
    stale = sign_identity(Identity(subject="a", role="viewer"), gateway_key, now=0)
    with pytest.raises(Unauthenticated):
        _call(rabbit_config, {CONTEXT_KEY: stale})
    tampered = stale.replace(stale.split(".")[0], forged.split(".")[0])
    with pytest.raises(Unauthenticated):
        _call(rabbit_config, {CONTEXT_KEY: tampered})
    resident = sign_identity(Identity(subject="r", role="resident"), gateway_key)
    with pytest.raises(Forbidden):
        _call(rabbit_config, {CONTEXT_KEY: resident})
    viewer = sign_identity(Identity(subject="v", role="viewer"), gateway_key)
    assert _call(rabbit_config, {CONTEXT_KEY: viewer})["total"] == 0


def test_every_write_is_audited_and_tampering_is_detected(registry, gateway):
    R = "/api/v1/registry"
    gateway.post(f"{R}/counties", json={"code": "330110000000", "name": "余杭区",
                                        "kind": "district"})
    gateway.post(f"{R}/towns", json={"code": "330110001000", "county_code": "330110000000",
                                     "name": "良渚街道", "kind": "street"})
    gateway.post(f"{R}/counties", json={"code": "330110000000", "name": "dup",
                                        "kind": "district"})  # refused: not audited
    url = registry.config["DATABASE_URL"]
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT actor, action, subject FROM audit_entry ORDER BY seq")).all()
    admin = "platform_admin-all-test"
    assert rows == [(admin, "registry.register_county", "330110000000"),
                    (admin, "registry.register_town", "330110001000")]
    assert audit_main(["verify", "--database-url", url]) == 0

    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET actor = 'someone else' WHERE seq = 1"))
    assert audit_main(["verify", "--database-url", url]) == 1
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE audit_entry SET actor = '{admin}' WHERE seq = 1"))
        conn.execute(text("DELETE FROM audit_entry WHERE seq = 1"))
    assert audit_main(["verify", "--database-url", url]) == 1
    engine.dispose()


def test_a_reused_identity_is_refused_once_stale_and_a_tampered_copy_never_passes():
    """The gateway sends one signed identity for many requests; the service verifies it
    once, yet a copy altered after that first check is refused, and so is the original
    once it is older than MAX_AGE_SECONDS (for every request that reuses it)."""
    private, public = keygen()
    verifier = IdentityVerifier(verify_keys(public))
    token = sign_identity(Identity(subject="v", role="viewer", area="330110000000"),
                          signing_key(private), now=1000)
    for request in range(3):
        assert verifier.verify(token, now=1000 + request).role == "viewer"
    body, signature = token.split(".")
    promoted = sign_identity(Identity(subject="v", role="platform_admin"),
                             signing_key(keygen()[0]), now=1000).split(".")[0]
    for tampered in (f"{promoted}.{signature}",  # another body under the same signature
                     f"{body}.{signature[:-2]}AA" if not signature.endswith("AA")
                     else f"{body}.{signature[:-2]}BB",  # the signature altered
                     f"{body}x.{signature}", token + "."):
        with pytest.raises(Unauthenticated):
            verifier.verify(tampered, now=1000)
    for _ in range(2):
        with pytest.raises(Unauthenticated, match="expired"):
            verifier.verify(token, now=1001 + MAX_AGE_SECONDS)


def test_an_identity_signed_with_a_request_id_by_an_earlier_gateway_still_verifies():
    """Gateways once signed the request id into the identity; during a rolling upgrade
    their calls still pass, the id left out of the identity."""
    def _b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    private, public = keygen()
    body = _b64(json.dumps({"subject": "v", "role": "viewer", "department": "d",
                            "area": None, "request_id": "r-1", "iat": 1000}).encode())
    token = f"{body}.{_b64(signing_key(private).sign(body.encode()))}"
    identity = verify_identity(token, verify_keys(public), now=1000)
    assert (identity.subject, identity.role, identity.department) == ("v", "viewer", "d")


def test_an_identity_verified_once_is_still_refused_once_stale_and_forgeries_stay_out():
    """The verifier remembers a token's signature, never its freshness."""
    private, public = keygen()
    verifier = IdentityVerifier(verify_keys(public))
    token = sign_identity(Identity(subject="v", role="viewer"), signing_key(private), now=1000)
    assert verifier.verify(token, now=1000).subject == "v"
    assert verifier.verify(token, now=1000 + MAX_AGE_SECONDS).subject == "v"  # remembered
    with pytest.raises(Unauthenticated):
        verifier.verify(token, now=1001 + MAX_AGE_SECONDS)
    forged = sign_identity(Identity(subject="v", role="platform_admin"),
                           signing_key(keygen()[0]), now=1000)
    for _ in range(2):  # a refusal is not remembered as a success
        with pytest.raises(Unauthenticated):
            verifier.verify(forged, now=1000)
    with pytest.raises(Unauthenticated):
        verifier.verify(None, now=1000)
