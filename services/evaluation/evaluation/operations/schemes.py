"""Scoring schemes: kept by a city or above, edited in place until used, then versioned."""
import eventlet
from sqlalchemy import func, select

from evaluation import domain
from evaluation.models import Result, Scheme
from evaluation.operations.scoring import current_period, refresh_many
from fazhi_common.contracts.errors import Conflict, NotFound, field_error
from fazhi_common.db import paginate
from fazhi_common.jobs import start_job


def _scheme_in_use(session, scheme_id):
    # the first result found will do: counting them all grew with every result stored
    return session.scalar(select(Result.community_code)
                          .where(Result.scheme_id == scheme_id).limit(1)) is not None


def scheme_view(session, scheme):
    return {**scheme.definition, "id": scheme.id, "key": scheme.key, "version": scheme.version,
            "name": scheme.name, "community_class": scheme.community_class,
            "economic_tier": scheme.economic_tier, "status": scheme.status,
            "in_use": _scheme_in_use(session, scheme.id),
            "total_points": domain.total_points(scheme.definition),
            "supersedes_id": scheme.supersedes_id, "created_at": scheme.created_at}


def _scheme_row(data, version, supersedes_id=None):
    return Scheme(key=data["key"], version=version, name=data["name"],
                  community_class=data["community_class"],
                  economic_tier=data.get("economic_tier"), status="active",
                  definition=data, supersedes_id=supersedes_id)


def create_scheme(session, data, scope):
    domain.check_scheme_keeper(scope.area)
    domain.check_scheme(data)
    if session.scalar(select(Scheme.id).where(Scheme.key == data["key"]).limit(1)):
        raise Conflict(f"A scheme {data['key']} exists; edit it to make a new version.",
                       {"key": ["exists"]})
    scheme = _scheme_row(data, 1)
    session.add(scheme)
    session.flush()
    return scheme


def get_scheme(session, scheme_id):
    scheme = session.get(Scheme, scheme_id)
    if scheme is None:
        raise NotFound(f"No scheme {scheme_id}.")
    return scheme


def edit_scheme(session, scheme_id, data, scope, today):
    """Change a scheme: in place while unused, else as its next version.

    The new version takes over the current period's results at once (the score is always
    current); results of past periods stay with the version they were scored with.
    """
    domain.check_scheme_keeper(scope.area)
    scheme = get_scheme(session, scheme_id)
    if scheme.status != "active":
        raise Conflict(f"Scheme {scheme_id} was superseded; edit its current version.",
                       {"id": ["superseded"]})
    if data["key"] != scheme.key:
        raise field_error("key", f"The key of a scheme cannot change (it is {scheme.key}).")
    domain.check_scheme(data)
    if not _scheme_in_use(session, scheme.id):
        for attr in ("name", "community_class", "economic_tier"):
            setattr(scheme, attr, data.get(attr))
        scheme.definition = data
        return scheme, False
    newer = _scheme_row(data, scheme.version + 1, supersedes_id=scheme.id)
    scheme.status = "superseded"
    session.add(newer)
    session.flush()
    return newer, True


def start_recompute(session, superseded, scope, today, part_size=None):
    """Queue the recompute of the current period's results pinned to ``superseded``.

    A province holds tens of thousands of them: the revision answers at once, and the
    job (``recompute_pinned_step``) moves them to the new version batch by batch, in parts
    of ``part_size`` results by community code, which the service's instances share.
    """
    period = current_period(today)
    pinned = _pinned(superseded.id, period)
    numbered = select(Result.community_code, func.row_number().over(
        order_by=Result.community_code).label("n"), func.count().over().label("of")
    ).where(pinned.whereclause).subquery()
    size = part_size or RECOMPUTE_PART_SIZE
    bounds = session.scalars(select(numbered.c.community_code).where(
        numbered.c.n % size == 0, numbered.c.n < numbered.c.of)
        .order_by(numbered.c.community_code)).all()
    # part i moves the codes after bound i-1, up to and with bound i
    parts = [{"after": after, "upto": upto}
             for after, upto in zip([None, *bounds], [*bounds, None], strict=True)]
    return start_job(session, RECOMPUTE_PINNED, {"scheme_id": superseded.id,
                                                 "period": period}, scope, parts=parts)


RECOMPUTE_PINNED = "scheme_recompute"
RECOMPUTE_PART_SIZE = 4000  # results a part of the job moves (a province: ~7 parts)
RECOMPUTE_BATCH = 1000  # results a step moves, in one transaction
RECOMPUTE_CHUNK = 250  # results read and scored between two yields (~0.2 s of work)


def _pinned(scheme_id, period):
    return select(Result.community_code).where(Result.scheme_id == scheme_id,
                                               Result.period == period)


def recompute_pinned_step(session, job, today, batch=RECOMPUTE_BATCH):
    """One batch of a scheme revision's recompute (of its part: the codes after
    ``after`` up to ``upto``); True once every pinned result of it is done.

    The cursor (the last community recomputed) commits with the batch, so a job taken
    over after a crash continues after it: each result is recomputed once.
    """
    params = job.params
    pinned = _pinned(params["scheme_id"], params["period"])
    if params.get("upto") is not None:
        pinned = pinned.where(Result.community_code <= params["upto"])
    after = job.state.get("after", params.get("after"))
    if job.total is None:
        counted = pinned if params.get("after") is None else \
            pinned.where(Result.community_code > params["after"])
        job.total = session.scalar(select(func.count()).select_from(counted.subquery()))
    if after is not None:
        pinned = pinned.where(Result.community_code > after)
    codes = session.scalars(pinned.order_by(Result.community_code).limit(batch)).all()
    for start in range(0, len(codes), RECOMPUTE_CHUNK):
        # each input kind read once for the chunk, the results written in bulk
        refresh_many(session, codes[start:start + RECOMPUTE_CHUNK], params["period"], today)
        eventlet.sleep(0)  # heartbeats and other workers run within a batch too
    job.done += len(codes)
    if codes:
        job.state = {**job.state, "after": codes[-1]}
    finished = len(codes) < batch
    if finished:
        job.result = {"recomputed": job.done, "period": params["period"]}
    return finished


def list_schemes(session, query):
    q = select(Scheme).order_by(Scheme.key, Scheme.version)
    for key in ("community_class", "status", "key"):
        if query.get(key):
            q = q.where(getattr(Scheme, key) == query[key])
    return paginate(session, q, query["page"], query["per_page"])


def scheme_indicator(scheme, code, field):
    indicator = domain.indicator_map(scheme.definition).get(code)
    if indicator is None:
        raise field_error(field, f"Scheme {scheme.key} v{scheme.version} has no indicator "
                                 f"{code}.")
    return indicator
