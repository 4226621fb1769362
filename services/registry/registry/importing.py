"""Bulk import of unit lists (counties, towns, communities, villages): the check and the job.

Rows come from ``office_files`` (CSV in UTF-8 or GBK, or Excel). An import is all or
nothing: every row is checked first, and if any row is wrong the report names each bad row
and field and nothing is written. Importing the same list twice changes nothing the second
time."""
import zlib
from types import SimpleNamespace

import eventlet
from sqlalchemy import insert, select, update

from fazhi_common.clock import utcnow
from fazhi_common.contracts.api import registry as api
from fazhi_common.contracts.errors import ValidationFailed
from fazhi_common.contracts.events import area_of
from fazhi_common.contracts.roles import PLATFORM_ADMIN, Identity
from fazhi_common.jobs import Job
from fazhi_common.outbox import record_events
from registry import domain
from registry.models import Community, County, Town
from registry.office_files import (
    COMMUNITY_LABELS,
    KIND_LABELS,
    KINDS_BY_LEVEL,
    LEVELS,
    read_upload,
    resolve_kind,
)
from registry.operations import community_record

MODELS = {domain.COUNTY: County, domain.TOWN: Town, domain.COMMUNITY: Community}
# rows written per bulk statement: what the write holds in memory at a time
CHUNK = 2000


# -- checking and writing -------------------------------------------------------------------

def check_row(row, known_parents=None):
    """Normalised row, or a dict of field errors. ``known_parents``: codes already valid
    (None: the caller checks the parent itself, as the streamed import does)."""
    errors = {}
    try:
        level = domain.division_level(row["code"])
    except ValidationFailed as exc:
        return None, exc.fields
    if row.get("level") and row["level"] not in LEVELS:
        errors["level"] = [f"one of {', '.join(LEVELS)}"]
    elif row.get("level") and row["level"] != level:
        errors["level"] = [f"the code names a {level}, not a {row['level']}"]
    name = (row.get("name") or "").strip()
    if not name or len(name) > 100:
        errors["name"] = ["a name of 1 to 100 characters is required"]
    urban_rural = row.get("urban_rural_code") or None
    if urban_rural and level != domain.COMMUNITY:
        errors["urban_rural_code"] = ["only a community or village carries one"]
    elif urban_rural and urban_rural not in api.URBAN_RURAL_CODES:
        errors["urban_rural_code"] = [f"one of {', '.join(api.URBAN_RURAL_CODES)}"]
    kind = resolve_kind(level, row.get("kind"), name, urban_rural, row["code"])
    if kind not in KINDS_BY_LEVEL[level]:
        labels = [*KINDS_BY_LEVEL[level], *KIND_LABELS[level]]
        if level == domain.COMMUNITY:
            labels += COMMUNITY_LABELS
        errors["kind"] = [f"a {level} is one of {', '.join(labels)}"]
    parent = domain.parent_code(row["code"])
    if known_parents is not None and parent and parent not in known_parents:
        errors["code"] = [_orphan(parent)]
    if errors:
        return None, errors
    # a kind the list states may contradict the numbering: imported, with a warning
    warning = (level == domain.COMMUNITY and row.get("kind")
               and domain.numbering_warning(row["code"], kind))
    return {"line": row["line"], "code": row["code"], "name": name, "level": level,
            "kind": kind, "parent": parent, "urban_rural_code": urban_rural,
            "warnings": {"kind": [warning]} if warning else {}}, None


def _orphan(parent):
    return f"its parent {parent} is neither registered nor in the file"


def _no_progress(stage, done, total):
    pass


def _digest(row):
    """What a repeated row must say again to be a harmless repeat rather than a clash."""
    text = "\x1f".join((row["name"], row["kind"], row["urban_rural_code"] or ""))
    return zlib.crc32(text.encode())


class Checked:
    """What the check pass keeps of a list, small even for the whole country: the units
    above communities (a few tens of thousands), and per community code one integer
    (its first line and a digest of its content)."""

    def __init__(self):
        self.upper = {}        # code -> normalised county or town row, first occurrence
        self.communities = {}  # int(code) -> line << 32 | digest
        self.deferred = []     # (line, code, parent) of rows whose parent came later
        self.errors, self.warnings = [], []
        self.rows = 0

    def first_line(self, code, level):
        if level == domain.COMMUNITY:
            packed = self.communities.get(int(code))
            return None if packed is None else packed >> 32
        row = self.upper.get(code)
        return None if row is None else row["line"]


def check_rows(session, rows, progress=_no_progress, scope=None):
    """Check every row of ``rows`` (any iterable, read once); return a ``Checked``.

    A code twice with the same name and kind is a repeat, imported once with a warning;
    with a different name or kind it is an error. A row's parent must be registered or
    in the file (anywhere: lists are not always parent-first). With ``scope``, a row
    outside the caller's area is an error too.
    """
    known = set(session.scalars(select(County.code))) | set(session.scalars(select(Town.code)))
    checked = Checked()
    for row in rows:
        checked.rows += 1
        if checked.rows % 5000 == 0:
            progress("check", checked.rows, None)
        good, problems = check_row(row)
        if scope is not None and not scope.covers(row["code"]):
            problems = {**(problems or {}), "code": ["outside your area"]}
        if problems:
            checked.errors.append({"line": row["line"], "code": row["code"],
                                   "fields": problems})
            continue
        digest = _digest(good)
        first = checked.first_line(good["code"], good["level"])
        if first is not None:
            same = (checked.communities[int(good["code"])] & 0xFFFFFFFF == digest
                    if good["level"] == domain.COMMUNITY
                    else _digest(checked.upper[good["code"]]) == digest)
            problem = (f"repeats line {first}; imported once" if same else
                       f"appears twice in the file (line {first}) with another name or kind")
            (checked.warnings if same else checked.errors).append(
                {"line": row["line"], "code": good["code"], "fields": {"code": [problem]}})
            continue
        if good["warnings"]:
            checked.warnings.append({"line": row["line"], "code": good["code"],
                                     "fields": good["warnings"]})
        if good["level"] == domain.COMMUNITY:
            checked.communities[int(good["code"])] = good["line"] << 32 | digest
        else:
            checked.upper[good["code"]] = good
        if good["parent"] and good["parent"] not in known:
            checked.deferred.append((good["line"], good["code"], good["parent"]))
        elif good["level"] != domain.COMMUNITY:
            known.add(good["code"])
    progress("check", checked.rows, checked.rows)
    _check_parents(checked, known)
    checked.errors.sort(key=lambda e: e["line"])
    checked.warnings.sort(key=lambda e: e["line"])
    return checked


def _check_parents(checked, known):
    """The rows whose parent was not known when they came: parents first, by depth."""
    for line, code, parent in sorted(checked.deferred,
                                     key=lambda d: (domain.division_level(d[1]) != domain.TOWN,
                                                    d[0])):
        if parent in known:
            if code in checked.upper:
                known.add(code)
            continue
        checked.errors.append({"line": line, "code": code,
                               "fields": {"code": [_orphan(parent)]}})
        checked.upper.pop(code, None)


def _record_registered(session, level, units):
    if level == domain.COUNTY:
        record_events(session, "county_registered", [
            {"county_code": u["code"], "name": u["name"], "kind": u["kind"]} for u in units])
    elif level == domain.TOWN:
        record_events(session, "town_registered", [
            {**area_of(u["code"]), "name": u["name"], "kind": u["kind"]} for u in units])
    else:
        record_events(session, "community_registered", [
            community_record(SimpleNamespace(**u, economic_tier=None, reorganised_on=None))
            for u in units])


def _write_chunk(session, level, rows, counties_of_towns, result):
    """Write one chunk of checked rows of one level: bulk inserts, events in bulk, and
    updates of the units already registered; then the session forgets them."""
    model = MODELS[level]
    codes = [r["code"] for r in rows]
    existing = {u.code: u for u in session.scalars(select(model).where(model.code.in_(codes)))}
    new, updated = [], []
    for row in rows:
        unit = existing.get(row["code"])
        if unit is None:
            fields = {"code": row["code"], "name": row["name"], "kind": row["kind"]}
            if level == domain.TOWN:
                fields["county_code"] = row["parent"]
            elif level == domain.COMMUNITY:
                fields.update(town_code=row["parent"],
                              county_code=counties_of_towns[row["parent"]],
                              status="active", urban_rural_code=row["urban_rural_code"])
            new.append(fields)
            continue
        # a list without the classification column leaves a unit's code as it was
        urban_rural = (row["urban_rural_code"] or unit.urban_rural_code
                       if level == domain.COMMUNITY else None)
        if (unit.name, unit.kind) == (row["name"], row["kind"]) and (
                level != domain.COMMUNITY or unit.urban_rural_code == urban_rural):
            result["unchanged"] += 1
            continue
        unit.name, unit.kind = row["name"], row["kind"]
        if level == domain.COMMUNITY:
            unit.urban_rural_code = urban_rural
            updated.append(unit)
        result["updated"] += 1
    if new:
        session.execute(insert(model), new)
        _record_registered(session, level, new)
        result["created"] += len(new)
    if updated:
        record_events(session, "community_updated", [community_record(u) for u in updated])
    session.flush()
    for unit in existing.values():  # forget them (only them: the caller may hold others)
        session.expunge(unit)
    if level == domain.TOWN:
        counties_of_towns.update((r["code"], r["parent"]) for r in rows)


def _chunks(rows, size=CHUNK):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _communities_to_write(rows, checked):
    """The community rows of a second reading of the file, each code once."""
    for row in rows:
        good, _ = check_row(row)
        if good and good["level"] == domain.COMMUNITY and \
                checked.communities.get(int(good["code"]), 0) >> 32 == good["line"]:
            yield good


def import_rows(session, rows, dry_run=False, progress=_no_progress, scope=None):
    """Import unit rows all or nothing; the result counts what happened to each.

    ``rows`` is read twice (a list, or a ``FileRows`` that reads its file again): once to
    check every row, once to write. Memory stays bounded by ``CHUNK`` rows and what
    ``Checked`` keeps, so a national list imports in one transaction, all or nothing.
    """
    checked = check_rows(session, rows, progress, scope)
    result = {"checked": checked.rows, "created": 0, "updated": 0, "unchanged": 0,
              "failed": len(checked.errors), "errors": checked.errors,
              "warnings": checked.warnings, "rows": checked.rows}
    if checked.errors or dry_run:
        return result
    total, done = len(checked.upper) + len(checked.communities), 0
    counties_of_towns = dict(session.execute(select(Town.code, Town.county_code)).all())
    for level in (domain.COUNTY, domain.TOWN):
        upper = sorted((r for r in checked.upper.values() if r["level"] == level),
                       key=lambda r: r["line"])
        for chunk in _chunks(upper):
            _write_chunk(session, level, chunk, counties_of_towns, result)
            done += len(chunk)
            progress("write", done, total)
    for chunk in _chunks(_communities_to_write(rows, checked)):
        _write_chunk(session, domain.COMMUNITY, chunk, counties_of_towns, result)
        done += len(chunk)
        progress("write", done, total)
    return result


def import_all_or_nothing(session, rows, progress=_no_progress):
    """``import_rows``, raising with the row report if any row is wrong."""
    result = import_rows(session, rows, progress=progress)
    if result["errors"]:
        raise ValidationFailed(
            f"{len(result['errors'])} rows are invalid; nothing was imported.",
            {f"line {e['line']}": e["fields"] for e in result["errors"]})
    return result


IMPORT_JOB = "import_units"


def _job_progress(session, job):
    """How a job's import tells how far it is: yielding to the service's other green
    threads, and on PostgreSQL also writing ``done``/``total`` and the heartbeat from a
    second connection (every 5,000 rows checked, every chunk written), so pollers see it
    move while its one transaction runs. (SQLite has one writer: its import shows its
    counts at the end.) The step's own session must not touch the job row before the
    end, or the second connection would wait for it."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return lambda stage, done, total: eventlet.sleep(0)

    def progress(stage, done, total):
        eventlet.sleep(0)
        with bind.engine.begin() as conn:
            conn.execute(update(Job).where(Job.id == job.id).values(
                done=done, total=total, heartbeat_at=utcnow()))
    return progress


def import_step(session, job, today):
    """A long import run as a job (``fazhi_common.jobs``): the upload is checked and
    written in this one step, one transaction, all or nothing as any import, streamed
    from the upload kept in the job's parameters; the job's result is the row report."""
    rows = read_upload(job.params["filename"], job.params["content_base64"])
    # the caller's area, as the request's identity saw it: rows outside it are errors
    scope = Identity(subject=job.requested_by, role=PLATFORM_ADMIN, area=job.area or None)
    result = import_rows(session, rows, dry_run=bool(job.params.get("dry_run")),
                         progress=_job_progress(session, job), scope=scope)
    job.total = job.done = result["rows"]
    job.result = {k: result[k] for k in ("checked", "created", "updated", "unchanged",
                                         "failed", "errors", "warnings")}
    return True
