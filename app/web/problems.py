"""The problem-code catalogue as an endpoint: what each `code` means, its status and rule,
in Vietnamese and English, for clients that handle codes without reading the source."""

from fastapi import Path
from pydantic import BaseModel, Field

from app.core.errors import NotFound, problem_responses
from app.core.i18n import RESOURCES_VI
from app.core.problem_catalogue import CODES, entry
from app.core.schemas import Page
from app.web.routing import api_router

router = api_router("/api/v1/public/problems", "public", public=True)
RESOURCES_VI["problem_code"] = "mã lỗi"


class ProblemCode(BaseModel):
    code: str = Field(description="The problem's `code`; its `type` is the catalogue URL.")
    status: int | None = Field(
        description="HTTP status; null for a code that appears only on a bulk report's rows"
    )
    rule: str | None = Field(description="The domain rule it enforces, e.g. R-GOV-1")
    title_vi: str
    detail_vi: str = Field(description="Template of `detail`; `{…}` are filled per problem")
    title_en: str
    detail_en: str


@router.get("", name="public-problems-list", response_model=Page[ProblemCode])
def list_problem_codes() -> Page[ProblemCode]:
    """Every problem `code` the API answers, with its status, rule and texts. No
    authentication: it documents the contract."""
    return Page(items=[ProblemCode(**entry(c)) for c in sorted(CODES)], next_cursor=None)


@router.get(
    "/{code}",
    name="public-problems-get",
    response_model=ProblemCode,
    responses=problem_responses(404),
)
def get_problem_code(
    code: str = Path(max_length=64, pattern="^[a-z0-9_]+$"),
) -> ProblemCode:
    """One code; a problem's `type` URL ends with it."""
    if code not in CODES:
        raise NotFound("problem_code", code)
    return ProblemCode(**entry(code))
