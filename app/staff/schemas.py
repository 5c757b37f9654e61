from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from app.core.schemas import WHITE_SPACE, InputModel, PatchModel, ReadModel, examples
from app.core.types import Id, patterned
from app.staff.models import Gender, StaffCategory, StaffStatus
from app.units.models import EducationLevel
from app.units.schemas import ExternalCode, Name, Reason

TitleRank = Annotated[str, patterned(r"^V\.[0-9]{2}\.[0-9]{2}\.[0-9]{2}$", max_length=32)]
Subject = Annotated[str, StringConstraints(min_length=1, max_length=100)]
ShortText = Annotated[str, StringConstraints(max_length=255)]
# no `\s`, `\d`: they mean other characters in other regex engines (see WHITE_SPACE)
_NOT_AT = rf"[^@{WHITE_SPACE}]+"
# as the pattern says: white space around an address is refused, not stripped
Email = Annotated[str, patterned(rf"^{_NOT_AT}@{_NOT_AT}\.{_NOT_AT}$", max_length=255)]


class StaffFields(InputModel):
    position: ShortText | None = Field(default=None, description="Chức vụ, e.g. Hiệu trưởng.")
    subjects: list[Subject] = Field(default_factory=list, max_length=20)
    education_level: EducationLevel | None = None
    title_rank: TitleRank | None = Field(
        default=None, description="Mã hạng chức danh nghề nghiệp, e.g. V.07.05.14."
    )
    date_of_birth: date | None = None
    gender: Gender | None = None
    email: Email | None = None


class StaffCreate(StaffFields):
    model_config = examples(
        {
            "external_code": "7012345678",
            "full_name": "Nguyễn Thị Thu Hà",
            "unit_id": 12,
            "category": "teacher",
            "position": "Tổ trưởng chuyên môn",
            "subjects": ["Ngữ văn"],
            "education_level": "lower_secondary",
            "title_rank": "V.07.04.31",
            "date_of_birth": "1986-04-17",
            "gender": "female",
            "email": "thuha.thcstanphu@dongnai.edu.vn",
        }
    )

    external_code: ExternalCode
    full_name: Name
    unit_id: Id
    category: StaffCategory
    status: StaffStatus = StaffStatus.active


class StaffUpdate(PatchModel):
    """Only the fields sent change. Moving to another unit goes through `/transfer`."""

    NOT_NULL = frozenset({"external_code", "full_name", "category", "subjects", "status"})

    external_code: ExternalCode | None = None
    full_name: Name | None = None
    category: StaffCategory | None = None
    position: ShortText | None = None
    subjects: list[Subject] | None = Field(default=None, max_length=20)
    education_level: EducationLevel | None = None
    title_rank: TitleRank | None = None
    date_of_birth: date | None = None
    gender: Gender | None = None
    email: Email | None = None
    status: StaffStatus | None = None


class StaffTransfer(InputModel):
    unit_id: Id = Field(description="The unit the person moves to.")
    reason: Reason | None = None
    decision_number: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description="Số quyết định điều động."
    )


class StaffRead(ReadModel):
    id: int
    external_code: str
    full_name: str
    unit_id: int
    category: StaffCategory
    position: str | None
    subjects: list[str]
    education_level: EducationLevel | None
    title_rank: str | None
    date_of_birth: date | None
    gender: Gender | None
    email: str | None
    status: StaffStatus
    version: int
    created_at: datetime
    updated_at: datetime


class StaffAssignmentRead(ReadModel):
    unit_id: int
    started_at: datetime
    ended_at: datetime | None
    reason: str | None
    decision_number: str | None
