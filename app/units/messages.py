"""Problem texts for units' letterheads, in Vietnamese and English."""

from app.core.i18n import RESOURCES_VI, register

RESOURCES_VI["letterhead"] = "mẫu tiêu đề văn bản"

register(
    {
        "letterhead_missing": {
            "vi": (
                "Đơn vị chưa có mẫu tiêu đề văn bản",
                "Đơn vị ban hành chưa khai báo mẫu tiêu đề văn bản; hãy ghi địa danh (place) "
                "hoặc khai báo mẫu tiêu đề của đơn vị trước.",
            ),
            "en": (
                "The unit has no letterhead",
                "The issuing unit has no letterhead yet: give the place, or set the unit's "
                "letterhead first.",
            ),
        },
    }
)
