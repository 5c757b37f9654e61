from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, WithJsonSchema

from app.changes.service import FeedItem, resources

Op = Literal["create", "update", "delete", "moved_out"]
# every name the feed can carry, so a generated client gets a union rather than a string
Resource = Annotated[str, WithJsonSchema({"type": "string", "enum": sorted(resources())})]


class ChangeRead(BaseModel):
    id: int = Field(description="Position in the feed; grows in commit order.")
    committed_at: datetime
    op: Op = Field(
        description="`create`, `update` (the full new state: apply it as an upsert), "
        "`delete` (data is the last state), or `moved_out`: the object still exists but left "
        "your scope (a transfer, a unit move); drop your copy. `moved_out` carries no data."
    )
    resource: Resource = Field(description="Table name, e.g. `unit`, `staff`, `nomination`.")
    resource_id: int | None = Field(description="Null for link rows without their own id.")
    unit_id: int | None = Field(description="The unit the object belongs to now.")
    version: int | None = Field(description="The object's `version` (ETag) after the change.")
    data: dict[str, Any] | None = Field(
        description="The object's columns after the change; secrets are masked as `***`."
    )

    @classmethod
    def of(cls, item: FeedItem) -> "ChangeRead":
        c = item.change
        return cls(
            id=c.id or 0,
            committed_at=c.committed_at,
            op="moved_out" if item.moved_out else c.op,
            resource=c.resource,
            resource_id=c.resource_id,
            unit_id=None if item.moved_out else c.unit_id,
            version=None if item.moved_out else c.version,
            data=None if item.moved_out else c.data,
        )


class ChangePage(BaseModel):
    items: list[ChangeRead]
    next_cursor: str = Field(
        description="Always present: pass it as `after` on the next poll, even when `items` "
        "is empty. Cursors never expire."
    )
    has_more: bool = Field(description="More changes are waiting: poll again right away.")
