"""R-NOM-1 quota under concurrent nominations, on whichever database the suite runs."""

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from app.events.models import Nomination, RequirementTarget
from tests.events.builders import build_event
from tests.factories import make_staff, make_tree, make_unit

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


def test_r_nom_1_a_district_quota_holds_when_its_schools_nominate_at_once(
    committed_client: TestClient, engine: Engine
) -> None:
    """ "Mỗi Phòng cử 03 giáo viên": three schools of one district race for its places."""
    with Session(engine, expire_on_commit=False) as s:
        t = make_tree(s)
        schools = [t["s1"], *(make_unit(s, t["d1"]) for _ in range(2))]
        built = build_event(s, t["so"], [t["d1"]], quota=QUOTA)
        people = [make_staff(s, schools[i % 3]).id for i in range(CANDIDATES)]
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
        rows = s.execute(
            select(Nomination.unit_id, Nomination.target_unit_id).where(
                Nomination.event_id == built.event.id
            )
        ).all()
        used = s.scalar(
            select(RequirementTarget.used).where(
                RequirementTarget.requirement_id == built.requirement.id
            )
        )
    assert used == len(rows) == QUOTA
    assert {target for _, target in rows} == {t["d1"].id}  # the district's places
    assert {unit for unit, _ in rows} <= {u.id for u in schools}  # filled from its schools
