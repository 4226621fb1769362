"""When the working calendar changes (the override file edited, a calendar package
upgraded), every open deadline is counted again on the new one by a background job
(fazhi_common.jobs); each date that moves is written to the case's timeline and
announced (``mediation_deadline_recomputed``).

The calendar in force is known by its fingerprint (fazhi_common.workdays); the one the
stored deadlines were counted on is kept in ``mediation_calendar_state``.
"""
import logging
import re
from datetime import date

from sqlalchemy import select

from fazhi_common.clock import utcnow
from fazhi_common.contracts.roles import SYSTEM
from fazhi_common.jobs import start_job
from fazhi_common.outbox import record_event
from mediation import domain, timelimits
from mediation.deadlines import PROVISIONAL
from mediation.models import CalendarState, CaseStep, MediationCase
from mediation.operations import _case_event

log = logging.getLogger(__name__)
RECOMPUTE_JOB = "recompute_deadlines"
BATCH = 200
_PROVISIONAL_NOTE = re.compile(rf"; {PROVISIONAL}: [^;]*")


def check_calendar(session, calendar):
    """Queue a recompute when ``calendar`` is not the one the deadlines were last counted
    on (a first start counts too: deadlines of an older release may predate the
    statutory holidays); the job, or None when nothing changed.

    Each calendar applied is kept: an instance still on one that was since replaced (a
    rolling upgrade, an override file not yet copied to every host) does not count the
    deadlines back, which would flip them to and fro between instances.
    """
    latest = session.scalar(select(CalendarState).order_by(CalendarState.id.desc()).limit(1))
    if latest is not None and latest.fingerprint == calendar.fingerprint:
        return None
    if session.scalar(select(CalendarState.id).where(
            CalendarState.fingerprint == calendar.fingerprint).limit(1)) is not None:
        log.warning("this instance's working calendar (%s) was replaced by a newer one: "
                    "deadlines are not counted on it again", calendar.source or "packaged")
        return None
    session.add(CalendarState(fingerprint=calendar.fingerprint, changed_at=utcnow()))
    return start_job(session, RECOMPUTE_JOB, {"fingerprint": calendar.fingerprint,
                                              "source": calendar.source}, SYSTEM, area="")


def _derived_basis(case, deadline, deadlines):
    """How a deadline stored before its counting was kept must have been counted (only
    where nothing since, an extension or a pause, changed it)."""
    if deadline == "acceptance":
        return [timelimits._segment(case.received_on, deadlines.acceptance)]
    if deadline == "judicial_confirmation" and case.concluded_on:
        return [timelimits._segment(case.concluded_on, deadlines.confirmation)]
    if deadline == "mediation" and not case.extensions and not any(
            s.action == "resume" for s in case.steps):
        start = case.period_start_on or case.accepted_on
        return [timelimits._segment(start, deadlines.rules_for(case).period)] if start else None
    return None


def recompute_case(case, deadlines):
    """Count ``case``'s running deadlines again: ``[(deadline, was, now)]`` of those that
    moved (their rules' provisional notes are brought up to date either way)."""
    moved = []
    for deadline, (due_column, rule_column, _statuses) in timelimits.DEADLINES.items():
        was = getattr(case, due_column)
        if was is None or not timelimits.running(case, deadline):
            continue
        segments = ((case.deadline_basis or {}).get(deadline)
                    or _derived_basis(case, deadline, deadlines))
        if not segments:
            continue
        now = deadlines.fold(segments)
        rule = _PROVISIONAL_NOTE.sub("", getattr(case, rule_column) or "")
        start = date.fromisoformat(segments[0]["from"])
        setattr(case, rule_column, rule + deadlines.provisional_note(start, now))
        if now != was:
            setattr(case, due_column, now)
            moved.append((deadline, was, now))
    return moved


def recompute_step(deadlines_of):
    """The job's step: one batch of open cases (by id) per transaction."""

    def step(session, job, today):
        deadlines = deadlines_of()
        after = job.state.get("after", 0)
        cases = session.scalars(
            select(MediationCase).where(MediationCase.id > after,
                                        MediationCase.status.notin_(domain.FINAL_STATUSES))
            .order_by(MediationCase.id).limit(BATCH)).all()
        changed = job.state.get("changed", 0)
        for case in cases:
            for deadline, was, now in recompute_case(case, deadlines):
                changed += 1
                note = (f"{deadline} deadline moved from {was} to {now}: the working "
                        "calendar changed")
                session.add(CaseStep(case_id=case.id, action="recompute_deadline",
                                     from_status=case.status, to_status=case.status, on=today,
                                     actor=SYSTEM.subject, actor_role=SYSTEM.role,
                                     actor_department=SYSTEM.department, note=note))
                record_event(session, "mediation_deadline_recomputed", {
                    **_case_event(case), "deadline": deadline, "previous_due_on": was,
                    "due_on": now})
        job.state = {**job.state, "after": cases[-1].id if cases else after,
                     "changed": changed}
        job.done = (job.done or 0) + len(cases)
        if len(cases) < BATCH:
            job.result = {"deadlines_moved": changed}
            return True
        return False

    return step

