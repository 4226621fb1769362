"""The draw method, its digests and the verifier, without a database or a bus."""
import copy
import functools
import hashlib
import http.server
import json
import random
import subprocess
import sys
import threading

import pytest

from fazhi_common import draws

ELIGIBLE = {"330110000000": [f"330110001{n:03d}" for n in range(200, 220)],
            "330122000000": [f"330122001{n:03d}" for n in range(200, 203)]}


def test_the_draw_is_reproducible_from_seed_and_eligible_list():
    sample = draws.draw("2026-lottery-118", ELIGIBLE, per_county=5)
    assert sample == draws.draw("2026-lottery-118",
                                {k: list(reversed(v)) for k, v in ELIGIBLE.items()},
                                per_county=5)
    assert len(sample["330110000000"]) == 5 and len(sample["330122000000"]) == 3
    # anyone can re-run it with nothing but the published recipe
    codes = sorted(ELIGIBLE["330110000000"])
    assert sample["330110000000"] == sorted(
        random.Random("2026-lottery-118:330110000000").sample(codes, 5))
    assert sample != draws.draw("another-seed", ELIGIBLE, per_county=5)
    assert len(draws.draw("s", ELIGIBLE, share=0.1)["330110000000"]) == 2
    with pytest.raises(ValueError):
        draws.draw("s", ELIGIBLE)
    with pytest.raises(ValueError):
        draws.check_size(per_county=1, share=0.5)


def test_the_digests_follow_the_published_recipe():
    assert draws.seed_hash("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")  # FIPS 180-2
    compact = json.dumps({"330110000000": sorted(ELIGIBLE["330110000000"]),
                          "330122000000": ELIGIBLE["330122000000"]}, separators=(",", ":"))
    assert draws.eligible_digest(ELIGIBLE) == hashlib.sha256(compact.encode()).hexdigest()
    # order does not matter; a code more, less or repeated does
    shuffled = {k: list(reversed(v)) for k, v in reversed(ELIGIBLE.items())}
    assert draws.eligible_digest(shuffled) == draws.eligible_digest(ELIGIBLE)
    for changed in ({**ELIGIBLE, "330122000000": ELIGIBLE["330122000000"][:2]},
                    {**ELIGIBLE, "330122000000": ELIGIBLE["330122000000"] * 2}):
        assert draws.eligible_digest(changed) != draws.eligible_digest(ELIGIBLE)
    seeds = {draws.new_seed() for _ in range(50)}
    assert len(seeds) == 50 and all(len(s) == 2 * draws.SEED_BYTES for s in seeds)


def _published(seed="f00d", per_county=2):
    return {"id": 7, "method": draws.METHOD, "per_county": per_county, "share": None,
            "seed_hash": draws.seed_hash(seed), "eligible": ELIGIBLE,
            "eligible_digest": draws.eligible_digest(ELIGIBLE), "seed": seed,
            "sample": draws.draw(seed, ELIGIBLE, per_county)}


def _tampered(change):
    record = copy.deepcopy(_published())
    change(record)
    return record


def _swap_one_drawn(record):
    county = "330110000000"
    drawn = record["sample"][county]
    spare = next(c for c in record["eligible"][county] if c not in drawn)
    record["sample"][county] = sorted([spare] + drawn[1:])


def test_verify_finds_each_kind_of_tampering():
    assert draws.verify(_published()) == []
    committed = {**_published(), "seed": None, "sample": None}
    assert draws.verify(committed) == []  # nothing to re-run yet, the list still checks
    problems = draws.verify(_tampered(_swap_one_drawn))
    assert len(problems) == 1 and "county 330110000000" in problems[0]
    problems = draws.verify(_tampered(lambda r: r["eligible"]["330122000000"].pop()))
    assert any("eligible list" in p for p in problems)
    problems = draws.verify(_tampered(lambda r: r.update(seed="beef")))
    assert any("seed does not match" in p for p in problems)
    # a seed and sample swapped together still fail: the hash was committed first
    forged = _tampered(lambda r: r.update(seed="beef", sample=draws.draw("beef", ELIGIBLE, 2)))
    assert [p for p in draws.verify(forged) if "seed" in p]
    assert draws.verify(_tampered(lambda r: r.update(per_county=3)))
    assert draws.verify(_tampered(lambda r: r.update(method="other-v9")))
    assert draws.verify({**committed, "sample": {"330110000000": []}})


def _run(path):
    # the module file alone, as a citizen who downloaded it would run it
    return subprocess.run([sys.executable, "-I", draws.__file__, "verify", str(path)],
                          capture_output=True, text=True, timeout=60)


def test_the_command_exits_non_zero_and_says_what_differs(tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(_published()))
    bad.write_text(json.dumps(_tampered(_swap_one_drawn)))
    passed = _run(good)
    assert passed.returncode == 0 and "draw 7 verifies" in passed.stdout
    failed = _run(bad)
    assert failed.returncode == 1 and "county 330110000000" in failed.stderr
    missing = _run(tmp_path / "absent.json")
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_the_command_reads_a_draw_from_a_url(tmp_path):
    (tmp_path / "7").write_text(json.dumps(_published()))
    (tmp_path / "8").write_text(json.dumps(_tampered(_swap_one_drawn)))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=tmp_path)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        assert _run(f"{base}/7").returncode == 0
        assert _run(f"{base}/8").returncode == 1
        assert _run(f"{base}/9").returncode == 2  # 404: nothing to verify
    finally:
        server.shutdown()
        server.server_close()
