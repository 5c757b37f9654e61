"""Import templates: for each bulk import, the spreadsheet an office fills in.

A template is the import's own layout (``app.bulk.columns.Layout``): its columns, in order,
under their first header (the sector's usual spelling), the values a choice column accepts
(``Choice.offered``), and which fields a row needs. What a layout cannot say is written here:
a line of explanation and one example value per column. The example row is a real one the
importer accepts (``tests/bulk/test_templates.py`` uploads every template unchanged), so a
template cannot drift from its import.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.bulk.attendance import MARK_LAYOUT
from app.bulk.columns import Choice, Column, Layout, day, moment, number, text_list
from app.bulk.lms import LMS_LAYOUT
from app.bulk.modules import MODULE_LAYOUT
from app.bulk.schemas import ImportTemplate, TemplateColumn
from app.bulk.staff import STAFF
from app.bulk.units import UNIT_LAYOUT

LIST_FORMAT = "danh sách, cách nhau bởi dấu ;"
# the format a converter reads, where the converter alone says it
FORMATS: dict[Any, str] = {
    day: "dd/mm/yyyy",
    moment: "dd/mm/yyyy hh:mm",
    text_list: LIST_FORMAT,
    number: "số",
}


@dataclass(frozen=True)
class Hint:
    """What the layout cannot say about a column: what goes in it and an example value."""

    description: str
    example: str | int | float | date | datetime
    format: str | None = None  # where the converter's own format says too little


# compared and hashed by identity: the templates are constants, and a workbook is built
# once for each (``template_xlsx`` is cached)
@dataclass(frozen=True, eq=False)
class Template:
    resource: str
    route: str  # the import's route name (its operation id)
    title: str
    sheet: str  # the data sheet's name: Excel allows 31 characters, the title needs more
    filename: str
    layout: Layout
    # fields a row that creates a record needs, beyond those every row needs
    for_new: frozenset[str]
    hints: Mapping[str, Hint]

    def header(self, column: Column) -> str:
        return column.headers[0] if column.headers else column.field

    def always(self) -> set[str]:
        """The fields every row needs: those the row model cannot do without (the key)."""
        fields = self.layout.model.model_fields
        return {c.field for c in self.layout.columns if fields[c.field].is_required()}

    def required(self, column: Column) -> bool:
        return column.field in self.always() or column.field in self.for_new

    def format_of(self, column: Column) -> str | None:
        hint = self.hints[column.field]
        if hint.format is not None:
            return hint.format
        if isinstance(column.convert, Choice):
            return LIST_FORMAT if column.convert.many else None
        return FORMATS.get(column.convert)


def choices(column: Column) -> list[str]:
    return column.convert.offered() if isinstance(column.convert, Choice) else []


def as_written(value: Any) -> str:
    """The example as an office writes it: dates ``dd/mm/yyyy``, a decimal comma."""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return str(value).replace(".", ",")
    return str(value)


def describe(template: Template, import_path: str, download_path: str) -> ImportTemplate:
    """The template as the listing answers it."""
    columns = [
        TemplateColumn(
            header=template.header(c),
            field=c.field,
            required=template.required(c),
            format=template.format_of(c),
            allowed_values=choices(c),
            multiple=isinstance(c.convert, Choice) and c.convert.many,
            description=template.hints[c.field].description,
            example=as_written(template.hints[c.field].example),
        )
        for c in template.layout.columns
    ]
    return ImportTemplate(
        resource=template.resource,
        title=template.title,
        import_operation=template.route,
        import_path=import_path,
        download_path=download_path,
        filename=f"{template.filename}.xlsx",
        identified_by=list(template.layout.identity or (template.layout.key,)),
        columns=columns,
    )


KEEP_UNIT = "Muốn chuyển sang đơn vị khác, dùng chức năng điều động (không sửa ở đây)."

STAFF_TEMPLATE = Template(
    resource="staff",
    route="staff-bulk",
    title="Danh sách cán bộ, giáo viên, nhân viên",
    sheet="Cán bộ, giáo viên, nhân viên",
    filename="mau_nhap_can_bo",
    layout=STAFF,
    for_new=frozenset({"full_name", "unit_external_code", "category"}),
    hints={
        "external_code": Hint(
            "Mã định danh của người trong CSDL ngành. Mã đã có: cập nhật người đó; "
            "mã mới: tạo mới.",
            "THCS-TP-009",
        ),
        "full_name": Hint("Họ và tên đầy đủ, có dấu.", "Nguyễn Thị Thu Hương"),
        "unit_external_code": Hint(
            f"Mã đơn vị nơi người này công tác (mã đơn vị trong CSDL ngành). {KEEP_UNIT}",
            "THCS-TP",
        ),
        "category": Hint("Nhóm vị trí việc làm.", "Giáo viên"),
        "position": Hint(
            "Chức vụ, ví dụ Hiệu trưởng, Phó Hiệu trưởng, Tổ trưởng chuyên môn.",
            "Tổ trưởng chuyên môn",
        ),
        "subjects": Hint("Các môn giảng dạy.", "Toán; Khoa học tự nhiên"),
        "education_level": Hint("Cấp học đang giảng dạy hoặc công tác.", "THCS"),
        "title_rank": Hint(
            "Mã hạng chức danh nghề nghiệp; ghi «Hạng II (V.07.04.31)» cũng được, "
            "hệ thống lấy phần mã trong ngoặc.",
            "V.07.04.31",
            format="V.xx.xx.xx",
        ),
        "date_of_birth": Hint("Ngày sinh.", date(1990, 3, 14)),
        "gender": Hint("Giới tính.", "Nữ"),
        "email": Hint("Địa chỉ thư điện tử công vụ.", "huongntt.thcstp@binhphuoc.edu.vn"),
        "status": Hint(
            "Tình trạng công tác; để trống khi tạo mới là «Đang làm việc».", "Đang làm việc"
        ),
    },
)

UNITS_TEMPLATE = Template(
    resource="units",
    route="units-bulk",
    title="Danh sách đơn vị",
    sheet="Đơn vị",
    filename="mau_nhap_don_vi",
    layout=UNIT_LAYOUT,
    # only a system-wide administrator creates a unit without a parent (a new root)
    for_new=frozenset({"name", "kind", "parent_external_code"}),
    hints={
        "external_code": Hint(
            "Mã đơn vị trong CSDL ngành. Mã đã có: cập nhật đơn vị đó; mã mới: tạo mới.",
            "THTHCS-TX",
        ),
        "name": Hint("Tên đầy đủ của đơn vị.", "Trường Tiểu học và THCS Tân Xuân"),
        "kind": Hint("Loại đơn vị.", "Trường"),
        "education_levels": Hint("Các cấp học của đơn vị.", "Tiểu học; THCS"),
        "parent_external_code": Hint(
            "Mã đơn vị quản lý trực tiếp; có thể là đơn vị tạo ở một dòng phía trên trong "
            "cùng tệp. Chỉ quản trị hệ thống được để trống (tạo đơn vị cấp cao nhất). Muốn "
            "đổi đơn vị cấp trên, dùng chức năng chuyển đơn vị (không sửa ở đây).",
            "PGD-DX",
        ),
    },
)

MODULES_TEMPLATE = Template(
    resource="bdtx-modules",
    route="bdtx-modules-bulk",
    title="Danh mục mô-đun bồi dưỡng thường xuyên",
    sheet="Mô-đun BDTX",
    filename="mau_nhap_mo_dun_bdtx",
    layout=MODULE_LAYOUT,
    for_new=frozenset({"title", "block", "periods"}),
    hints={
        "code": Hint(
            "Mã mô-đun. Mã đã có: cập nhật mô-đun đó; mã mới: thêm vào danh mục.", "GVPT-07"
        ),
        "title": Hint("Tên mô-đun.", "Giáo dục kĩ năng sống cho học sinh trung học cơ sở"),
        "block": Hint(
            "Khối kiến thức theo chính sách BDTX của năm học: ministry (nội dung 1, do Bộ "
            "ban hành), local (nội dung 2, do Sở ban hành), elective (nội dung 3, tự chọn).",
            "elective",
            format="ministry, local hoặc elective",
        ),
        "periods": Hint("Số tiết của mô-đun, từ 1 đến 1000.", 20, format="số nguyên"),
        "categories": Hint("Đối tượng áp dụng; để trống: mọi đối tượng.", "Giáo viên"),
        "education_levels": Hint("Cấp học áp dụng; để trống: mọi cấp học.", "THCS"),
        "criteria": Hint(
            "Các tiêu chí của chuẩn nghề nghiệp giáo viên (Thông tư 20/2018/TT-BGDĐT) mà "
            "mô-đun bồi dưỡng, ghi mã tc1 đến tc15.",
            "tc3; tc5",
        ),
        "materials": Hint(
            "Đường dẫn tới tài liệu, học liệu của mô-đun.", "https://taphuan.csdl.edu.vn"
        ),
    },
)

ATTENDANCE_TEMPLATE = Template(
    resource="attendance",
    route="attendance-bulk",
    title="Điểm danh một buổi tập huấn",
    sheet="Điểm danh",
    filename="mau_nhap_diem_danh",
    layout=MARK_LAYOUT,
    for_new=frozenset({"status"}),
    hints={
        "staff_external_code": Hint(
            "Mã định danh của người có tên trong danh sách tham dự.", "THCS-TP-002"
        ),
        "status": Hint("Kết quả điểm danh.", "Có mặt"),
        "check_in_at": Hint("Giờ đến, theo giờ Việt Nam.", datetime(2025, 9, 15, 7, 45)),
        "note": Hint("Ghi chú, tối đa 500 ký tự.", "Đại diện tổ Khoa học tự nhiên"),
    },
)

LMS_TEMPLATE = Template(
    resource="bdtx-lms",
    route="bdtx-lms-bulk",
    title="Kết quả học tập mô-đun trên hệ thống LMS",
    sheet="Kết quả LMS",
    filename="mau_nhap_ket_qua_lms",
    layout=LMS_LAYOUT,
    for_new=frozenset(),
    hints={
        "staff_external_code": Hint("Mã định danh của người học.", "THCS-TP-002"),
        "school_year": Hint("Năm học: hai năm liên tiếp.", "2024-2025", format="yyyy-yyyy"),
        "module_code": Hint("Mã mô-đun trong danh mục BDTX.", "GVPT-02"),
        "periods": Hint("Số tiết được công nhận, từ 1 đến 200.", 20, format="số nguyên"),
        "score": Hint(
            "Điểm đánh giá mô-đun, thang điểm 10; dùng dấu phẩy thập phân (8,5) được.",
            8.5,
            format="số từ 0 đến 10",
        ),
    },
)

TEMPLATES: dict[str, Template] = {
    t.resource: t
    for t in (
        STAFF_TEMPLATE,
        UNITS_TEMPLATE,
        MODULES_TEMPLATE,
        ATTENDANCE_TEMPLATE,
        LMS_TEMPLATE,
    )
}
