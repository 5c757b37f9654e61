"""Optimistic concurrency: `version` in the body, `ETag` in the header, `If-Match` to write."""

from typing import Annotated

from fastapi import Depends, Header, Response

from app.core.errors import PreconditionFailed, PreconditionRequired

ANY = -1  # ``If-Match: *``


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def if_match(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description='The ETag from the last read, e.g. `"3"`; `*` matches any version.',
        ),
    ] = None,
) -> int:
    """The version the client last saw; 428 when the header is missing."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired()
    value = if_match.strip()
    if value == "*":
        return ANY
    value = value.removeprefix("W/").strip('"')
    if not value.isdigit():
        raise PreconditionFailed(current="?")
    return int(value)


IfMatchDep = Annotated[int, Depends(if_match)]


def check_version(current: int, expected: int) -> None:
    """Call after the object was found in scope, so a stale header never leaks existence."""
    if expected != ANY and expected != current:
        raise PreconditionFailed(current=current)
