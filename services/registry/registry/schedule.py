"""Jobs the registry runs on a timer: announcing self-governance bodies due for election.

The work is done in SQL, one bounded batch per transaction, so a province of bodies never
becomes one long transaction or one long worker; each body term is announced once
(``election_due_announced_for`` remembers the term end that was announced), and two
instances running the job at once do not announce a body twice (rows are claimed with
``FOR UPDATE SKIP LOCKED`` where the database has it; SQLite serialises writers).
"""
from datetime import timedelta

from sqlalchemy import or_, select, update

from fazhi_common.outbox import record_event
from registry.models import Community, GovernanceBody


def announce_due_elections(session, today, notice_days, batch_size):
    """Announce one batch of bodies whose term ends within ``notice_days`` (or has ended)
    and whose current term was not announced yet. Returns the ids announced; the caller
    repeats in a new transaction while a full batch came back."""
    horizon = today + timedelta(days=notice_days)
    rows = session.execute(
        select(GovernanceBody.id, GovernanceBody.kind, GovernanceBody.term_ends_on,
               Community.code, Community.town_code, Community.county_code)
        .join(Community, Community.code == GovernanceBody.community_code)
        .where(GovernanceBody.term_ends_on.is_not(None), GovernanceBody.ended_on.is_(None),
               GovernanceBody.term_ends_on <= horizon,
               or_(GovernanceBody.election_due_announced_for.is_(None),
                   GovernanceBody.election_due_announced_for != GovernanceBody.term_ends_on),
               Community.status == "active")
        .order_by(GovernanceBody.term_ends_on, GovernanceBody.id)
        .limit(batch_size)
        .with_for_update(of=GovernanceBody, skip_locked=True)).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    session.execute(update(GovernanceBody).where(GovernanceBody.id.in_(ids))
                    .values(election_due_announced_for=GovernanceBody.term_ends_on)
                    .execution_options(synchronize_session=False))
    for row in rows:
        record_event(session, "election_due", {
            "county_code": row.county_code, "town_code": row.town_code,
            "community_code": row.code, "body_id": row.id, "body_kind": row.kind,
            "term_ends_on": row.term_ends_on, "overdue": row.term_ends_on <= today,
            "notice_days": notice_days})
    return ids
