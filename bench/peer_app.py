"""The peer (issue 21): what a team gets from the FastAPI full-stack template's style on the
same table, the yardstick this project's reads are measured against.

A sync SQLModel session per request, ``session.get`` by id, ``select`` with a limit for a
unit's subtree, ``response_model``, and no authentication, no scope, no ETag: everything this
project adds is missing here, so a ratio above 1 is what the project's read path buys back.
``BDTX_DATABASE_URL`` picks the database; served by uvicorn like the app.
"""

import os
from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict
from sqlalchemy import create_engine
from sqlmodel import Session, select

from app.staff.models import Staff
from app.units.models import UnitClosure

engine = create_engine(os.environ["BDTX_DATABASE_URL"], pool_size=20)
app = FastAPI()


def get_session() -> Iterator[Session]:
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


class StaffPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_code: str
    full_name: str
    unit_id: int
    category: str
    position: str | None
    subjects: list[str]
    education_level: str | None
    title_rank: str | None
    date_of_birth: date | None
    gender: str | None
    email: str | None
    status: str
    version: int
    created_at: datetime
    updated_at: datetime


class StaffsPublic(BaseModel):
    data: list[StaffPublic]
    count: int


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/staff/{staff_id}", response_model=StaffPublic)
def read_staff(session: SessionDep, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise HTTPException(status_code=404, detail="Staff not found")
    return staff


@app.get("/staff", response_model=StaffsPublic)
def read_staffs(session: SessionDep, unit_id: int, limit: int = 50) -> StaffsPublic:
    subtree = select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == unit_id)
    rows = session.exec(
        select(Staff).where(Staff.unit_id.in_(subtree)).order_by(Staff.id).limit(limit)  # type: ignore[attr-defined,arg-type]
    ).all()
    return StaffsPublic(data=[StaffPublic.model_validate(r) for r in rows], count=len(rows))
