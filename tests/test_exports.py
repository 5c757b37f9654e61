"""app.core.exports on a tiny app of its own: one report in JSON, CSV and XLSX."""

import csv
import io
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel

from app.core.errors import install_error_handlers
from app.core.exports import (
    CSV,
    XLSX,
    Column,
    content_disposition,
    export_responses,
    header_height,
    negotiate,
    sheet_title,
    table_response,
)

BOM = b"\xef\xbb\xbf"
COLUMNS = [
    Column("unit", "Đơn vị", "Unit", width=40),
    Column("present", "Có mặt", "Present", total=True),
    Column("absent", "Vắng", "Absent", total=True),
    Column("rate", "Tỉ lệ có mặt", "Attendance rate", percent=True),
]
ROWS = [
    {"unit": "Trường THCS Tân Phú", "present": 33, "absent": 3, "rate": 33 / 36},
    {"unit": "Trường TH Đắk Lắk", "present": 24, "absent": 0, "rate": 1.0},
]


class AttendanceRow(BaseModel):
    unit: str
    present: int
    absent: int
    rate: float


class AttendanceReport(BaseModel):
    rows: list[AttendanceRow]


def make_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/report", response_model=None, responses=export_responses(AttendanceReport))
    def report(request: Request) -> Response | dict[str, Any]:
        fmt = negotiate(request)
        if fmt == "json":
            return {"rows": ROWS}
        return table_response(
            request,
            title_vi="Báo cáo chuyên cần tháng 9",
            title_en="Attendance report, September",
            columns=COLUMNS,
            rows=ROWS,
            filename="chuyen-can-2024-09",
            fmt=fmt,
        )

    @app.get("/hostile", response_model=None)
    def hostile(request: Request) -> Response:
        rows = [{"unit": '=HYPERLINK("http://evil.example","x")', "present": 1}]
        return table_response(
            request,
            title_vi="Thử",
            title_en="Test",
            columns=COLUMNS[:2],
            rows=rows,
            filename="thu",
            fmt=negotiate(request),
        )

    return app


@pytest.fixture(scope="module")
def api() -> TestClient:
    return TestClient(make_app())


def read_csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def read_xlsx(response: Any) -> Worksheet:
    ws = load_workbook(io.BytesIO(response.content)).active
    assert isinstance(ws, Worksheet)
    return ws


def test_csv_is_utf8_with_bom_and_keeps_diacritics(api: TestClient) -> None:
    r = api.get("/report", headers={"Accept": CSV})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="chuyen-can-2024-09.csv"'
    assert r.content.startswith(BOM)
    rows = read_csv(r)
    assert rows[0] == ["Đơn vị", "Có mặt", "Vắng", "Tỉ lệ có mặt"]
    assert rows[1] == ["Trường THCS Tân Phú", "33", "3", "0.9167"]
    assert rows[2] == ["Trường TH Đắk Lắk", "24", "0", "1.0"]


def test_csv_totals_row_sums_total_columns_only(api: TestClient) -> None:
    rows = read_csv(api.get("/report?format=csv"))
    assert len(rows) == 4
    assert rows[-1] == ["Tổng cộng", "57", "3", ""]


@pytest.mark.parametrize(
    ("query", "headers"),
    [("?format=xlsx", {}), ("", {"Accept": XLSX}), ("?format=XLSX", {"Accept": CSV})],
)
def test_xlsx_by_query_or_accept(api: TestClient, query: str, headers: dict[str, str]) -> None:
    r = api.get("/report" + query, headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"] == XLSX
    assert r.headers["content-disposition"] == 'attachment; filename="chuyen-can-2024-09.xlsx"'
    assert r.content.startswith(b"PK")  # a zip, as every XLSX is


def test_xlsx_layout(api: TestClient) -> None:
    ws = read_xlsx(api.get("/report?format=xlsx"))
    assert ws["A1"].value == "Báo cáo chuyên cần tháng 9"
    assert ws["A1"].font.bold
    assert "A1:E1" in {str(m) for m in ws.merged_cells.ranges}
    assert [c.value for c in ws[3]] == ["STT", "Đơn vị", "Có mặt", "Vắng", "Tỉ lệ có mặt"]
    assert all(c.font.bold for c in ws[3])
    assert all(c.alignment.wrap_text for c in ws[3])
    assert [ws["A4"].value, ws["A5"].value] == [1, 2]
    assert ws["B4"].value == "Trường THCS Tân Phú"
    assert ws["C5"].value == 24
    assert ws.column_dimensions["B"].width == 40
    assert ws.column_dimensions["C"].width == 14
    assert ws.auto_filter.ref == "A3:E5"
    assert ws.title == "Báo cáo chuyên cần tháng 9"


def test_xlsx_prints_on_a4_landscape_with_the_header_on_every_page(api: TestClient) -> None:
    ws = read_xlsx(api.get("/report?format=xlsx"))
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$3:$3"
    # below the header and right of the name column (STT, name)
    assert ws.freeze_panes == "C4"
    # every header fits one line at these widths: one line's height
    assert 15 <= ws.row_dimensions[3].height < 30


def test_xlsx_header_row_is_as_tall_as_its_longest_wrapped_header() -> None:
    columns = [Column("unit", "Đơn vị", "Unit", width=30), Column("n", "Vắng không phép", "x")]
    assert header_height([(c.vi, c.width) for c in columns]) == 34  # two lines
    assert header_height([("Đơn vị", 30)]) == 19


def test_xlsx_cells_have_borders(api: TestClient) -> None:
    ws = read_xlsx(api.get("/report?format=xlsx"))
    for row in ws.iter_rows(min_row=3, max_row=6, max_col=5):
        for cell in row:
            sides = [cell.border.right, cell.border.top, cell.border.bottom]
            if cell.coordinate != "B6":  # inside the merged "Tổng cộng": no line down the middle
                sides.append(cell.border.left)
            assert all(side.style == "thin" for side in sides), cell.coordinate
    assert ws["A1"].border.left.style is None  # the title stands free


def test_xlsx_totals_row_holds_values_not_formulas(api: TestClient) -> None:
    ws = read_xlsx(api.get("/report?format=xlsx"))
    assert ws["A6"].value == "Tổng cộng"
    assert ws["A6"].font.bold
    assert "A6:B6" in {str(m) for m in ws.merged_cells.ranges}
    assert (ws["C6"].value, ws["D6"].value) == (57, 3)
    assert ws["C6"].data_type == "n"
    assert ws["E6"].value is None
    assert ws.max_row == 6


def test_xlsx_percent_column_has_percent_format(api: TestClient) -> None:
    ws = read_xlsx(api.get("/report?format=xlsx"))
    assert ws["E4"].number_format == "0.0%"
    assert ws["E4"].value == pytest.approx(33 / 36)
    assert ws["C4"].number_format == "General"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Vi phạm, phê bình và xét thi đua năm học 2024-2025", "Vi phạm, phê bình và xét thi"),
        ("Tình hình thực hiện tập huấn: 2024/2025", "Tình hình thực hiện tập huấn"),
        ("Ngắn", "Ngắn"),
        ("A" * 40, "A" * 31),
    ],
)
def test_sheet_names_are_cut_between_words(title: str, expected: str) -> None:
    assert sheet_title(title) == expected
    assert len(sheet_title(title)) <= 31


def test_english_headers_with_accept_language_en(api: TestClient) -> None:
    en = {"Accept-Language": "en-US,en;q=0.9"}
    rows = read_csv(api.get("/report?format=csv", headers=en))
    assert rows[0] == ["Unit", "Present", "Absent", "Attendance rate"]
    assert rows[-1][0] == "Total"
    ws = read_xlsx(api.get("/report?format=xlsx", headers=en))
    assert ws["A1"].value == "Attendance report, September"
    assert [c.value for c in ws[3]] == ["No.", "Unit", "Present", "Absent", "Attendance rate"]
    assert ws["A6"].value == "Total"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "application/json"),
        ("application/json, text/csv", "application/json"),
        ("TEXT/CSV; q=0.9, application/json", "text/csv; charset=utf-8"),
        (f"text/html, {XLSX};q=0.5", XLSX),
    ],
)
def test_accept_header_negotiation(api: TestClient, accept: str | None, expected: str) -> None:
    r = api.get("/report", headers={"Accept": accept} if accept else {})
    assert r.status_code == 200
    assert r.headers["content-type"] == expected


def test_format_query_wins_over_accept(api: TestClient) -> None:
    r = api.get("/report?format=json", headers={"Accept": CSV})
    assert r.json()["rows"][0]["unit"] == "Trường THCS Tân Phú"


def test_unknown_format_is_422_problem(api: TestClient) -> None:
    r = api.get("/report?format=pdf")
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["loc"] == ["query", "format"]


def test_cells_that_look_like_formulas_stay_text(api: TestClient) -> None:
    ws = read_xlsx(api.get("/hostile?format=xlsx"))
    assert ws["B4"].data_type == "s"
    assert ws["B4"].value == '=HYPERLINK("http://evil.example","x")'
    assert read_csv(api.get("/hostile?format=csv"))[1][0].startswith("'=")


def test_non_ascii_filename_gets_rfc5987_form() -> None:
    assert content_disposition("báo cáo Đắk Lắk.csv") == (
        'attachment; filename="bao cao Dak Lak.csv"; '
        "filename*=UTF-8''b%C3%A1o%20c%C3%A1o%20%C4%90%E1%BA%AFk%20L%E1%BA%AFk.csv"
    )
    assert content_disposition('a"\r\nb.csv').startswith('attachment; filename="a_b.csv"')


def test_export_responses_document_three_formats(api: TestClient) -> None:
    entry = export_responses(AttendanceReport)[200]
    assert set(entry["content"]) == {"application/json", CSV, XLSX}
    ok = api.get("/openapi.json").json()["paths"]["/report"]["get"]["responses"]["200"]
    content = ok["content"]
    assert set(content) == {"application/json", CSV, XLSX}
    assert content["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AttendanceReport"
    }
    binary = {"type": "string", "format": "binary"}
    assert content[CSV]["schema"] == binary
    assert content[XLSX]["schema"] == binary
