"""Problem texts for violations and criticism letters (R-VIO-1), in Vietnamese and English."""

from app.core.i18n import RESOURCES_VI, register

register(
    {
        "violation_wrong_status": {
            "vi": (
                "Trạng thái vi phạm không phù hợp",
                "Vi phạm đang ở trạng thái {status}; chỉ thực hiện được khi ở trạng thái "
                "{expected}.",
            ),
            "en": (
                "Wrong violation status",
                "The violation is {status}; this needs it to be {expected}.",
            ),
        },
        "violation_duplicate": {
            "vi": (
                "Vi phạm đã được ghi nhận",
                "Vi phạm này đã được ghi nhận trước đó (mã {violation_id}).",
            ),
            "en": (
                "Violation already recorded",
                "This violation was already recorded (id {violation_id}).",
            ),
        },
        "violation_not_open": {
            "vi": (
                "Vi phạm không còn chờ xử lý",
                "Chỉ phê bình các vi phạm đang chờ xử lý; không còn chờ xử lý: {ids}.",
            ),
            "en": (
                "Violation no longer open",
                "A letter cites open violations only; no longer open: {ids}.",
            ),
        },
        "violation_not_of_recipient": {
            "vi": (
                "Vi phạm không thuộc đơn vị nhận",
                "Vi phạm {ids} không thuộc đơn vị nhận văn bản hoặc đơn vị trực thuộc.",
            ),
            "en": (
                "Violation of another unit",
                "Violations {ids} are not of the recipient unit or a unit below it.",
            ),
        },
        "violation_other_school_year": {
            "vi": (
                "Vi phạm thuộc năm học khác",
                "Vi phạm {ids} không thuộc năm học {school_year} của văn bản.",
            ),
            "en": (
                "Violation of another school year",
                "Violations {ids} are not of the letter's school year {school_year}.",
            ),
        },
        "criticism_issued": {
            "vi": (
                "Văn bản đã ban hành",
                "Văn bản phê bình số {number} đã ban hành, không thể thay đổi.",
            ),
            "en": (
                "Letter already issued",
                "Criticism letter {number} has been issued and cannot be changed.",
            ),
        },
        "criticism_recipient_not_below": {
            "vi": (
                "Đơn vị nhận không thuộc quyền quản lý",
                "Văn bản phê bình chỉ gửi đến đơn vị trực thuộc đơn vị ban hành.",
            ),
            "en": (
                "Recipient not below the issuer",
                "A criticism letter goes to a unit below the issuing unit.",
            ),
        },
    }
)

# Resource names in Vietnamese 404 details ("Không tìm thấy vi phạm có mã 5").
for _resource, _name in {
    "violation": "vi phạm",
    "criticism": "văn bản phê bình",
}.items():
    RESOURCES_VI.setdefault(_resource, _name)
