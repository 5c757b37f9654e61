"""R-NOM-1 quota under concurrent nominations, on whichever database the suite runs."""

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from app.events.models import Nomination, RequirementTarget
from tests.events.builders import build_event
from tests.factories import make_staff, make_tree

QUOTA, CANDIDATES = 3, 12


def test_r_nom_1_quota_holds_under_concurrent_nominations(
    committed_client: TestClient, engine: Engine
) -> None:
    with Session(engine, expire_on_commit=False) as s:
        t = make_tree(s)
        built = build_event(s, t["so"], [t["s1"]], quota=QUOTA)
        people = [make_staff(s, t["s1"]).id for _ in range(CANDIDATES)]
        s.commit()
    url = f"/api/v1/events/{built.event.id}/nominations"

    def nominate(staff_id: int | None) -> int:
        body = {"staff_id": staff_id, "requirement_id": built.requirement.id}
        return committed_client.post(url, json=body).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(nominate, people))
    assert codes.count(201) == QUOTA, codes
    assert set(codes) == {201, 409}
    with Session(engine) as s:
        live = s.scalar(
            select(func.count())
            .select_from(Nomination)
            .where(Nomination.event_id == built.event.id, Nomination.status == "proposed")
        )
        used = s.scalar(
            select(RequirementTarget.used).where(
                RequirementTarget.requirement_id == built.requirement.id
            )
        )
    assert live == used == QUOTA
