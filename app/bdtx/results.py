"""Results, certificates and unit reports (R-BDTX-1, R-BDTX-4, R-BDTX-5)."""

import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, case, func, literal_column, select
from sqlmodel import Session

import app.bdtx.messages  # noqa: F401 - registers the problem texts
from app.auth.actor import Actor
from app.auth.deciders import refuse_own_case
from app.bdtx.models import (
    BdtxModule,
    BdtxResult,
    Certificate,
    CertificateStatus,
    ModuleScore,
    ReportStatus,
    ResultStatus,
    UnitReport,
    YearPolicy,
)
from app.bdtx.policies import MANAGE_ROLES, allow, owned_filter
from app.bdtx.policy import Certifier, PolicyRules, classify, short_blocks
from app.bdtx.schemas import ReportCreate, ReportUpdate
from app.bdtx.service import current_policy, require_policy, visible_staff
from app.core.concurrency import check_version
from app.core.errors import Conflict, Forbidden, NotFound, UnknownReference
from app.core.i18n import Localized
from app.core.model_base import utcnow
from app.core.pagination import PageParams, paginate
from app.events.models import TrainingCredit
from app.staff.models import Staff, StaffStatus
from app.units.models import Unit, UnitClosure, UnitKind
from app.units.service import require_unit

# --- results --------------------------------------------------------------------------------


def get_result(session: Session, actor: Actor, result_id: int) -> BdtxResult:
    result = session.scalar(
        select(BdtxResult).where(
            BdtxResult.id == result_id, owned_filter(actor, BdtxResult.unit_id, BdtxResult.staff_id)
        )
    )
    if result is None:
        raise NotFound("bdtx_result", result_id)
    return result


def list_results(
    session: Session,
    actor: Actor,
    page: PageParams,
    school_year: str | None,
    status: ResultStatus | None,
    staff_id: int | None,
) -> tuple[Sequence[BdtxResult], str | None]:
    stmt = select(BdtxResult).where(owned_filter(actor, BdtxResult.unit_id, BdtxResult.staff_id))
    for column, value in (
        (BdtxResult.school_year, school_year),
        (BdtxResult.status, status),
        (BdtxResult.staff_id, staff_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return paginate(session, stmt, BdtxResult.id, page)


def credited(
    session: Session, staff_id: int, school_year: str
) -> tuple[dict[str, int], dict[str, dict[str, Any]]]:
    """Periods per block with each module counted once (R-BDTX-1), whatever its sources:
    the largest credit any source reports; credits naming no module count as they are."""
    rows = session.execute(
        select(
            TrainingCredit.module_code,
            TrainingCredit.source,
            TrainingCredit.periods,
            func.coalesce(BdtxModule.block, literal_column("'other'")),
        )
        .outerjoin(BdtxModule, BdtxModule.code == TrainingCredit.module_code)
        .where(TrainingCredit.staff_id == staff_id, TrainingCredit.school_year == school_year)
        .order_by(TrainingCredit.id)
    ).all()
    modules: dict[str, dict[str, Any]] = {}
    by_block: dict[str, int] = {}
    for code, source, periods, block in rows:
        if code is None:
            by_block[block] = by_block.get(block, 0) + periods
            continue
        entry = modules.setdefault(code, {"block": block, "periods": 0, "sources": []})
        entry["periods"] = max(entry["periods"], periods)
        if str(source) not in entry["sources"]:
            entry["sources"].append(str(source))
    for entry in modules.values():
        by_block[entry["block"]] = by_block.get(entry["block"], 0) + entry["periods"]
    return by_block, modules


def _evaluate(
    session: Session, staff_id: int, school_year: str, policy: YearPolicy, rules: PolicyRules
) -> dict[str, Any]:
    """Credited periods (every source, each module once) and module scores, classified
    under ``rules``; a pass needs every block's minimum, not only the total."""
    by_block, modules = credited(session, staff_id, school_year)
    periods = int(sum(by_block.values()))
    rows = session.execute(
        select(
            ModuleScore.module_code,
            ModuleScore.score,
            func.coalesce(BdtxModule.block, literal_column("'other'")),
        )
        .outerjoin(BdtxModule, BdtxModule.code == ModuleScore.module_code)
        .where(ModuleScore.staff_id == staff_id, ModuleScore.school_year == school_year)
    ).all()
    scores = {code: score for code, score, _ in rows}
    block_scores: dict[str, list[float]] = {}
    for _, score, block in rows:
        block_scores.setdefault(block, []).append(score)
    result_class, passed, average, reasons = classify(
        rules, periods, list(scores.values()), by_block=by_block, block_scores=block_scores
    )
    return {
        "policy_id": policy.id,
        "policy_revision": policy.revision,
        "credited_periods": periods,
        "average_score": average,
        "result_class": result_class,
        "passed": passed,
        "details": {
            "periods_by_block": {k: int(v) for k, v in by_block.items()},
            "short_blocks": short_blocks(rules, by_block),
            "modules": modules,
            "module_scores": scores,
            "reasons": reasons,
            "legal_basis": rules.legal_basis,
        },
    }


def compute_result(session: Session, actor: Actor, staff_id: int, school_year: str) -> BdtxResult:
    """(Re)compute a person's result under the year's current policy; final ones stay."""
    staff = visible_staff(session, actor, staff_id)
    assert staff.id is not None
    allow(session, actor, MANAGE_ROLES, staff.unit_id, "compute_bdtx_results")
    policy, rules = require_policy(session, school_year)
    result = session.scalar(
        select(BdtxResult).where(
            BdtxResult.staff_id == staff.id, BdtxResult.school_year == school_year
        )
    )
    if result is not None and result.status == ResultStatus.finalised:
        raise Conflict("bdtx_result_finalised", rule="R-BDTX-1", school_year=school_year)
    values = _evaluate(session, staff.id, school_year, policy, rules)
    if result is None:
        result = BdtxResult(
            staff_id=staff.id, unit_id=staff.unit_id, school_year=school_year, **values
        )
        session.add(result)
    else:
        for key, value in values.items():
            setattr(result, key, value)
    session.flush()
    return result


def _managing_unit(session: Session, unit_id: int) -> int | None:
    return session.scalar(select(Unit.parent_id).where(Unit.id == unit_id))


def _department_of(session: Session, unit_id: int) -> int | None:
    return session.scalar(
        select(UnitClosure.ancestor_id)
        .join(Unit, Unit.id == UnitClosure.ancestor_id)
        .where(UnitClosure.descendant_id == unit_id, Unit.kind == UnitKind.department)
        .order_by(UnitClosure.depth)
        .limit(1)
    )


def finalise_result(
    session: Session, actor: Actor, result: BdtxResult, expected: int
) -> BdtxResult:
    """The managing authority above the person's unit finalises; recomputed first."""
    refuse_own_case(actor, result.staff_id)  # R-GOV-1
    allow(session, actor, MANAGE_ROLES, _managing_unit(session, result.unit_id), "finalise_bdtx")
    check_version(result.version, expected)
    if result.status == ResultStatus.finalised:
        raise Conflict("bdtx_result_finalised", rule="R-BDTX-1", school_year=result.school_year)
    policy, rules = require_policy(session, result.school_year)
    for key, value in _evaluate(
        session, result.staff_id, result.school_year, policy, rules
    ).items():
        setattr(result, key, value)
    result.status = ResultStatus.finalised
    result.finalised_by_user_id = actor.user_id
    result.finalised_at = utcnow()
    session.flush()
    return result


# --- certificates (R-BDTX-1) ----------------------------------------------------------------


def get_certificate(session: Session, actor: Actor, cert_id: int) -> Certificate:
    cert = session.scalar(
        select(Certificate).where(
            Certificate.id == cert_id,
            owned_filter(actor, Certificate.unit_id, Certificate.staff_id),
        )
    )
    if cert is None:
        raise NotFound("certificate", cert_id)
    return cert


def list_certificates(
    session: Session, actor: Actor, page: PageParams, school_year: str | None, staff_id: int | None
) -> tuple[Sequence[Certificate], str | None]:
    stmt = select(Certificate).where(owned_filter(actor, Certificate.unit_id, Certificate.staff_id))
    if school_year is not None:
        stmt = stmt.where(Certificate.school_year == school_year)
    if staff_id is not None:
        stmt = stmt.where(Certificate.staff_id == staff_id)
    return paginate(session, stmt, Certificate.id, page)


def _certifier(session: Session, result_unit_id: int, school_year: str) -> int | None:
    policy = current_policy(session, school_year)
    rules = PolicyRules.model_validate(policy.rules) if policy else None
    if rules is not None and rules.certifying_authority == Certifier.department:
        return _department_of(session, result_unit_id)
    return _managing_unit(session, result_unit_id)


def _short(session: Session, result: BdtxResult) -> list[dict[str, Any]] | None:
    """The blocks below their minimum under the result's policy (R-BDTX-1), one item each."""
    codes = (result.details or {}).get("short_blocks") or []
    policy = session.get(YearPolicy, result.policy_id) if result.policy_id else None
    if not codes or policy is None:
        return None
    blocks = {b.code: b for b in PolicyRules.model_validate(policy.rules).blocks}
    got = (result.details or {}).get("periods_by_block", {})
    return [
        {
            "loc": ["body", "result_id"],
            "msg": Localized(
                f"{blocks[c].name}: {got.get(c, 0)} trên {blocks[c].min_periods} tiết tối thiểu",
                f"block {c}: {got.get(c, 0)} of {blocks[c].min_periods} periods",
            ),
            "code": "block_minimum",
        }
        for c in codes
        if c in blocks
    ] or None


def issue_certificate(session: Session, actor: Actor, result_id: int) -> Certificate:
    result = session.scalar(
        select(BdtxResult).where(
            BdtxResult.id == result_id, owned_filter(actor, BdtxResult.unit_id, BdtxResult.staff_id)
        )
    )
    if result is None:
        raise UnknownReference("result_id", result_id)
    issuer = _certifier(session, result.unit_id, result.school_year)
    allow(session, actor, MANAGE_ROLES, issuer, "issue_bdtx_certificate")
    if result.status != ResultStatus.finalised or not result.passed:
        raise Conflict(
            "bdtx_result_not_certifiable", rule="R-BDTX-1", errors=_short(session, result)
        )
    live = session.scalar(
        select(Certificate.serial).where(
            Certificate.result_id == result.id, Certificate.status == CertificateStatus.issued
        )
    )
    if live is not None:
        raise Conflict("bdtx_certificate_exists", serial=live)
    count = session.scalar(
        select(func.count())
        .select_from(Certificate)
        .where(Certificate.school_year == result.school_year)
    )
    cert = Certificate(
        result_id=result.id or 0,
        staff_id=result.staff_id,
        unit_id=result.unit_id,
        school_year=result.school_year,
        result_class=result.result_class,
        serial=f"BDTX-{result.school_year}-{(count or 0) + 1:06d}",
        verification_code=secrets.token_urlsafe(16),
        issuer_unit_id=issuer,
        issued_by_user_id=actor.user_id,
    )
    session.add(cert)
    session.flush()
    return cert


def revoke_certificate(
    session: Session, actor: Actor, cert: Certificate, reason: str, expected: int
) -> Certificate:
    allow(session, actor, MANAGE_ROLES, cert.issuer_unit_id, "revoke_bdtx_certificate")
    check_version(cert.version, expected)
    if cert.status != CertificateStatus.issued:
        raise Conflict("bdtx_wrong_status", status=cert.status.value, expected="issued")
    cert.status = CertificateStatus.revoked
    cert.revoked_reason = reason
    session.flush()
    return cert


def verify_certificate(session: Session, code: str) -> dict[str, Any]:
    """Public: only the name, year, class, issuer and status."""
    issuer = Unit.__table__.alias("issuer")
    row = session.execute(
        select(
            Staff.full_name,
            Certificate.school_year,
            Certificate.result_class,
            issuer.c.name,
            Certificate.status,
        )
        .join(Staff, Staff.id == Certificate.staff_id)
        .outerjoin(issuer, issuer.c.id == Certificate.issuer_unit_id)
        .where(Certificate.verification_code == code)
    ).first()
    if row is None:
        raise NotFound("certificate", code)
    return {
        "full_name": row[0],
        "school_year": row[1],
        "result_class": row[2],
        "issuer": row[3],
        "status": row[4],
    }


# --- unit reports (R-BDTX-5) and the province report (R-BDTX-4) -----------------------------


def summarise(session: Session, unit_id: int, school_year: str) -> dict[str, Any]:
    """Counts over the unit's subtree, in SQL: staff, results by class, category, level."""
    sub = select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == unit_id)
    staff = session.scalar(
        select(func.count())
        .select_from(Staff)
        .where(Staff.unit_id.in_(sub), Staff.status == StaffStatus.active)
    )
    final = and_(
        BdtxResult.school_year == school_year,
        BdtxResult.status == ResultStatus.finalised,
        BdtxResult.unit_id.in_(sub),
    )

    def counts(column: Any) -> dict[str, int]:
        rows = session.execute(
            select(column, func.count())
            .select_from(BdtxResult)
            .join(Staff, Staff.id == BdtxResult.staff_id)
            .where(final)
            .group_by(column)
        ).all()
        return {str(getattr(k, "value", k)) if k is not None else "none": int(n) for k, n in rows}

    by_class = counts(BdtxResult.result_class)
    passed = session.scalar(
        select(func.count()).select_from(BdtxResult).where(final, BdtxResult.passed.is_(True))
    )
    return {
        "staff": int(staff or 0),
        "finalised": sum(by_class.values()),
        "passed": int(passed or 0),
        "by_result_class": by_class,
        "by_category": counts(Staff.category),
        "by_education_level": counts(Staff.education_level),
    }


def get_report(session: Session, actor: Actor, report_id: int) -> UnitReport:
    from app.auth.policies import unit_filter

    report = session.scalar(
        select(UnitReport).where(UnitReport.id == report_id, unit_filter(actor, UnitReport.unit_id))
    )
    if report is None:
        raise NotFound("unit_report", report_id)
    return report


def list_reports(
    session: Session,
    actor: Actor,
    page: PageParams,
    school_year: str | None,
    status: ReportStatus | None,
) -> tuple[Sequence[UnitReport], str | None]:
    from app.auth.policies import unit_filter

    stmt = select(UnitReport).where(unit_filter(actor, UnitReport.unit_id))
    if school_year is not None:
        stmt = stmt.where(UnitReport.school_year == school_year)
    if status is not None:
        stmt = stmt.where(UnitReport.status == status)
    return paginate(session, stmt, UnitReport.id, page)


def create_report(session: Session, actor: Actor, data: ReportCreate) -> UnitReport:
    unit = require_unit(session, actor, data.unit_id, "unit_id")
    assert unit.id is not None
    allow(session, actor, MANAGE_ROLES, unit.id, "report_bdtx")
    policy = current_policy(session, data.school_year)
    exists = session.scalar(
        select(UnitReport.id).where(
            UnitReport.unit_id == unit.id, UnitReport.school_year == data.school_year
        )
    )
    if exists is not None:
        raise Conflict("bdtx_report_exists", school_year=data.school_year)
    report = UnitReport(
        **data.model_dump(),
        policy_id=policy.id if policy else None,
        summary=summarise(session, unit.id, data.school_year),
    )
    session.add(report)
    session.flush()
    return report


def update_report(
    session: Session, actor: Actor, report: UnitReport, data: ReportUpdate, expected: int
) -> UnitReport:
    """A draft or returned report is corrected in place; the Sở attaches its annual plan and
    nội dung 2 materials whenever they are ready, before submitting (R-BDTX-5)."""
    allow(session, actor, MANAGE_ROLES, report.unit_id, "report_bdtx")
    check_version(report.version, expected)
    if report.status not in (ReportStatus.draft, ReportStatus.returned):
        raise Conflict("bdtx_wrong_status", status=report.status.value, expected="draft | returned")
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(report, field, value)
    session.flush()
    return report


def submit_report(session: Session, actor: Actor, report: UnitReport, expected: int) -> UnitReport:
    """Up the hierarchy once every unit directly below has an accepted report (R-BDTX-5);
    the Sở's goes to the Ministry with its annual plan and nội dung 2 materials."""
    allow(session, actor, MANAGE_ROLES, report.unit_id, "report_bdtx")
    check_version(report.version, expected)
    if report.status not in (ReportStatus.draft, ReportStatus.returned):
        raise Conflict("bdtx_wrong_status", status=report.status.value, expected="draft | returned")
    accepted = select(UnitReport.unit_id).where(
        UnitReport.school_year == report.school_year, UnitReport.status == ReportStatus.accepted
    )
    pending = session.scalars(
        select(Unit.id)
        .where(Unit.parent_id == report.unit_id, Unit.id.not_in(accepted))
        .order_by(Unit.id)
    ).all()
    if pending:
        raise Conflict(
            "bdtx_children_not_reported", rule="R-BDTX-5", ids=", ".join(map(str, pending))
        )
    kind = session.scalar(select(Unit.kind).where(Unit.id == report.unit_id))
    if kind == UnitKind.department:
        if not report.nd2_materials or not report.annual_plan_url:
            raise Conflict("bdtx_ministry_package_incomplete", rule="R-BDTX-5")
        report.sent_to_ministry_at = utcnow()
    policy = current_policy(session, report.school_year)
    report.policy_id = policy.id if policy else None
    report.summary = summarise(session, report.unit_id, report.school_year)
    report.status = ReportStatus.submitted
    report.submitted_at = utcnow()
    session.flush()
    return report


def decide_report(
    session: Session,
    actor: Actor,
    report: UnitReport,
    accept: bool,
    note: str | None,
    expected: int,
) -> UnitReport:
    """The managing unit accepts or returns a submitted report."""
    allow(session, actor, MANAGE_ROLES, _managing_unit(session, report.unit_id), "accept_bdtx")
    check_version(report.version, expected)
    if report.status != ReportStatus.submitted:
        raise Conflict("bdtx_wrong_status", status=report.status.value, expected="submitted")
    report.status = ReportStatus.accepted if accept else ReportStatus.returned
    report.decided_by_user_id = actor.user_id
    report.decided_at = utcnow()
    report.decision_note = note
    session.flush()
    return report


def _report_bases(session: Session, actor: Actor, unit_id: int | None) -> list[int]:
    """The units asked for: ``unit_id``, or, like the other reports, the caller's units (the
    top ones among their report roots; the roots of the tree for a system-wide admin)."""
    from app.auth.policies import Permission, authorize
    from app.reports.service import REPORT_ROLES

    if unit_id is not None:
        unit = require_unit(session, actor, unit_id, "unit_id")
        authorize(session, actor, Permission.read, unit.id)
        assert unit.id is not None
        return [unit.id]
    if actor.is_global_admin:
        return list(session.scalars(select(Unit.id).where(Unit.parent_id.is_(None))))
    roots = actor.roots(REPORT_ROLES)
    if not roots:
        raise Forbidden("forbidden", permission="read_reports")
    under_another = select(UnitClosure.descendant_id).where(
        UnitClosure.ancestor_id.in_(roots), UnitClosure.depth > 0
    )
    return [r for r in roots if r not in set(session.scalars(under_another))]


def _report_rows_of(session: Session, bases: list[int]) -> list[int]:
    """Each base's units directly below it; a base with none below (a school) is its own row."""
    below = session.execute(
        select(Unit.parent_id, Unit.id).where(Unit.parent_id.in_(bases)).order_by(Unit.id)
    ).all()
    parents = {p for p, _ in below}
    return [i for _, i in below] + [b for b in bases if b not in parents]


def province_report(
    session: Session, actor: Actor, unit_id: int | None, school_year: str
) -> tuple[list[dict[str, Any]], int | None, list[int]]:
    """Per unit directly below ``unit_id`` (or below each of the caller's units), subtrees
    rolled up over unit_closure; also the units reported on."""
    bases = _report_bases(session, actor, unit_id)
    targets = _report_rows_of(session, bases)
    child = Unit.__table__.alias("child")
    # only the rows' subtrees: the cost follows the unit asked for, not the whole tree
    rows_of = UnitClosure.ancestor_id.in_(targets)
    staff_q = (
        select(UnitClosure.ancestor_id.label("uid"), func.count(Staff.id).label("n"))
        .join(Staff, Staff.unit_id == UnitClosure.descendant_id)
        .where(rows_of, Staff.status == StaffStatus.active)
        .group_by(UnitClosure.ancestor_id)
        .subquery()
    )
    res_q = (
        select(
            UnitClosure.ancestor_id.label("uid"),
            func.count(BdtxResult.id).label("results"),
            func.sum(case((BdtxResult.status == ResultStatus.finalised, 1), else_=0)).label("fin"),
            func.sum(
                case(
                    (and_(BdtxResult.status == ResultStatus.finalised, BdtxResult.passed), 1),
                    else_=0,
                )
            ).label("passed"),
        )
        .join(BdtxResult, BdtxResult.unit_id == UnitClosure.descendant_id)
        .where(rows_of, BdtxResult.school_year == school_year)
        .group_by(UnitClosure.ancestor_id)
        .subquery()
    )
    rows = session.execute(
        select(
            child.c.id,
            child.c.name,
            func.coalesce(staff_q.c.n, 0),
            func.coalesce(res_q.c.results, 0),
            func.coalesce(res_q.c.fin, 0),
            func.coalesce(res_q.c.passed, 0),
        )
        .outerjoin(staff_q, staff_q.c.uid == child.c.id)
        .outerjoin(res_q, res_q.c.uid == child.c.id)
        .where(child.c.id.in_(targets))
        .order_by(child.c.id)
    ).all()
    out = [
        {
            "unit_id": r[0],
            "unit_name": r[1],
            "school_year": school_year,
            "staff": int(r[2]),
            "results": int(r[3]),
            "finalised": int(r[4]),
            "passed": int(r[5]),
            "completion_rate": round(int(r[5]) / int(r[2]), 4) if r[2] else 0.0,
        }
        for r in rows
    ]
    policy = current_policy(session, school_year)
    return out, policy.revision if policy else None, bases
