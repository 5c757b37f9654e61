"""Routes of session check-in; kept beside ``app.events.router`` under the same prefix."""

import io
from typing import Any, Literal

import segno
from fastapi import Query, Request, Response, status

from app.auth.actor import ActorDep
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.offload import blocking
from app.core.types import Id
from app.events import checkin, service
from app.events.checkin_schemas import (
    CheckInCode,
    CheckInMark,
    CheckInOpen,
    CheckInRequest,
    CheckInStatus,
    UnitCheckInCounts,
)
from app.web.routing import api_router

router = api_router("/api/v1/events", "events")
BASE = "/{event_id}/sessions/{session_id}/check-in"
WRITE = problem_responses(403, 404, 409)
IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
CodeFormat = Literal["json", "png", "svg"]


def _status(session: Any, actor: Any, event: Any, row: Any) -> CheckInStatus:
    found, units = checkin.live_counts(session, actor, event, row)
    totals = {k: sum(u[k] for u in units) for k in ("roster", "checked_in", "late", "missing")}
    return CheckInStatus(
        session_id=row.id,
        state=checkin.state(found, checkin.now()),
        opens_at=found.opens_at if found else None,
        closes_at=found.closes_at if found else None,
        late_after=found.late_after if found else None,
        code_step_seconds=found.step_seconds if found else None,
        units=[UnitCheckInCounts(**u) for u in units],
        **totals,
    )


@router.post(f"{BASE}/open", name="check-in-open", responses=WRITE)
def open_check_in(
    session: SessionDep,
    actor: ActorDep,
    event_id: Id,
    session_id: Id,
    body: CheckInOpen | None = None,
) -> CheckInStatus:
    """The organiser opens check-in: a window around the session's start (event's choice,
    else the year's policy). Re-opening draws a new secret, so earlier codes stop working."""
    event = service.get_event(session, actor, event_id)
    row = service.get_session_of(session, event, session_id)
    checkin.open_check_in(session, actor, event, row, body or CheckInOpen())
    return _status(session, actor, event, row)


@router.post(f"{BASE}/close", name="check-in-close", responses=WRITE)
def close_check_in(
    session: SessionDep, actor: ActorDep, event_id: Id, session_id: Id
) -> CheckInStatus:
    event = service.get_event(session, actor, event_id)
    row = service.get_session_of(session, event, session_id)
    checkin.close_check_in(session, actor, event, row)
    return _status(session, actor, event, row)


@router.get(BASE, name="check-in-status", responses=problem_responses(403, 404))
def check_in_status(
    session: SessionDep, actor: ActorDep, event_id: Id, session_id: Id
) -> CheckInStatus:
    """Live counts for the organiser: on the roster, checked in, late, missing, per unit."""
    event = service.get_event(session, actor, event_id)
    row = service.get_session_of(session, event, session_id)
    return _status(session, actor, event, row)


def _code_format(request: Request, asked: CodeFormat | None) -> CodeFormat:
    if asked is not None:
        return asked
    for part in request.headers.get("accept", "").split(","):
        media_type = part.partition(";")[0].strip().lower()
        for fmt, known in IMAGE_TYPES.items():
            if media_type == known:
                return fmt  # type: ignore[return-value]
        if media_type == "application/json":
            return "json"
    return "json"


@router.get(
    f"{BASE}/code",
    name="check-in-code",
    response_model=CheckInCode,
    responses=problem_responses(403, 404, 409)
    | {
        200: {
            "content": {
                "image/png": {"schema": {"type": "string", "format": "binary"}},
                "image/svg+xml": {"schema": {"type": "string"}},
            },
            "description": "The code as JSON, or its QR image to project in the room.",
        }
    },
)
def check_in_code(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    event_id: Id,
    session_id: Id,
    format: CodeFormat | None = Query(
        default=None, description="The answer's form; else by Accept."
    ),
) -> Any:
    """The current code (it changes every step) for the organiser's screen, or its QR."""
    fmt = _code_format(request, format)
    event = service.get_event(session, actor, event_id)
    row = service.get_session_of(session, event, session_id)
    code, until, found = checkin.code_for(session, actor, event, row)
    payload = checkin.qr_payload(event, row, code)
    # a code is worth a step: no cache may keep it longer
    headers = {"Cache-Control": "no-store", "Expires": until.strftime("%a, %d %b %Y %H:%M:%S GMT")}
    if fmt == "json":
        body = CheckInCode(
            session_id=session_id,
            code=code,
            valid_until=until,
            step_seconds=found.step_seconds,
            qr_payload=payload,
        )
        return Response(body.model_dump_json(), media_type="application/json", headers=headers)
    return Response(blocking(_qr, payload, fmt), media_type=IMAGE_TYPES[fmt], headers=headers)


def _qr(payload: str, fmt: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(payload, error="m").save(buffer, kind=fmt, scale=10, border=2)
    return buffer.getvalue()


@router.post(
    BASE,
    name="check-in",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 404, 409, 429)
    | {200: {"model": CheckInMark, "description": "Already checked in: nothing changed."}},
)
def check_in(
    session: SessionDep,
    actor: ActorDep,
    event_id: Id,
    session_id: Id,
    body: CheckInRequest,
    response: Response,
) -> CheckInMark:
    """A participant on the roster checks themself in with the code shown in the room:
    `present`, or `late` after the policy's threshold. Wrong, expired or other sessions'
    codes, a closed window or someone not on the roster are refused and write nothing."""
    checkin.limiter.hit(actor.key)
    event = service.get_event(session, actor, event_id)
    row = service.get_session_of(session, event, session_id)
    result = checkin.check_in(session, actor, event, row, body.code)
    if not result.created:
        response.status_code = status.HTTP_200_OK
    return CheckInMark.model_validate(result.mark)
