"""Builders for the BDTX tests: a year's policy, a catalogue, and people with credits."""

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.bdtx.models import BdtxModule
from app.bdtx.policy import CRITERIA
from app.events.models import CreditSource, TrainingCredit
from app.staff.models import Staff
from app.units.models import Unit

YEAR = "2026-2027"  # its personal plan deadline (31/5/2027) lies ahead
POLICY = f"/api/v1/school-years/{YEAR}/policy"
B = "/api/v1/bdtx"


def set_policy(client: TestClient, preset: str = "tt17_2019", year: str = YEAR) -> dict[str, Any]:
    r = client.put(f"/api/v1/school-years/{year}/policy", json={"preset": preset})
    assert r.status_code == 200, r.text
    return r.json()


def make_module(
    session: Session,
    code: str,
    block: str,
    periods: int = 40,
    *,
    criteria: list[str] | None = None,
    levels: list[str] | None = None,
    issuer: Unit | None = None,
) -> BdtxModule:
    module = BdtxModule(
        code=code,
        title=f"Mô-đun {code}",
        block=block,
        periods=periods,
        criteria=criteria or [],
        education_levels=levels or [],
        issuer_unit_id=issuer.id if issuer else None,
    )
    session.add(module)
    session.flush()
    return module


def catalogue(session: Session, so: Unit | None = None) -> dict[str, BdtxModule]:
    """One module per block of the TT 17/2019 preset, plus a second elective."""
    return {
        "M1": make_module(session, "GVPT-01", "ministry"),
        "L1": make_module(session, "ND2-BP-01", "local", issuer=so),
        "E1": make_module(session, "GVPT-05", "elective", criteria=["tc3"]),
        "E2": make_module(session, "GVPT-09", "elective", criteria=["tc5"]),
    }


def evaluation(low: tuple[str, ...] = ("tc5",)) -> dict[str, str]:
    return {c: ("dat" if c in low else "tot") for c in CRITERIA}


def credit(session: Session, staff: Staff, code: str, periods: int = 40, year: str = YEAR) -> None:
    session.add(
        TrainingCredit(
            staff_id=staff.id or 0,
            unit_id=staff.unit_id,
            school_year=year,
            source=CreditSource.event,
            module_code=code,
            periods=periods,
        )
    )
    session.flush()


def scores(client: TestClient, staff: Staff, values: dict[str, float], year: str = YEAR) -> None:
    body = [
        {"staff_id": staff.id, "school_year": year, "module_code": c, "score": s}
        for c, s in values.items()
    ]
    r = client.post(f"{B}/module-scores", json=body)
    assert r.status_code == 200, r.text


def act(client: TestClient, url: str, verb: str, body: Any = None) -> Any:
    etag = client.get(url).headers["etag"]
    return client.post(f"{url}/{verb}", json=body, headers={"If-Match": etag})
