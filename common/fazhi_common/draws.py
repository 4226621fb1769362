"""Verifiable spot-check draws: the one draw method, the digests a draw is committed with,
and the check anyone can run on a published draw (``fazhi-draw verify FILE_OR_URL``).

Pure and standalone (the standard library only): the evaluation service draws with these
functions and the verifier re-runs them, so there is one algorithm, not two that could
drift apart; a citizen may download this one file and run ``python3 draws.py verify URL``.

A draw is committed before it is made: the service keeps a random seed secret and
publishes ``seed_hash`` (SHA-256 of the seed) with ``eligible_digest`` (SHA-256 of the
frozen eligible list). The reveal publishes the seed and the sample. Whoever drew cannot
choose the seed to get a sample they like, and no one can change the list afterwards.
"""
import argparse
import hashlib
import json
import math
import random
import secrets
import sys
from urllib.request import Request, urlopen

# the method's name is part of every draw: a changed algorithm gets a new name
METHOD = "stratified-random-sample-v1"
METHOD_TEXT = ("for each county in code order: sort its eligible codes, take "
               "k = per_county (or ceil(share * n)), at most n, and draw "
               "random.Random(f'{seed}:{county}').sample(codes, k) (Python 3); "
               "the sample is listed sorted. seed_hash = sha256(seed as UTF-8), hex; "
               "eligible_digest = sha256 of the eligible list as compact JSON "
               "(keys sorted, each county's codes sorted, separators ',' and ':'), hex")
SEED_BYTES = 16


def new_seed():
    """A secret seed no one chooses (128 random bits, hex)."""
    return secrets.token_hex(SEED_BYTES)


def seed_hash(seed):
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def canonical_eligible(eligible):
    """The eligible list (county -> codes) as the exact bytes its digest is taken of."""
    ordered = {county: sorted(codes) for county, codes in eligible.items()}
    return json.dumps(ordered, sort_keys=True, separators=(",", ":")).encode("utf-8")


def eligible_digest(eligible):
    return hashlib.sha256(canonical_eligible(eligible)).hexdigest()


def check_size(per_county=None, share=None):
    """ValueError unless exactly one of the two says how many to draw per county."""
    if (per_county is None) == (share is None):
        raise ValueError("give either per_county or share")


def draw_size(n, per_county=None, share=None):
    if per_county is not None:
        return min(per_county, n)
    return min(n, math.ceil(share * n))


def draw(seed, eligible, per_county=None, share=None):
    """The stratified sample (county -> sorted codes drawn), by ``METHOD``.

    The same seed and eligible list give the same sample on any machine with Python 3.
    """
    check_size(per_county, share)
    sample = {}
    for county in sorted(eligible):
        codes = sorted(set(eligible[county]))
        k = draw_size(len(codes), per_county, share)
        sample[county] = sorted(random.Random(f"{seed}:{county}").sample(codes, k))
    return sample


def verify(record):
    """What is wrong with a published draw (``[]``: it verifies).

    Checks the eligible list against its committed digest and, once the seed is revealed,
    the seed against its committed hash and the sample against a re-run of the draw.
    """
    problems = []
    if record.get("method") != METHOD:
        return [f"unknown method {record.get('method')!r}: this verifier knows {METHOD}"]
    eligible = record.get("eligible") or {}
    if eligible_digest(eligible) != record.get("eligible_digest"):
        problems.append("the eligible list does not match its committed digest "
                        f"(it hashes to {eligible_digest(eligible)}, the commitment says "
                        f"{record.get('eligible_digest')})")
    seed = record.get("seed")
    if seed is None:
        if record.get("sample"):
            problems.append("a sample is published but its seed is not")
        return problems
    if seed_hash(seed) != record.get("seed_hash"):
        problems.append(f"the seed does not match its committed hash (it hashes to "
                        f"{seed_hash(seed)}, the commitment says {record.get('seed_hash')})")
    try:
        rerun = draw(seed, eligible, record.get("per_county"), record.get("share"))
    except (ValueError, TypeError) as exc:
        return problems + [f"the draw cannot be re-run: {exc}"]
    published = record.get("sample") or {}
    for county in sorted(set(rerun) | set(published)):
        got, want = sorted(published.get(county, [])), rerun.get(county, [])
        if got != want:
            problems.append(f"county {county}: the published sample {got} differs from the "
                            f"re-run {want}")
    return problems


def _read(source, timeout=30):
    if source.startswith(("http://", "https://")):
        request = Request(source, headers={"Accept": "application/json"})
        with urlopen(request, timeout=timeout) as response:  # noqa: S310 (the user's URL)
            return json.load(response)
    if source == "-":
        return json.load(sys.stdin)
    with open(source, encoding="utf-8") as f:
        return json.load(f)


def main(argv=None):
    """``fazhi-draw verify FILE_OR_URL``: check a published spot-check draw offline.

    FILE_OR_URL is the JSON of the public endpoint (GET /api/v1/evaluation/public/draws/ID,
    no account needed), a file saved from it, or - for standard input. Exits 0 when the
    draw verifies, 1 when it does not (saying what differs), 2 when it cannot be read.
    """
    parser = argparse.ArgumentParser(prog="fazhi-draw", description=main.__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["verify"])
    parser.add_argument("source", help="a file, an http(s) URL, or - for standard input")
    args = parser.parse_args(argv)
    try:
        record = _read(args.source)
    except (OSError, ValueError) as exc:
        print(f"cannot read the draw from {args.source}: {exc}", file=sys.stderr)
        return 2
    if not isinstance(record, dict):
        print(f"{args.source} holds no draw (a JSON object)", file=sys.stderr)
        return 2
    name = f"draw {record.get('id', '?')}"
    problems = verify(record)
    if problems:
        print(f"{name.upper()} DOES NOT VERIFY:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    eligible = record.get("eligible") or {}
    counted = (f"{sum(len(codes) for codes in eligible.values())} eligible communities in "
               f"{len(eligible)} counties")
    if record.get("seed") is None:
        print(f"{name} is committed, not yet revealed: its eligible list ({counted}) matches "
              "the committed digest; verify again after the reveal")
        return 0
    drawn = sum(len(codes) for codes in (record.get("sample") or {}).values())
    print(f"{name} verifies: the seed matches its committed hash, the eligible list "
          f"({counted}) matches its digest, and re-running {METHOD} gives the published "
          f"sample of {drawn}")
    if record.get("status") == "superseded":
        print(f"note: {name} was superseded by a redraw: {record.get('superseded_reason')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
