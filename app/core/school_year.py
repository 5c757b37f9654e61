"""School years are strings like ``"2024-2025"``; a year runs from September to August."""

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from app.core.model_base import to_local_date

_PATTERN = re.compile(r"^(\d{4})-(\d{4})$")


def _check(value: str) -> str:
    match = _PATTERN.match(value)
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise ValueError("a school year is two consecutive years, e.g. 2024-2025")
    return value


SchoolYear = Annotated[
    str,
    StringConstraints(min_length=9, max_length=9),
    AfterValidator(_check),
]


def school_year_of(moment: date | datetime) -> str:
    """The school year a day belongs to, in Vietnam's time zone for timestamps."""
    day = to_local_date(moment) if isinstance(moment, datetime) else moment
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"
