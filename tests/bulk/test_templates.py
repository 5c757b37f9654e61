"""Import templates (GET /bulk/templates): each one's example row goes through its import as
it is downloaded, its headers are the importer's, its required flags are exact."""

import io
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session

from app.auth.models import Role
from app.bulk.columns import Choice
from app.bulk.templates import TEMPLATES, Template
from app.core.routing import api_routes
from app.main import create_app
from app.units.models import UnitKind
from tests.bdtx.helpers import make_module
from tests.bulk.helpers import XLSX
from tests.conftest import ClientFor
from tests.events.builders import build_event, nominate
from tests.factories import make_staff, make_tree, make_unit

LIST = "/api/v1/bulk/templates"
KEYS = sorted(TEMPLATES)


def example(template: Template, field: str) -> Any:
    return template.hints[field].example


# --- a world in which each example row is a valid import, and the caller who imports it ---

Setup = Callable[[Session, ClientFor], tuple[TestClient, str]]


def _staff(session: Session, client_for: ClientFor) -> tuple[TestClient, str]:
    tree = make_tree(session)
    code = example(TEMPLATES["staff"], "unit_external_code")
    school = make_unit(session, tree["d1"], external_code=code, name="Trường THCS Tân Phú")
    return client_for(Role.unit_head, school), "/api/v1/staff/bulk"


def _units(session: Session, client_for: ClientFor) -> tuple[TestClient, str]:
    tree = make_tree(session)
    code = example(TEMPLATES["units"], "parent_external_code")
    make_unit(session, tree["so"], UnitKind.district_office, external_code=code)
    return client_for(Role.department_officer, tree["so"]), "/api/v1/units/bulk"


def _modules(session: Session, client_for: ClientFor) -> tuple[TestClient, str]:
    tree = make_tree(session)
    return client_for(Role.department_officer, tree["so"]), "/api/v1/bdtx/modules/bulk"


def _attendance(session: Session, client_for: ClientFor) -> tuple[TestClient, str]:
    tree = make_tree(session)
    code = example(TEMPLATES["attendance"], "staff_external_code")
    person = make_staff(session, tree["s1"], external_code=code)
    built = build_event(session, tree["d1"], [tree["s1"]])
    nominate(session, built, person.id or 0)
    url = f"/api/v1/events/{built.event.id}/sessions/{built.sessions[0].id}/attendance/bulk"
    return client_for(Role.department_officer, tree["d1"]), url


def _lms(session: Session, client_for: ClientFor) -> tuple[TestClient, str]:
    tree = make_tree(session)
    template = TEMPLATES["bdtx-lms"]
    make_staff(session, tree["s1"], external_code=example(template, "staff_external_code"))
    make_module(session, example(template, "module_code"), "elective", 20)
    return client_for(Role.department_officer, tree["so"]), "/api/v1/bdtx/lms-completions/bulk"


SETUPS: dict[str, Setup] = {
    "staff": _staff,
    "units": _units,
    "bdtx-modules": _modules,
    "attendance": _attendance,
    "bdtx-lms": _lms,
}


def download(client: TestClient, resource: str) -> bytes:
    r = client.get(f"{LIST}/{resource}")
    assert r.status_code == 200, r.text
    return r.content


def upload(client: TestClient, url: str, content: bytes) -> Any:
    return client.post(
        url,
        params={"dry_run": "true"},
        files={"file": ("mau.xlsx", content, XLSX)},
    )


def first_sheet(content: bytes) -> Worksheet:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert isinstance(sheet, Worksheet)
    return sheet


def without_cell(content: bytes, column: int) -> bytes:
    book = load_workbook(io.BytesIO(content))
    book.worksheets[0].cell(row=2, column=column).value = None
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the property: a template as downloaded is a valid import --------------------------------


def test_every_template_has_a_setup() -> None:
    assert SETUPS.keys() == TEMPLATES.keys()


@pytest.mark.parametrize("resource", KEYS)
def test_the_downloaded_template_imports_unchanged(
    resource: str, session: Session, client_for: ClientFor
) -> None:
    caller, url = SETUPS[resource](session, client_for)
    r = upload(caller, url, download(caller, resource))
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["summary"] == {
        "total": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "error": 0,
    }
    assert report["rows"][0]["row"] == 2  # the example row, below the header
    assert report["ignored_columns"] == []  # every header is one the importer reads
    assert report["committed"] is False


CELLS = [(key, n) for key in KEYS for n in range(len(TEMPLATES[key].layout.columns))]


@pytest.mark.parametrize(("resource", "index"), CELLS, ids=[f"{k}-{n}" for k, n in CELLS])
def test_required_flags_are_exact(
    resource: str, index: int, session: Session, client_for: ClientFor
) -> None:
    """Emptying a required cell of the example makes the row an error naming that field;
    emptying any other cell leaves the row valid."""
    template = TEMPLATES[resource]
    column = template.layout.columns[index]
    caller, url = SETUPS[resource](session, client_for)
    r = upload(caller, url, without_cell(download(caller, resource), index + 1))
    if not template.required(column):
        assert r.status_code == 200, r.text
        return
    assert r.status_code in (409, 422), r.text
    assert r.json()["rows"][0]["problem"]["field"] == column.field


# --- the file ---------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", KEYS)
def test_the_file_holds_the_importers_headers_frozen_and_a_guide(
    resource: str, client: TestClient
) -> None:
    template = TEMPLATES[resource]
    r = client.get(f"{LIST}/{resource}")
    assert r.headers["content-type"] == XLSX
    assert r.headers["content-disposition"] == f'attachment; filename="{template.filename}.xlsx"'
    book = load_workbook(io.BytesIO(r.content))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    layout = template.layout
    assert headers == [c.headers[0] for c in layout.columns]
    assert [layout.column(h).field for h in headers] == [c.field for c in layout.columns]  # type: ignore[union-attr]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 2  # one example row
    assert all((sheet.column_dimensions[c.column_letter].width or 0) >= 12 for c in sheet[1])
    guide = book["Hướng dẫn"]
    text = "\n".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    assert all(h in text for h in headers)
    assert "dry_run" in text


def test_choice_columns_offer_a_drop_down_of_their_labels(client: TestClient) -> None:
    sheet = first_sheet(download(client, "staff"))
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["D2:D1048576"] == '"Giáo viên,Cán bộ quản lý,Nhân viên"'  # Vị trí việc làm
    assert lists["J2:J1048576"] == '"Nam,Nữ"'  # Giới tính
    # a warning, not a refusal: "GV" or "CBQL" is still accepted by the import
    assert {v.errorStyle for v in sheet.data_validations.dataValidation} == {"warning"}


def test_dates_are_date_cells_shown_as_offices_write_them(client: TestClient) -> None:
    sheet = first_sheet(download(client, "staff"))
    born = sheet.cell(row=2, column=[c.value for c in sheet[1]].index("Ngày sinh") + 1)
    assert born.is_date
    assert born.number_format == "dd/mm/yyyy"
    code = sheet.cell(row=2, column=1)
    assert code.number_format == "@"  # typed codes keep their leading zeros


def test_unknown_template_is_404_problem(client: TestClient) -> None:
    r = client.get(f"{LIST}/khong-co")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "not_found"
    assert "mẫu nhập" in body["detail"]


# --- the listing ------------------------------------------------------------------------------


def test_listing_names_every_bulk_import_and_nothing_else(client: TestClient) -> None:
    r = client.get(LIST)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["next_cursor"] is None
    imports = {
        route.name: route.path_format
        for route in api_routes(create_app().routes)
        if route.path_format.endswith("/bulk") and "POST" in route.methods
    }
    listed = {i["import_operation"]: i["import_path"] for i in body["items"]}
    assert listed == imports
    for item in body["items"]:
        assert item["download_path"] == f"{LIST}/{item['resource']}"
        assert client.get(item["download_path"]).status_code == 200


def test_listing_describes_the_columns_as_the_file_does(client: TestClient) -> None:
    items = {i["resource"]: i for i in client.get(LIST).json()["items"]}
    staff = items["staff"]
    assert staff["title"] == "Danh sách cán bộ, giáo viên, nhân viên"
    assert staff["filename"] == "mau_nhap_can_bo.xlsx"
    assert staff["identified_by"] == ["external_code"]
    columns = {c["field"]: c for c in staff["columns"]}
    assert columns["date_of_birth"]["format"] == "dd/mm/yyyy"
    assert columns["date_of_birth"]["example"] == "14/03/1990"
    assert columns["gender"]["allowed_values"] == ["Nam", "Nữ"]
    assert columns["full_name"]["required"] is True
    assert columns["email"]["required"] is False
    assert columns["subjects"]["format"] == "danh sách, cách nhau bởi dấu ;"
    assert items["units"]["columns"][3]["multiple"] is True  # Cấp học: several levels
    lms = items["bdtx-lms"]
    assert lms["identified_by"] == ["staff_external_code", "school_year", "module_code"]
    assert all(c["required"] for c in lms["columns"])
    sheet = first_sheet(download(client, "units"))
    assert [c["header"] for c in items["units"]["columns"]] == [c.value for c in sheet[1]]


@pytest.mark.parametrize("resource", KEYS)
def test_allowed_values_are_exactly_what_the_import_accepts(resource: str) -> None:
    """Each offered label is read as a distinct value, and together they name every value."""
    for column in TEMPLATES[resource].layout.columns:
        if not isinstance(column.convert, Choice):
            continue
        read = [column.convert.one(label) for label in column.convert.offered()]
        assert read == [m.value for m in column.convert.enum_cls], column.field
