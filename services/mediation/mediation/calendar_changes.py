"""Mediation's part of keeping deadlines right when the working calendar changes
(fazhi_common.calendar_changes runs the check and the job): which cases are open, and how
a case's deadlines are counted again. Each date that moves is written to the case's
timeline and announced (``mediation_deadline_recomputed``); the calendars the stored
deadlines were counted on are kept in ``mediation_calendar_state``.
"""
from datetime import date

from sqlalchemy import select

from fazhi_common import calendar_changes as changes
from fazhi_common.contracts.roles import SYSTEM
from fazhi_common.contracts.vocabulary import CASE_DEADLINES
from fazhi_common.outbox import record_event
from mediation import domain, timelimits
from mediation.deadlines import without_provisional_note
from mediation.models import CalendarState, CaseStep, MediationCase
from mediation.operations import _case_event

RECOMPUTE_JOB = changes.RECOMPUTE_JOB


def check_calendar(session, calendar):
    """A recompute job when ``calendar`` is new to the stored deadlines, else None
    (fazhi_common.calendar_changes.check_calendar)."""
    return changes.check_calendar(session, CalendarState, calendar)


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
        rule = without_provisional_note(getattr(case, rule_column))
        start = date.fromisoformat(segments[0]["from"])
        setattr(case, rule_column, rule + deadlines.provisional_note(start, now))
        if now != was:
            setattr(case, due_column, now)
            moved.append((deadline, was, now))
    return moved


def open_cases(after):
    """Cases not yet final, by id, after ``after``."""
    return (select(MediationCase).where(MediationCase.id > after,
                                        MediationCase.status.notin_(domain.FINAL_STATUSES))
            .order_by(MediationCase.id))


def recompute(session, case, deadlines, today):
    """Count ``case``'s deadlines again; each moved date to the timeline and announced.
    How many moved."""
    moved = recompute_case(case, deadlines)
    for deadline, was, now in moved:
        note = changes.moved_note(CASE_DEADLINES[deadline], was, now)
        session.add(CaseStep(case_id=case.id, action="recompute_deadline",
                             from_status=case.status, to_status=case.status, on=today,
                             actor=SYSTEM.subject, actor_role=SYSTEM.role,
                             actor_department=SYSTEM.department, note=note))
        record_event(session, "mediation_deadline_recomputed", {
            **_case_event(case), "deadline": deadline, "previous_due_on": was,
            "due_on": now})
    return len(moved)


def recompute_step(deadlines_of):
    """The job's step: one batch of open cases (by id) per transaction."""
    return changes.recompute_step(deadlines_of, open_cases, recompute)
