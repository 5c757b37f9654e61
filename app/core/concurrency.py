"""Optimistic concurrency: `version` in the body, `ETag` in the header, `If-Match` to write."""

import re
from typing import Annotated

from fastapi import Depends, Header, Response

from app.core.errors import PreconditionFailed

ANY = -1  # ``If-Match: *``
NONE_OF_OURS = -2  # entity-tags this API never issued: the condition is false (412)
IF_MATCH = "If-Match"
IF_MATCH_DOC = (
    'The ETag from the last read, e.g. `"3"` (or `W/"3"`); `*` matches any version. '
    "Any other value is a condition that cannot hold: 412."
)
# One entity-tag of ours: a version of at most nine digits, strong or weak.
_OUR_TAG = re.compile(r'^(?:W/)?"([0-9]{1,9})"$')


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def parse_if_match(value: str) -> int:
    """The version an ``If-Match`` value names; ``ANY`` for ``*``.

    RFC 9110 §13.1.1: the condition holds when one of the listed entity-tags matches. A value
    naming no tag of ours (another server's, or not an entity-tag at all) can never match, so
    it is a false condition (412), not a malformed request: the schema does not constrain
    it further than the RFC does. In a list, the first tag of ours counts.
    """
    if value.strip() == "*":
        return ANY
    for tag in value.split(","):
        match = _OUR_TAG.match(tag.strip())
        if match:
            return int(match.group(1))
    return NONE_OF_OURS


async def if_match(
    if_match: Annotated[
        str,
        Header(alias=IF_MATCH, description=IF_MATCH_DOC, examples=['"3"']),
    ],
) -> int:
    """The version the client last saw.

    The header is required in the contract; when it is missing the request is answered
    428 ``precondition_required`` (RFC 6585) by the validation handler in ``app.core.errors``.
    """
    return parse_if_match(if_match)


async def optional_if_match(
    if_match: Annotated[
        str | None,
        Header(alias=IF_MATCH, description=IF_MATCH_DOC, examples=['"3"']),
    ] = None,
) -> int | None:
    """``If-Match`` where it may be left out (a write that can also create)."""
    return parse_if_match(if_match) if if_match is not None else None


IfMatchDep = Annotated[int, Depends(if_match)]
OptionalIfMatchDep = Annotated[int | None, Depends(optional_if_match)]


def check_version(current: int, expected: int) -> None:
    """Call after the object was found in scope, so a stale header never leaks existence."""
    if expected != ANY and expected != current:
        raise PreconditionFailed(current=current)
