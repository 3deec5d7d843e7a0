"""Occurrence rules → occurrence times, with python-dateutil's rrule in the event's IANA zone.

Rules are expanded in *wall-clock* time (naive datetimes in the event's zone) and each start is
then placed in the zone with zoneinfo: a weekly 20:00 show is 20:00 local on both sides of a DST
change, and its UTC instant moves by the hour. Two local times need a convention:
- a start inside a spring-forward gap (02:30 on the night clocks jump 02:00→03:00) does not exist;
  it is moved forward by the gap (03:30), which is what zoneinfo's fold=0 gives;
- a start inside the autumn overlap (02:30 happens twice) is the first of the two (summer time).
Durations are elapsed time: a 60-minute show lasts 60 minutes even across a switch.

Rules always end (on a date or after N occurrences), so a full expansion is bounded by
`events_max_occurrences`; exclusions follow RFC 5545 (an excluded occurrence still counts
towards `after`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import Any, get_args
from zoneinfo import ZoneInfo

from dateutil.relativedelta import weekday as rrule_weekday
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule, rruleset, weekdays

from livehouse.core.errors import ValidationFailed
from livehouse.events.schemas import OccurrenceRule, Weekday

WEEKDAYS: tuple[str, ...] = get_args(Weekday)
FREQUENCIES = {"daily": DAILY, "weekly": WEEKLY, "monthly": MONTHLY}
# Fields each rule type may carry (besides `type`); anything else set is a bad combination.
ALLOWED = {
    "single": {"starts_on", "duration_minutes"},
    "daily": {"starts_on", "duration_minutes", "interval", "ends", "exclusions"},
    "weekly": {"starts_on", "duration_minutes", "interval", "days", "ends", "exclusions"},
    "monthly": {
        "starts_on",
        "duration_minutes",
        "interval",
        "monthly_by",
        "day_of_month",
        "week_of_month",
        "weekday",
        "ends",
        "exclusions",
    },
    "schedule": {"schedule"},
}
DEFAULTS: dict[str, Any] = {"interval": 1, "exclusions": []}


@dataclass(frozen=True, slots=True)
class Slot:
    """One occurrence: its wall-clock start, and its instants."""

    local_start: datetime  # naive, in the event's zone
    starts_at: datetime  # aware UTC
    ends_at: datetime  # aware UTC


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Naive wall-clock time in `zone` → aware UTC (gaps move forward, overlaps take the first)."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def to_local(value: datetime, zone: ZoneInfo) -> datetime:
    """Any datetime → naive wall-clock time in `zone` (naive input is taken as already local)."""
    if value.tzinfo is None:
        return value.replace(microsecond=0)
    return value.astimezone(zone).replace(tzinfo=None, microsecond=0)


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed.field(f"occurrence.{field}" if field else "occurrence", message)


def normalise(rule: OccurrenceRule, timezone: str) -> dict[str, Any]:
    """Check the combination of fields and return the rule as stored (JSON, local times).
    Raises ValidationFailed naming the field."""
    zone = ZoneInfo(timezone)
    allowed = ALLOWED[rule.type]
    for name in OccurrenceRule.model_fields:  # in declaration order: stable error messages
        if name == "type" or name not in rule.model_fields_set:
            continue
        value = getattr(rule, name)
        if name not in allowed and value not in (None, DEFAULTS.get(name)):
            raise _fail(name, f"does not apply to a {rule.type} rule")
    if rule.type == "schedule":
        if not rule.schedule:
            raise _fail("schedule", "a schedule rule needs at least one entry")
        entries = [
            {"starts_on": to_local(e.starts_on, zone), "duration_minutes": e.duration_minutes}
            for e in rule.schedule
        ]
        seen: set[datetime] = set()
        for i, entry in enumerate(entries):
            if entry["starts_on"] in seen:
                raise _fail(f"schedule.{i}.starts_on", "appears twice in the schedule")
            seen.add(entry["starts_on"])
        entries.sort(key=lambda e: e["starts_on"])
        return {
            "type": "schedule",
            "schedule": [
                {"starts_on": e["starts_on"].isoformat(), "duration_minutes": e["duration_minutes"]}
                for e in entries
            ],
        }
    if rule.starts_on is None:
        raise _fail("starts_on", f"a {rule.type} rule needs a start")
    if rule.duration_minutes is None:
        raise _fail("duration_minutes", "is required")
    start = to_local(rule.starts_on, zone)
    stored: dict[str, Any] = {
        "type": rule.type,
        "starts_on": start.isoformat(),
        "duration_minutes": rule.duration_minutes,
    }
    if rule.type == "single":
        return stored
    stored["interval"] = rule.interval
    if rule.ends is None:
        raise _fail("ends", "a recurring rule must end: give ends.on (a date) or ends.after")
    if (rule.ends.on is None) == (rule.ends.after is None):
        raise _fail("ends", "give either ends.on (a date) or ends.after (a count), not both")
    if rule.ends.on is not None:
        if rule.ends.on < start.date():
            raise _fail("ends.on", "must not be before starts_on")
        stored["ends"] = {"on": rule.ends.on.isoformat()}
    else:
        stored["ends"] = {"after": rule.ends.after}
    if rule.type == "weekly":
        days = rule.days or [WEEKDAYS[start.weekday()]]
        if len(set(days)) != len(days):
            raise _fail("days", "each day may appear once")
        stored["days"] = sorted(days, key=WEEKDAYS.index)
    if rule.type == "monthly":
        stored.update(_monthly(rule, start))
    stored["exclusions"] = _exclusions(rule, zone)
    return stored


def _monthly(rule: OccurrenceRule, start: datetime) -> dict[str, Any]:
    by_weekday = rule.week_of_month is not None or rule.weekday is not None
    by = rule.monthly_by or ("weekday" if by_weekday else "day_number")
    if by == "day_number":
        if rule.week_of_month is not None or rule.weekday is not None:
            raise _fail("monthly_by", "week_of_month and weekday need monthly_by 'weekday'")
        day = rule.day_of_month if rule.day_of_month is not None else start.day
        if day == 0:
            raise _fail("day_of_month", "use 1-31, or -1 for the last day of the month")
        return {"monthly_by": "day_number", "day_of_month": day}
    if rule.day_of_month is not None:
        raise _fail("day_of_month", "needs monthly_by 'day_number'")
    week = rule.week_of_month
    if week is None:
        week = (start.day - 1) // 7 + 1  # the 1st…5th such weekday of its month
        week = -1 if week == 5 else week
    if week == 0:
        raise _fail("week_of_month", "use 1-5, or -1 for the last")
    return {
        "monthly_by": "weekday",
        "week_of_month": week,
        "weekday": rule.weekday or WEEKDAYS[start.weekday()],
    }


def _exclusions(rule: OccurrenceRule, zone: ZoneInfo) -> list[str]:
    out = [
        to_local(value, zone).isoformat() if isinstance(value, datetime) else value.isoformat()
        for value in rule.exclusions
    ]
    if len(set(out)) != len(out):
        raise _fail("exclusions", "each exclusion may appear once")
    return out


def _base_rule(stored: dict[str, Any]) -> rrule:
    start = datetime.fromisoformat(stored["starts_on"])
    kwargs: dict[str, Any] = {"dtstart": start, "interval": stored.get("interval", 1)}
    ends = stored["ends"]
    if "after" in ends:
        kwargs["count"] = ends["after"]
    else:
        kwargs["until"] = datetime.combine(date.fromisoformat(ends["on"]), time.max)
    if stored["type"] == "weekly":
        kwargs["byweekday"] = [weekdays[WEEKDAYS.index(d)] for d in stored["days"]]
    elif stored["type"] == "monthly":
        if stored["monthly_by"] == "day_number":
            kwargs["bymonthday"] = stored["day_of_month"]
        else:
            day: rrule_weekday = weekdays[WEEKDAYS.index(stored["weekday"])]
            kwargs["byweekday"] = day(stored["week_of_month"])
    return rrule(FREQUENCIES[stored["type"]], **kwargs)


def local_starts(stored: dict[str, Any], limit: int) -> list[tuple[datetime, int]]:
    """(local start, duration in minutes) of every occurrence, at most `limit` + 1 of them (so
    callers can tell "too many"). Exclusions that match nothing raise ValidationFailed."""
    if stored["type"] == "schedule":
        return [
            (datetime.fromisoformat(e["starts_on"]), e["duration_minutes"])
            for e in stored["schedule"][: limit + 1]
        ]
    start = datetime.fromisoformat(stored["starts_on"])
    duration = stored["duration_minutes"]
    if stored["type"] == "single":
        return [(start, duration)]
    base = _base_rule(stored)
    everything = list(islice(base, limit + 1))
    if len(everything) > limit:
        return [(s, duration) for s in everything]
    dates = {s.date() for s in everything}
    rules = rruleset()
    rules.rrule(base)
    for i, raw in enumerate(stored.get("exclusions", [])):
        if len(raw) == 10:  # a whole local day
            day = date.fromisoformat(raw)
            if day not in dates:
                raise _fail(f"exclusions.{i}", f"no occurrence falls on {raw}")
            rules.exdate(datetime.combine(day, start.time()))
        else:
            moment = datetime.fromisoformat(raw)
            if moment not in set(everything):
                raise _fail(f"exclusions.{i}", f"no occurrence starts at {raw} (local time)")
            rules.exdate(moment)
    return [(s, duration) for s in rules]


def expand(stored: dict[str, Any], timezone: str, limit: int) -> list[Slot]:
    """Every occurrence of a stored rule, in order. Raises ValidationFailed when the rule makes
    none, or more than `limit`."""
    zone = ZoneInfo(timezone)
    starts = local_starts(stored, limit)
    if len(starts) > limit:
        field = "schedule" if stored["type"] == "schedule" else "ends"
        raise _fail(field, f"this rule makes more than {limit} occurrences; end it sooner")
    slots = []
    for local, minutes in starts:
        begins = to_utc(local, zone)
        slots.append(Slot(local, begins, begins + timedelta(minutes=minutes)))
    slots.sort(key=lambda s: s.starts_at)
    if not slots:
        raise _fail("", "this rule makes no occurrence (everything is excluded)")
    return slots


def check(rule: OccurrenceRule, timezone: str, limit: int) -> tuple[dict[str, Any], list[Slot]]:
    """Normalise and expand in one go: the stored form and every slot."""
    stored = normalise(rule, timezone)
    return stored, expand(stored, timezone, limit)
