"""School years are strings like ``"2024-2025"``; a year runs from September to August."""

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from app.core.model_base import to_local_date

# ASCII digits: `\d` also matches other scripts' digits, which int() would then accept
_PATTERN = re.compile(r"^([0-9]{4})-([0-9]{4})$")
SCHOOL_YEAR_FORMAT = "school-year"


def _check(value: str) -> str:
    match = _PATTERN.match(value)
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise ValueError("a school year is two consecutive years, e.g. 2024-2025")
    return value


SchoolYear = Annotated[
    str,
    # Consecutive years are beyond a `pattern`, and a pattern beside the format would make
    # generators draw from it ("0000-0000", which is refused): the custom format alone names
    # the rule, for readers and for generators that know it (`.ci/schemathesis_hooks.py`).
    Field(
        description="Two consecutive years `YYYY-YYYY`, e.g. `2024-2025`.",
        examples=["2024-2025"],
        json_schema_extra={"format": SCHOOL_YEAR_FORMAT},
    ),
    AfterValidator(_check),
]


def school_year_of(moment: date | datetime) -> str:
    """The school year a day belongs to, in Vietnam's time zone for timestamps."""
    day = to_local_date(moment) if isinstance(moment, datetime) else moment
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"
