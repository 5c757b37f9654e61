from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from app.core.schemas import WHITE_SPACE, InputModel, PatchModel, ReadModel
from app.core.school_year import SchoolYear
from app.core.types import Id, patterned
from app.criticisms.models import CriticismStatus

Subject = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Body = Annotated[str, StringConstraints(min_length=1, max_length=20000)]
Place = Annotated[str, StringConstraints(min_length=1, max_length=100)]
# no white space anywhere, so none is stripped either: what the pattern refuses is refused
Symbol = Annotated[
    str, patterned(rf"^[^{WHITE_SPACE}/][^{WHITE_SPACE}]*$", min_length=1, max_length=32)
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255)]
ViolationIds = Annotated[list[Id], Field(min_length=1, max_length=500)]
CopyTo = Annotated[list[Name], Field(max_length=20)]

SUBJECT_HELP = "What the letter is about, printed as `V/v …`, e.g. `phê bình đơn vị …`."
SYMBOL_HELP = (
    "Ký hiệu after the number: `12/SGDĐT-TCCB`. Left out: the issuing unit's letterhead's "
    "(`abbreviation-drafting_unit`, `PUT /units/{id}/letterhead`)."
)
FROM_LETTERHEAD = "Left out: the issuing unit's letterhead's."


class CriticismCreate(InputModel):
    """A draft letter from ``issuing_unit_id`` to a unit below it, citing open violations of
    that unit (or units below it) of one school year."""

    issuing_unit_id: Id
    recipient_unit_id: Id
    school_year: SchoolYear
    violation_ids: ViolationIds
    subject: Subject = Field(description=SUBJECT_HELP)
    body: Body
    propose_emulation: bool = Field(
        default=False, description="Propose that it count in the year-end emulation review."
    )
    place: Place | None = Field(
        default=None,
        description='Printed as "<place>, ngày … tháng … năm …". ' + FROM_LETTERHEAD,
    )
    document_symbol: Symbol | None = Field(default=None, description=SYMBOL_HELP)
    signer_title: Name | None = Field(default=None, description=FROM_LETTERHEAD)
    signer_name: Name | None = Field(default=None, description=FROM_LETTERHEAD)
    copy_to: CopyTo = Field(
        default_factory=list, description='"Nơi nhận" besides the recipient ("Như trên").'
    )


class CriticismUpdate(PatchModel):
    """While the letter is a draft; an issued letter never changes (R-VIO-1)."""

    NOT_NULL = frozenset(
        {
            "violation_ids",
            "subject",
            "body",
            "propose_emulation",
            "place",
            "document_symbol",
            "signer_title",
            "copy_to",
        }
    )

    violation_ids: ViolationIds | None = None
    subject: Subject | None = None
    body: Body | None = None
    propose_emulation: bool | None = None
    place: Place | None = None
    document_symbol: Symbol | None = None
    signer_title: Name | None = None
    signer_name: Name | None = None
    copy_to: CopyTo | None = None


class CriticismRead(ReadModel):
    id: int
    status: CriticismStatus
    school_year: str
    issuing_unit_id: int
    recipient_unit_id: int
    violation_ids: list[int] = Field(default_factory=list)
    subject: str
    body: str
    propose_emulation: bool
    place: str
    document_symbol: str
    managing_body: str | None = Field(description="The line above the issuer's name.")
    signer_title: str
    signer_name: str | None
    copy_to: list[str]
    number: int | None = Field(description="Sequence per issuing unit and calendar year.")
    document_number: str | None = Field(description="e.g. `01/SGDĐT-TCCB`; set when issued.")
    issued_on: date | None
    issued_at: datetime | None
    issued_by_user_id: int | None
    issued_by_name: str | None
    version: int
    created_at: datetime
    updated_at: datetime
