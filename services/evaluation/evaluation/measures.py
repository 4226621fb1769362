"""How facts other services announce are measured for an indicator: plain functions.

An indicator names what it counts: the mediation channels (people's mediation for the
people's-mediation success rate), the body kinds (居(村)委会 for elections held by law),
and for disclosures the schedule each kind is due on (monthly, quarterly, or monthly
where the community's collective finances are busy and quarterly otherwise). A period
whose deadline passed with no on-time disclosure is late; a measure with nothing
expected in the period is not applicable rather than 0.

Each measure's source is Simplified Chinese, the codes named by their vocabulary labels;
a result keeps the text it was scored with until it is recomputed.
"""
import calendar
import functools
import re
from datetime import date, timedelta

from fazhi_common.contracts.vocabulary import (
    DISCLOSURE_KINDS,
    DISCLOSURE_SCHEDULES,
    MEDIATION_KINDS,
    RECORD_KINDS,
)

SCHEDULES = ("monthly", "quarterly", "monthly_where_busy")
# 村民委员会组织法 art. 30: ordinary matters at least quarterly; finances monthly where the
# collective's finances are busy (集体财务往来较多), quarterly otherwise; major matters at
# once (not a period: the 四议两公开 indicator counts them)
DEFAULT_DISCLOSURE_SCHEDULE = {"party": "quarterly", "community": "quarterly",
                               "financial": "monthly_where_busy"}
DISCLOSURE_CITATION = "村民委员会组织法第三十条"
# the marker row a busy community's disclosure rows carry (inputs._disclosure_rows)
BUSY = ("finances_busy", None, None)
DEFAULT_GRACE_DAYS = 10
_PERIOD = re.compile(r"^(\d{4})-(?:Q([1-4])|(0[1-9]|1[0-2]))$")


def periods_of(schedule, year):
    if schedule == "monthly":
        return [f"{year}-{m:02d}" for m in range(1, 13)]
    return [f"{year}-Q{q}" for q in range(1, 5)]


@functools.lru_cache(maxsize=4096)  # the same few dozen periods for every community
def period_end(period):
    match = _PERIOD.match(period)
    if not match:
        return None
    year = int(match.group(1))
    month = 3 * int(match.group(2)) if match.group(2) else int(match.group(3))
    return date(year, month, calendar.monthrange(year, month)[1])


def _labelled(labels):
    """A tuple of codes -> their labels as a sentence names them, joined once per list of
    codes the schemes name (the same few lists for every community)."""
    @functools.lru_cache(maxsize=256)
    def joined(codes):
        return "、".join(labels.get(code, code) for code in codes)
    return joined


_mediation_kinds = _labelled(MEDIATION_KINDS)
_record_kinds = _labelled(RECORD_KINDS)


@functools.lru_cache(maxsize=64)  # the few schedules the schemes name, busy or not
def _plan(schedule, busy):
    """A disclosure schedule (sorted ``(kind, every)``) as its explanation states it."""
    return ("、".join(f"{DISCLOSURE_KINDS.get(kind, kind)}{DISCLOSURE_SCHEDULES.get(every, every)}"
                     for kind, every in schedule)
            + f"；{DISCLOSURE_CITATION}" + ("；集体财务往来较多" if busy else ""))


def disclosures(schedule, year, day, grace_days, records):
    """Measure a year's disclosures on ``day`` against the schedule.

    ``records``: ``(kind, period, on_time)`` of the disclosures made. A period is
    expected once its deadline (end + ``grace_days``) has passed, or once it was
    disclosed. Returns ``(value, applicable, source)``.
    """
    schedule = schedule or DEFAULT_DISCLOSURE_SCHEDULE
    busy = BUSY in records
    schedule = {kind: ("monthly" if busy else "quarterly") if every == "monthly_where_busy"
                else every for kind, every in schedule.items()}
    records = [r for r in records if r != BUSY]
    on_time = {(k, p) for k, p, ok in records if ok}
    made = {(k, p) for k, p, _ok in records}
    expected, late = [], []
    plan = tuple(sorted(schedule.items()))
    for kind, every in plan:
        name = DISCLOSURE_KINDS.get(kind, kind)
        for period in periods_of(every, year):
            due = period_end(period) + timedelta(days=grace_days)
            if due < day or (kind, period) in made:
                expected.append((kind, period))
                if (kind, period) not in on_time:
                    late.append(f"{name} {period}")
    plan = _plan(plan, busy)
    if not expected:
        return None, False, f"登记：{year} 年尚无到期应公开事项（{plan}）"
    source = (f"登记：截至 {day.isoformat()} 应公开 {len(expected)} 次，按时公开 "
              f"{len(expected) - len(late)} 次（{plan}）")
    if late:
        shown = "、".join(late[:6]) + (f" 等 {len(late)} 项" if len(late) > 6 else "")
        source += f"；逾期或未公开：{shown}"
    return round((len(expected) - len(late)) / len(expected), 4), True, source


def mediation(cases, channels, period):
    """Success rate of cases mediated to an end through the indicator's channels.

    ``cases``: ``(mediation_kind, outcome)``. No case in the period: not applicable.
    """
    counted = [outcome for kind, outcome in cases if not channels or kind in channels]
    named = f"（{_mediation_kinds(tuple(channels))}）" if channels else ""
    if not counted:
        return None, False, f"调解：{period} 年无调解结案的案件{named}"
    agreed = sum(outcome == "agreement" for outcome in counted)
    return (round(agreed / len(counted), 4), True,
            f"调解：{period} 年调解结案 {len(counted)} 件{named}，达成协议 {agreed} 件")


# how many records an explanation names before it says how many there are in all
NAMED_RECORDS = 3


def records(rows, fact, indicator_records, kinds, period):
    """Measure the registry's records for an indicator.

    ``rows``: ``(record_kind, subkind, record_id, dated_on, counts, label)`` of the records
    in force in the period (the community's own, then its town's and county's). Only the
    kinds the indicator names count; a record that does not count (a meeting below its
    quorum) is named apart. Returns ``(value, applicable, source)``.
    """
    mine = [r for r in rows if r[0] in indicator_records and (not kinds or r[1] in kinds)]
    counted = [r for r in mine if r[4]]
    apart = len(mine) - len(counted)
    if fact == "record_share" and not mine:
        return None, False, f"登记：{period} 年无{_record_kinds(tuple(indicator_records))}记录"
    if counted:
        shown = "；".join(f"{label}（{RECORD_KINDS.get(kind, kind)} #{id_}"
                         f"{'，' + on.isoformat() if on else ''}）"
                         for kind, _sub, id_, on, _ok, label in counted[:NAMED_RECORDS])
        source = f"登记：{shown}" + (f" 等 {len(counted)} 项" if len(counted) > NAMED_RECORDS
                                     else "")
    else:
        source = f"登记：{period} 年无计入的{_record_kinds(tuple(indicator_records))}记录"
    if apart:
        source += f"；另有 {apart} 项不计入（{mine[[r[4] for r in mine].index(False)][5]}）"
    if fact == "record_present":
        return (1.0 if counted else 0.0), True, source
    if fact == "record_count":
        return float(len(counted)), True, source
    return round(len(counted) / len(mine), 4), True, source


def supervision(rows, period):
    """Whether no one under community correction was lost from supervision (脱管) or left
    unreported past the report limit (漏管) in the period.

    ``rows``: ``(on, under_correction, unreported, lost_contact)`` of the community's
    counts as announced: the last before the period (how it began) and those in it, up to
    the day read on. Counts only: no person. No one under supervision: not applicable.
    """
    if not any(under or unreported or lost for _on, under, unreported, lost in rows):
        return None, False, f"corrections: no one under community correction in {period}"
    lapses = [(on, unreported, lost) for on, _u, unreported, lost in rows
              if unreported or lost]
    on, under, unreported, lost = rows[-1]
    latest = (f"{under} under correction, {lost} lost from supervision, {unreported} "
              f"unreported on {on.isoformat()}")
    if lapses:
        shown = "; ".join(f"{on.isoformat()}: {lost} lost from supervision, {unreported} "
                          "unreported" for on, unreported, lost in lapses[:NAMED_RECORDS])
        more = len(lapses) - NAMED_RECORDS
        return (0.0, True, f"corrections: {shown}" + (f" and {more} more" if more > 0 else "")
                + f" in {period}; latest: {latest}")
    return (1.0, True, f"corrections: no one lost from supervision or unreported in "
                       f"{period} ({latest})")
