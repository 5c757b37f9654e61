"""Spreadsheets as the sector database (CSDL ngành) exports them, built in the tests."""

import csv
import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The export's layout: Vietnamese headers, an "STT" column and one the API does not store.
SECTOR_HEADERS = [
    "STT",
    "Mã định danh",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Mã đơn vị",
    "Vị trí việc làm",
    "Chức vụ",
    "Môn dạy",
    "Hạng chức danh nghề nghiệp",
    "Email",
    "Dân tộc",
]


def sector_row(n: int, unit_code: str, **override: Any) -> list[Any]:
    born = date(1970 + n % 30, 1 + n % 12, 1 + n % 28)
    values = {
        "STT": n,
        "Mã định danh": f"CB{n:07d}",
        "Họ và tên": f"Nguyễn Thị Thử {n}",
        "Ngày sinh": born.strftime("%d/%m/%Y"),
        "Giới tính": "Nữ" if n % 2 else "Nam",
        "Mã đơn vị": unit_code,
        "Vị trí việc làm": "Giáo viên" if n % 10 else "Cán bộ quản lý",
        "Chức vụ": "Tổ trưởng" if n % 7 == 0 else None,
        "Môn dạy": "Toán; Vật lý" if n % 3 else "Ngữ văn",
        "Hạng chức danh nghề nghiệp": "Hạng II (V.07.04.31)",
        "Email": f"gv{n}@truong.edu.vn",
        "Dân tộc": "Kinh",
        **override,
    }
    return [values[h] for h in SECTOR_HEADERS]


def xlsx_bytes(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Danh sách")
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(headers: Sequence[str], rows: Sequence[Sequence[Any]], sep: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep)
    writer.writerow(headers)
    writer.writerows(["" if v is None else v for v in r] for r in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # Excel's BOM


def by_row(report: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {r["row"]: r for r in report["rows"]}
