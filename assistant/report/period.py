"""Read a report's period: `30d` (days back from today) or a date, always in UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from assistant.config import MAX_KEEP_DAYS
from assistant.errors import AssistantError


def parse_since(text: str) -> datetime:
    """Read `30d` (from midnight UTC, 30 days ago) or a date as the start of a period."""
    days = re.fullmatch(r"\s*(\d{1,5})\s*d\s*", text)
    try:
        if days:
            start = datetime.now(UTC) - timedelta(days=int(days.group(1)))
            start = start.replace(hour=0, minute=0, second=0, microsecond=0)
        else:
            start = parse_moment(text)
    except (AssistantError, OverflowError):
        raise AssistantError(
            f"The period {text!r} is neither a number of days (30d) nor a date (2026-09-01)."
        ) from None
    # Nothing is kept longer than the longest retention: a wider period only draws empty days.
    return max(start, datetime.now(UTC) - timedelta(days=MAX_KEEP_DAYS))


def parse_moment(text: str) -> datetime:
    """Read a date or date-time (UTC unless it says otherwise)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise AssistantError(f"{text!r} is not a date: write it as YYYY-MM-DD.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
