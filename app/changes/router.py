from typing import Annotated

from fastapi import Query
from pydantic import WithJsonSchema

from app.auth.actor import ActorDep
from app.changes import service
from app.changes.schemas import ChangePage, ChangeRead
from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.pagination import LIMIT_TEXT, PAGE_LIMIT_MAX
from app.core.types import Id
from app.web.routing import api_router

# the contract of `parse_resources`, which checks it (and names the unknown ones)
ResourceNames = Annotated[
    str, WithJsonSchema({"type": "string", "pattern": service.resources_pattern()})
]

router = api_router("/api/v1/changes", "changes")


@router.get(
    "", name="changes-list", response_model=ChangePage, responses=problem_responses(403, 410)
)
def list_changes(
    session: SessionDep,
    actor: ActorDep,
    after: Annotated[
        str | None,
        Query(
            max_length=200,
            description="`next_cursor` of the previous poll; omit to start.",
            # generators that know the format draw real positions (`.ci/schemathesis_hooks.py`)
            json_schema_extra={"format": service.CHANGE_CURSOR_FORMAT},
        ),
    ] = None,
    limit: Annotated[
        int,
        Query(ge=1, le=PAGE_LIMIT_MAX, description=LIMIT_TEXT),
    ] = 50,
    resource: Annotated[
        list[ResourceNames] | None,
        Query(description="Only these resources (repeat, or a comma list): `staff,unit`"),
    ] = None,
    unit_id: Annotated[Id | None, Query(description="Only objects of this unit")] = None,
    include_descendants: Annotated[
        bool, Query(description="With `unit_id`: its whole subtree (default)")
    ] = True,
) -> ChangePage:
    """Every create, update and delete in the caller's scope, in commit order.

    Poll with the last `next_cursor` as `after`: a change is in the feed exactly when its
    transaction has committed, ids grow in commit order, so pages never miss or repeat a
    change, even under concurrent writes. Only writes made through the API are in the feed.
    On PostgreSQL the feed keeps `BDTX_CHANGE_RETENTION_MONTHS` months: a cursor older than
    that is answered 410 `feed_position_expired`; resynchronise from the lists and start
    again without `after`.
    """
    query = service.FeedQuery(
        after=service.decode_position(after),
        limit=min(limit, get_settings().page_max),
        resources=service.parse_resources(resource),
        unit_id=unit_id,
        include_descendants=include_descendants,
    )
    items, position, more = service.read_feed(session, actor, query)
    return ChangePage(
        items=[ChangeRead.of(i) for i in items],
        next_cursor=service.encode_position(position),
        has_more=more,
    )
