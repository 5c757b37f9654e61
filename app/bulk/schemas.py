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


class TemplateColumn(BaseModel):
    """One column of an import template, as the file spells it and as the importer reads it."""

    header: str = Field(description="The header as the template spells it (Vietnamese).")
    field: str = Field(description="The field it feeds: its name in a JSON row.")
    required: bool = Field(
        description="Needed in a row that creates a record; the columns in `identified_by` "
        "in every row. An empty cell otherwise means the stored value is kept."
    )
    format: str | None = Field(
        description="How the value is written, e.g. `dd/mm/yyyy`; null for free text."
    )
    allowed_values: list[str] = Field(
        description="For a choice column: the Vietnamese labels offered (the English values "
        "are accepted too); empty for other columns."
    )
    multiple: bool = Field(description="Several values in one cell, separated by `;`.")
    description: str = Field(description="What goes in the column (Vietnamese).")
    example: str = Field(description="The template's example row's value, as written.")


class ImportTemplate(BaseModel):
    """A bulk import and its spreadsheet template."""

    resource: str = Field(description="The template's key, e.g. `staff`.")
    title: str = Field(description="What the file holds (Vietnamese).")
    import_operation: str = Field(description="The operation id of the import it feeds.")
    import_path: str = Field(description="The import it feeds (a path template).")
    download_path: str = Field(description="Where the XLSX template is downloaded.")
    filename: str = Field(description="The downloaded file's name.")
    identified_by: list[str] = Field(description="The fields that identify a row's record.")
    columns: list[TemplateColumn]
