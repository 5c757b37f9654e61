"""A school year of BDTX records (R-BDTX-1..5): the policy, the module catalogue, personal
plans, credited periods (LMS, self-study, the events' credits), module scores, results
classified under the year's policy, certificates and unit plans.

Results are computed with ``app.bdtx.policy.classify`` from the very credits and scores
written beside them, so the data satisfies the rules the service would apply.
"""

import random
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select

from app.bdtx.models import (
    BdtxModule,
    BdtxResult,
    Certificate,
    ModuleScore,
    PersonalPlan,
    SelfStudy,
    UnitPlan,
    YearPolicy,
)
from app.bdtx.policy import CRITERIA, PolicyRules, Preset, Rating, classify, overall_rating
from app.events.models import TrainingCredit
from app.staff.models import StaffCategory, StaffStatus
from app.synthetic.model import Person, Province, Scale, UnitInfo, Year
from app.synthetic.writer import Writer
from app.units.models import EducationLevel, UnitKind

L = EducationLevel
TABLES: dict[str, sa.Table] = {
    str(model.__tablename__): sa.inspect(model).local_table  # type: ignore[misc]
    for model in (
        YearPolicy,
        BdtxModule,
        PersonalPlan,
        SelfStudy,
        ModuleScore,
        BdtxResult,
        Certificate,
        UnitPlan,
        TrainingCredit,
    )
}
# Module families: a key per education level, plus ``ql`` for managers of offices.
LEVEL_KEYS: dict[EducationLevel | None, str] = {
    L.preschool: "MN",
    L.primary: "TH",
    L.lower_secondary: "THCS",
    L.upper_secondary: "THPT",
    L.continuing: "GDTX",
    None: "QL",
}
LEVEL_LABELS = {
    "MN": "mầm non",
    "TH": "tiểu học",
    "THCS": "trung học cơ sở",
    "THPT": "trung học phổ thông",
    "GDTX": "giáo dục thường xuyên",
    "QL": "cán bộ quản lý",
}
# Electives in the style of the TT 17/2019 programme (20 periods each; two make 40).
ELECTIVES: dict[str, list[tuple[str, str]]] = {
    "GVMN": [
        ("01", "Đạo đức nghề nghiệp của giáo viên mầm non"),
        ("02", "Xây dựng môi trường giáo dục lấy trẻ làm trung tâm"),
        ("03", "Chăm sóc sức khoẻ và phòng bệnh cho trẻ"),
        ("04", "Phát triển chương trình giáo dục mầm non phù hợp bối cảnh địa phương"),
    ],
    "GVPT": [
        ("01", "Phát triển phẩm chất sáng tạo của giáo viên"),
        ("02", "Ứng dụng công nghệ thông tin trong dạy học"),
        ("03", "Kiểm tra, đánh giá theo định hướng phát triển năng lực học sinh"),
        ("04", "Xây dựng kế hoạch dạy học theo hướng tích hợp"),
        ("05", "Tư vấn và hỗ trợ học sinh trong hoạt động giáo dục"),
        ("06", "Giáo dục học sinh có hoàn cảnh khó khăn"),
    ],
    "CBQLCSGD": [
        ("01", "Quản trị hoạt động dạy học, giáo dục trong nhà trường"),
        ("02", "Quản trị nhân sự cơ sở giáo dục"),
        ("03", "Quản trị tài chính và cơ sở vật chất"),
        ("04", "Xây dựng văn hoá nhà trường"),
    ],
}
CATEGORIES_IN_BDTX = (StaffCategory.teacher, StaffCategory.manager)
RATINGS = [Rating.dat, Rating.kha, Rating.tot]
RATING_WEIGHTS = [15, 55, 30]


def _elective_family(person: Person) -> str:
    if person.category == StaffCategory.manager:
        return "CBQLCSGD"
    return "GVMN" if person.level == L.preschool else "GVPT"


def _key(person: Person) -> str:
    return LEVEL_KEYS[person.level]


class BdtxBuilder:
    """Writes the catalogue once, then each province's year of records."""

    def __init__(self, writer: Writer, rng: random.Random, scale: Scale, ids: dict[str, int]):
        self.w, self.rng, self.scale, self.ids = writer, rng, scale, ids
        self.policy_id = 0
        self.policy_revision = 1
        self.serial = 0

    def _id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    # --- policy and catalogue --------------------------------------------------------------

    def policies(self, years: list[Year]) -> dict[str, tuple[int, int, PolicyRules]]:
        """The TT 17/2019 preset for each year that has no policy yet; the newest revision
        of those that do (policy is data chosen by the Sở, never overwritten here)."""
        from app.bdtx.policy import preset_rules

        table = TABLES["bdtx_policy"]
        out = {}
        for year in years:
            row = self.w.conn.execute(
                select(table.c.id, table.c.revision, table.c.rules)
                .where(table.c.school_year == year.label)
                .order_by(table.c.revision.desc())
                .limit(1)
            ).first()
            if row is not None:
                out[year.label] = (row[0], row[1], PolicyRules.model_validate(row[2]))
                continue
            rules = preset_rules(Preset.tt17_2019)
            policy_id = self._id("bdtx_policy")
            self.w.insert(
                table,
                [
                    {
                        "id": policy_id,
                        "school_year": year.label,
                        "revision": 1,
                        "preset": Preset.tt17_2019.value,
                        "rules": rules.model_dump(mode="json"),
                        "created_at": year.at(date(year.first, 8, 20), 9),
                    }
                ],
            )
            out[year.label] = (policy_id, 1, rules)
        return out

    def national_modules(self, year: Year) -> None:
        """Nội dung 1 of each level for ``year`` and the elective catalogue."""
        table = TABLES["bdtx_module"]
        have = set(self.w.conn.scalars(select(table.c.code)))
        rows = []
        for key, label in LEVEL_LABELS.items():
            rows.append(
                self._module(
                    f"ND1-{key}-{year.first}",
                    f"Nội dung 1: bồi dưỡng thực hiện nhiệm vụ năm học {year.label} ({label})",
                    "ministry",
                    40,
                    None,
                )
            )
        for family, modules in ELECTIVES.items():
            for number, title in modules:
                rows.append(self._module(f"{family} {number}", title, "elective", 20, None))
        self.w.insert(table, (r for r in rows if r["code"] not in have))

    def local_modules(self, province: Province, year: Year) -> dict[EducationLevel, str]:
        """Nội dung 2, issued by the Sở for each level (R-BDTX-3)."""
        rows = [
            self._module(
                self.local_code(province, key, year),
                f"Nội dung 2: bồi dưỡng theo yêu cầu của {province.name} ({label})",
                "local",
                40,
                province.department.id,
            )
            for key, label in LEVEL_LABELS.items()
        ]
        self.w.insert(TABLES["bdtx_module"], rows)
        return {
            level: self.local_code(province, key, year)
            for level, key in LEVEL_KEYS.items()
            if level is not None
        }

    @staticmethod
    def local_code(province: Province, key: str, year: Year) -> str:
        return f"ND2-{province.code}-{key}-{year.first}"

    def _module(
        self, code: str, title: str, block: str, periods: int, issuer: int | None
    ) -> dict[str, Any]:
        return {
            "id": self._id("bdtx_module"),
            "code": code,
            "title": title,
            "block": block,
            "periods": periods,
            "categories": ["teacher", "manager"],
            "criteria": sorted(self.rng.sample(CRITERIA, 3)),
            "issuer_unit_id": issuer,
            "materials": [f"https://taphuan.csdl.edu.vn/hoc-lieu/{code.replace(' ', '-')}.pdf"],
        }

    # --- one province's year -----------------------------------------------------------------

    def year(
        self,
        province: Province,
        year: Year,
        policy: tuple[int, int, PolicyRules],
        full: bool,
    ) -> None:
        """Plans, credits, scores, results and certificates of every active teacher and
        manager; ``full`` false writes only results and certificates (the nation scale)."""
        self.policy_id, self.policy_revision, rules = policy
        units = {u.id: u for u in province.units()}
        rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
        for person in province.people:
            if person.status != StaffStatus.active or person.category not in CATEGORIES_IN_BDTX:
                continue
            self._person(person, units[person.unit_id], province, year, rules, rows, full)
        if full:
            rows["bdtx_unit_plan"] = [self._unit_plan(u, province, year) for u in units.values()]
        for name in (
            "bdtx_personal_plan",
            "bdtx_self_study",
            "training_credit",
            "bdtx_module_score",
            "bdtx_result",
            "bdtx_certificate",
            "bdtx_unit_plan",
        ):
            if rows[name]:
                self.w.insert(TABLES[name], rows[name])

    def _person(
        self,
        p: Person,
        unit: UnitInfo,
        province: Province,
        year: Year,
        rules: PolicyRules,
        rows: dict[str, list[dict[str, Any]]],
        full: bool,
    ) -> None:
        rng = self.rng
        key = _key(p)
        nd1 = f"ND1-{key}-{year.first}"
        nd2 = self.local_code(province, key, year)
        family = _elective_family(p)
        electives = [f"{family} {n}" for n, _ in rng.sample(ELECTIVES[family], 2)]
        # (module, block, periods, source): ND1 on the LMS, ND2 from events then self-study
        credits: list[tuple[str, str, int, str]] = []
        credits.append((nd1, "ministry", 40 if rng.random() < 0.985 else 30, "lms"))
        from_events = province.event_credits.get(p.id, [])
        credits += [(code, "local", n, "event") for code, n in from_events]
        event_periods = sum(n for _, n in from_events)
        if event_periods < 40 and rng.random() < 0.98:
            credits.append((nd2, "local", 40 - event_periods, "self_study"))
        for code in electives:
            if rng.random() < 0.99:
                credits.append((code, "elective", 20, "self_study"))
        modules = [nd1, nd2, *electives]
        scores = {m: round(min(10.0, max(3.0, rng.gauss(7.9, 0.9))), 1) for m in modules}
        # as app.bdtx.results: each module counts once (its largest credit), per block
        once: dict[str, tuple[str, int]] = {}
        for code, block, n, _ in credits:
            once[code] = (block, max(n, once.get(code, (block, 0))[1]))
        by_block: dict[str, int] = {}
        for block, n in once.values():
            by_block[block] = by_block.get(block, 0) + n
        periods = sum(by_block.values())
        block_scores: dict[str, list[float]] = {}
        for code, score in scores.items():
            block = "ministry" if code == nd1 else "local" if code == nd2 else "elective"
            block_scores.setdefault(block, []).append(score)
        result_class, passed, average, reasons = classify(
            rules, periods, list(scores.values()), by_block=by_block, block_scores=block_scores
        )
        june = year.at(date(year.first + 1, 6, rng.randint(5, 25)), 10)
        if full:
            self._plan(p, year, modules, rows)
            self._credits(p, year, credits, rows)
            for code, score in scores.items():
                rows["bdtx_module_score"].append(
                    {
                        "id": self._id("bdtx_module_score"),
                        "staff_id": p.id,
                        "school_year": year.label,
                        "module_code": code,
                        "score": score,
                        "source": "lms" if code == nd1 else "assessment",
                        "recorded_at": june - timedelta(days=10),
                    }
                )
        finalised = rng.random() < 0.92
        result_id = self._id("bdtx_result")
        rows["bdtx_result"].append(
            {
                "id": result_id,
                "staff_id": p.id,
                "unit_id": p.unit_id,
                "school_year": year.label,
                "policy_id": self.policy_id,
                "policy_revision": self.policy_revision,
                "credited_periods": periods,
                "average_score": average,
                "result_class": result_class,
                "passed": passed,
                "details": {
                    "periods_by_block": by_block,
                    "module_scores": scores,
                    "reasons": reasons,
                    "legal_basis": rules.legal_basis,
                },
                "status": "finalised" if finalised else "computed",
                "finalised_at": june if finalised else None,
                "version": 2 if finalised else 1,
                "created_at": june - timedelta(days=3),
                "updated_at": june,
            }
        )
        if finalised and passed:
            self._certificate(result_id, p, unit, year, result_class, june, rows)

    def _plan(
        self, p: Person, year: Year, modules: list[str], rows: dict[str, list[dict[str, Any]]]
    ) -> None:
        rng = self.rng
        ratings = {c: rng.choices(RATINGS, RATING_WEIGHTS)[0].value for c in CRITERIA}
        submitted = year.at(date(year.first, 9, 20) + timedelta(days=rng.randint(0, 20)), 8)
        decided = submitted + timedelta(days=rng.randint(1, 10))
        rows["bdtx_personal_plan"].append(
            {
                "id": self._id("bdtx_personal_plan"),
                "staff_id": p.id,
                "unit_id": p.unit_id,
                "school_year": year.label,
                "module_codes": modules,
                "self_evaluation": ratings,
                "self_evaluation_overall": overall_rating(ratings).value,
                "status": "approved",
                "policy_id": self.policy_id,
                "submitted_at": submitted,
                "decided_at": decided,
                "version": 3,
                "created_at": submitted - timedelta(days=2),
                "updated_at": decided,
            }
        )

    def _credits(
        self,
        p: Person,
        year: Year,
        credits: list[tuple[str, str, int, str]],
        rows: dict[str, list[dict[str, Any]]],
    ) -> None:
        """Self-study and LMS credits (event credits were written with the events)."""
        rng = self.rng
        for code, _block, n, source in credits:
            if source == "event":
                continue
            at = year.at(date(year.first + 1, 1, 10) + timedelta(days=rng.randint(0, 120)), 9)
            if source == "self_study":
                rows["bdtx_self_study"].append(
                    {
                        "id": self._id("bdtx_self_study"),
                        "staff_id": p.id,
                        "unit_id": p.unit_id,
                        "school_year": year.label,
                        "module_code": code,
                        "periods": n,
                        "description": f"Tự học mô đun {code}, hoàn thành bài tập cuối mô đun",
                        "evidence_url": f"https://lms.edu.vn/ho-so/{p.id}/{code.replace(' ', '-')}",
                        "status": "approved",
                        "inspected_at": at,
                        "inspection_note": "Đạt yêu cầu",
                        "version": 2,
                        "created_at": at - timedelta(days=5),
                        "updated_at": at,
                    }
                )
            rows["training_credit"].append(
                {
                    "id": self._id("training_credit"),
                    "staff_id": p.id,
                    "unit_id": p.unit_id,
                    "school_year": year.label,
                    "source": source,
                    "module_code": code,
                    "periods": n,
                    "credited_at": at,
                }
            )

    def _certificate(
        self,
        result_id: int,
        p: Person,
        unit: UnitInfo,
        year: Year,
        result_class: str,
        at: datetime,
        rows: dict[str, list[dict[str, Any]]],
    ) -> None:
        self.serial += 1
        rows["bdtx_certificate"].append(
            {
                "id": self._id("bdtx_certificate"),
                "result_id": result_id,
                "staff_id": p.id,
                "unit_id": p.unit_id,
                "school_year": year.label,
                "result_class": result_class,
                "serial": f"BDTX-{year.label}-{self.serial:06d}",
                "verification_code": f"{self.rng.getrandbits(96):024x}",
                "issuer_unit_id": unit.parent_id,  # the managing unit (policy default)
                "status": "issued",
                "created_at": at + timedelta(days=3),
                "updated_at": at + timedelta(days=3),
            }
        )

    def _unit_plan(self, unit: UnitInfo, province: Province, year: Year) -> dict[str, Any]:
        keys = sorted({LEVEL_KEYS[level] for level in unit.levels}) or ["QL"]
        modules = [f"ND1-{k}-{year.first}" for k in keys]
        modules += [self.local_code(province, k, year) for k in keys]
        submitted = year.at(date(year.first, 9, 25), 9)
        department = unit.kind == UnitKind.department
        return {
            "id": self._id("bdtx_unit_plan"),
            "unit_id": unit.id,
            "school_year": year.label,
            "module_codes": modules,
            # the shape the API takes and answers (ScheduleItem): a module, its dates, its form
            "schedule": [
                {
                    "module_code": code,
                    "starts_on": date(
                        year.first + (i >= len(keys)), 10 if i < len(keys) else 2, 1
                    ).isoformat(),
                    "ends_on": date(
                        year.first + (i >= len(keys)), 12 if i < len(keys) else 4, 30
                    ).isoformat(),
                    "form": "tập trung" if i < len(keys) else "trực tuyến",
                }
                for i, code in enumerate(modules)
            ],
            "nd2_materials": (
                [f"https://{province.slug}.edu.vn/bdtx/nd2-{year.first}.pdf"] if department else []
            ),
            "status": "approved",
            "policy_id": self.policy_id,
            "sent_to_ministry_at": submitted + timedelta(days=20) if department else None,
            "submitted_at": submitted,
            "decided_at": submitted + timedelta(days=10),
            "version": 3,
            "created_at": submitted - timedelta(days=5),
            "updated_at": submitted + timedelta(days=10),
        }
