"""Calls that bypass the gateway are refused; the audit chain shows tampering."""
import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, text

from fazhi_common.audit import main as audit_main
from fazhi_common.errors import Forbidden, Unauthenticated
from fazhi_common.identity import (
    CONTEXT_KEY,
    MAX_AGE_SECONDS,
    Identity,
    IdentityVerifier,
    keygen,
    sign_identity,
    signing_key,
    verify_keys,
)
from tests.conftest import SIGNING_KEY


def _call(rabbit_config, context):
    with ClusterRpcProxy(rabbit_config, context_data=context, timeout=5) as cluster:
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
