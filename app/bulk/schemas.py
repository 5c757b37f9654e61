"""The bulk import report: one result per row and a summary (the API contract)."""

import enum

from pydantic import BaseModel, Field


class ImportMode(enum.StrEnum):
    """``atomic``: any row in error and nothing is written. ``partial``: good rows are written."""

    atomic = "atomic"
    partial = "partial"


class RowStatus(enum.StrEnum):
    created = "created"
    updated = "updated"
    unchanged = "unchanged"
    error = "error"


class RowProblem(BaseModel):
    code: str = Field(description="Stable snake_case code, e.g. `unknown_unit`.")
    detail: str = Field(description="What is wrong, in the request's language.")
    field: str | None = Field(default=None, description="The field (English name) at fault.")


class RowResult(BaseModel):
    row: int = Field(
        description="Row number as the spreadsheet shows it (header = row 1); "
        "for a JSON array, the item's position counted from 1."
    )
    external_code: str | None
    status: RowStatus
    id: int | None = Field(default=None, description="The record's id, once it exists.")
    problem: RowProblem | None = None


class ImportSummary(BaseModel):
    total: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error: int = 0


class BulkReport(BaseModel):
    mode: ImportMode
    dry_run: bool
    committed: bool = Field(description="Whether anything was written.")
    summary: ImportSummary
    ignored_columns: list[str] = Field(
        default_factory=list, description="Spreadsheet columns that map to no field."
    )
    rows: list[RowResult]
