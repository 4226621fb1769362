"""Time in one place: aware UTC timestamps for every stored instant."""
from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow():
    return datetime.now(timezone.utc)


def add_years(day, years):
    """The same day ``years`` later (or earlier); 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class UtcDateTime(TypeDecorator):
    """A timestamp column that always comes back timezone-aware (UTC).

    SQLite keeps no offset, so without this a stored UTC instant would be read back naive
    and leave the API as a local-looking time.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("store aware datetimes (fazhi_common.clock.utcnow)")
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value
