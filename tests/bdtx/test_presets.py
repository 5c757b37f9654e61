"""Worked examples per preset over HTTP: credits and scores in, class out (R-BDTX-1).

TT 26/2012 (its Quy chế, as the preset cites it): ĐTB = (ND1 + ND2 + 2 × mean ND3) / 4;
Giỏi ≥ 9 with no component below 7, Khá ≥ 7 none below 6, Trung bình ≥ 5 none below 5.
TT 17/2019 (under TT 19/2019): 40 + 40 + 40 periods; Hoàn thành tốt ≥ 8 with no module below
6.5, Hoàn thành ≥ 5 none below 5; a block short of its minimum fails whatever the total.
"""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.bdtx.helpers import YEAR, B, credit, make_module, scores, set_policy
from tests.factories import make_staff, make_tree

# code, block, periods credited (0: the module is scored but not credited)
TT26_MODULES = [
    ("ND1-26", "ministry", 30),
    ("ND2-26", "local", 30),
    ("ND3-26A", "elective", 20),
    ("ND3-26B", "elective", 20),
    ("ND3-26C", "elective", 20),
]
TT17_MODULES = [("ND1-17", "ministry", 40), ("ND2-17", "local", 40), ("ND3-17", "elective", 40)]


def _result(
    client: TestClient,
    session: Session,
    preset: str,
    modules: list[tuple[str, str, int]],
    marks: list[float],
) -> dict[str, object]:
    units = make_tree(session)
    set_policy(client, preset)
    staff = make_staff(session, units["s1"], education_level="lower_secondary")
    for code, block, periods in modules:
        make_module(session, code, block, max(periods, 40))
        if periods:
            credit(session, staff, code, periods)
    scores(client, staff, {code: m for (code, _, _), m in zip(modules, marks, strict=True)})
    r = client.post(f"{B}/results", json={"staff_id": staff.id, "school_year": YEAR})
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.parametrize(
    ("marks", "average", "expected"),
    [
        # (10 + 10 + 2 × 8.2) / 4 = 9.1: Giỏi; a plain mean of the five modules, 8.92, is Khá
        ([10.0, 10.0, 8.2, 8.2, 8.2], 9.1, "Giỏi"),
        # (7 + 7 + 2 × 9.5) / 4 = 8.25: Khá
        ([7.0, 7.0, 9.0, 9.5, 10.0], 8.25, "Khá"),
        # (5.5 + 8 + 2 × 9) / 4 = 7.88, but a component of 5.5 < 6: Trung bình
        ([5.5, 8.0, 9.0, 9.0, 9.0], 7.88, "Trung bình"),
        # (4 + 9 + 2 × 9) / 4 = 7.75, but a component below 5: Không hoàn thành
        ([4.0, 9.0, 9.0, 9.0, 9.0], 7.75, "Không hoàn thành"),
    ],
)
def test_r_bdtx_1_tt26_2012_worked_example_over_http(
    client: TestClient, session: Session, marks: list[float], average: float, expected: str
) -> None:
    result = _result(client, session, "tt26_2012", TT26_MODULES, marks)
    assert (result["average_score"], result["result_class"]) == (average, expected)
    assert "Điều 10" in str(result["details"]["legal_basis"])  # type: ignore[index]


@pytest.mark.parametrize(
    ("modules", "marks", "expected"),
    [
        (TT17_MODULES, [9.0, 8.0, 8.5], "Hoàn thành tốt"),
        (TT17_MODULES, [9.0, 6.0, 9.0], "Hoàn thành"),  # average 8, a module below 6.5
        # 80 + 0 + 40 = 120 periods, but nội dung 2 is short: not passed
        (
            [("ND1-17", "ministry", 80), ("ND2-17", "local", 0), ("ND3-17", "elective", 40)],
            [9.0, 9.0, 9.0],
            "Không hoàn thành",
        ),
    ],
)
def test_r_bdtx_1_tt17_2019_worked_example_over_http(
    client: TestClient,
    session: Session,
    modules: list[tuple[str, str, int]],
    marks: list[float],
    expected: str,
) -> None:
    result = _result(client, session, "tt17_2019", modules, marks)
    assert result["result_class"] == expected
    assert result["passed"] is (expected != "Không hoàn thành")
