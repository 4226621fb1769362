"""Request bodies are bounded before they are read, and each way a body can be wrong gets
its own message. No service runs here: a request that reached one would be a 503."""
import io
import json

import pytest

from gateway.app import create_app
from tests.conftest import AuthedClient

R = "/api/v1/registry"
COUNTY = {"code": "330110000000", "name": "余杭区", "kind": "district"}


@pytest.fixture
def small_gateway(gateway_config):
    app = create_app(dict(gateway_config, MAX_BODY_BYTES=2048, MAX_IMPORT_BYTES=8192))
    yield AuthedClient(app).as_role("platform_admin")
    app.extensions["rpc"].close()


def test_a_body_over_the_limit_is_413_before_anything_else(small_gateway):
    big = json.dumps(dict(COUNTY, name="县" * 3000)).encode()
    response = small_gateway.post(f"{R}/counties", data=big,
                                  headers={"Content-Type": "application/json"})
    assert response.status_code == 413, response.json
    assert response.json["code"] == "request_entity_too_large"
    assert "2048" in response.json["detail"]
    # refused even before authentication: an anonymous caller learns only the size rule
    anonymous = small_gateway.anonymous().post(
        f"{R}/counties", data=big, headers={"Content-Type": "application/json"})
    assert anonymous.status_code == 413


def test_a_chunked_body_without_length_is_cut_off_at_the_limit(small_gateway):
    body = json.dumps(dict(COUNTY, name="x" * 10_000)).encode()
    response = small_gateway.post(
        f"{R}/counties", input_stream=io.BytesIO(body),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413, response.json


def test_imports_take_larger_bodies_up_to_their_own_limit(small_gateway):
    within = {"filename": "units.csv", "content_base64": "A" * 4000}  # > 2048, < 8192
    response = small_gateway.post(f"{R}/imports", json=within)
    assert response.status_code == 503  # accepted, forwarded, and no registry is running
    over = {"filename": "units.csv", "content_base64": "A" * 9000}
    assert small_gateway.post(f"{R}/imports", json=over).status_code == 413


@pytest.mark.parametrize("body, content_type, says", [
    ("县".encode("gbk") + b'{"code": 1}', "application/json", "not UTF-8"),
    (b'{"code": "330110000000", "name": }', "application/json", "不是有效的 JSON"),
    (b"", "application/json", "empty"),
    (b"[1, 2]", "application/json", "but a list"),
    (json.dumps(COUNTY).encode(), "text/plain", "Content-Type application/json"),
])
def test_each_bad_body_gets_its_own_message(gateway, body, content_type, says):
    response = gateway.post(f"{R}/counties", data=body, headers={"Content-Type": content_type})
    assert response.status_code == 422, response.json
    assert response.json["code"] == "validation_failed"
    assert says in response.json["detail"], response.json["detail"]
    assert "_body" in response.json["fields"]


def test_malformed_json_names_where(gateway):
    response = gateway.post(f"{R}/counties", data=b'{\n "code": "1",\n "name": x}',
                            headers={"Content-Type": "application/json"})
    assert "第 3 行" in response.json["detail"]


@pytest.mark.parametrize("body, says", [
    (b"[" * 5000 + b"]" * 5000, "嵌套"),
    (b'{"a": ' + b"[" * 33 + b"]" * 33 + b"}", "嵌套"),
    (b'{"code": ' + b"9" * 5000 + b"}", "整数"),
    (b'{"code": -9223372036854775809}', "整数"),
    (b'{"name": "\\ud800x"}', "字符"),
])
@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/console/session",
                                  "/api/v1/mediation/track", f"{R}/counties"])
def test_bodies_past_the_limits_are_422_before_parsing_public_ones_too(
        gateway, body, says, path):
    client = gateway if path.startswith(R) else gateway.anonymous()
    response = client.post(path, data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422, (path, response.json)
    assert says in response.json["detail"]
