"""Problem texts for session check-in (R-ATT-1)."""

from app.core.i18n import register

register(
    {
        "check_in_closed": {
            "vi": (
                "Chưa mở điểm danh",
                "Điểm danh của buổi này hiện không mở (chưa mở, đã đóng hoặc ngoài khung giờ).",
            ),
            "en": (
                "Check-in is not open",
                "Check-in for this session is not open (not opened, closed or outside its window).",
            ),
        },
        "check_in_not_open": {
            "vi": ("Điểm danh không mở", "Điểm danh của buổi này không ở trạng thái mở."),
            "en": ("Check-in is not open", "Check-in for this session is not open."),
        },
        "check_in_already_open": {
            "vi": ("Điểm danh đang mở", "Điểm danh của buổi này đã được mở."),
            "en": ("Check-in already open", "Check-in for this session is already open."),
        },
        "check_in_window_passed": {
            "vi": (
                "Đã quá giờ điểm danh",
                "Khung giờ điểm danh của buổi này đã kết thúc lúc {closes_at}.",
            ),
            "en": (
                "Check-in window passed",
                "The check-in window of this session ended at {closes_at}.",
            ),
        },
        "check_in_code_invalid": {
            "vi": ("Mã điểm danh không đúng", "Mã không phải mã điểm danh hiện tại của buổi này."),
            "en": ("Wrong check-in code", "This is not the current check-in code of this session."),
        },
        "check_in_code_expired": {
            "vi": ("Mã điểm danh đã hết hạn", "Mã này đã hết hạn; hãy nhập mã đang hiển thị."),
            "en": ("Check-in code expired", "This code has expired; enter the one shown now."),
        },
        "check_in_already_marked": {
            "vi": (
                "Đã được ban tổ chức điểm danh",
                "Ban tổ chức đã ghi nhận bạn là {status}; điểm danh bằng mã không đổi được.",
            ),
            "en": (
                "Already marked by the organisers",
                "The organisers marked you {status}; a check-in does not change it.",
            ),
        },
        "check_in_own_account_only": {
            "vi": (
                "Chỉ tự điểm danh",
                "Mỗi người chỉ tự điểm danh bằng tài khoản gắn với hồ sơ nhân sự của mình.",
            ),
            "en": (
                "Check in for yourself only",
                "Each participant checks in with their own account, linked to their staff record.",
            ),
        },
        "check_in_too_many_attempts": {
            "vi": (
                "Thử quá nhiều lần",
                "Bạn đã thử điểm danh quá nhiều lần; thử lại sau {seconds} giây.",
            ),
            "en": (
                "Too many attempts",
                "Too many check-in attempts; try again in {seconds} seconds.",
            ),
        },
    }
)
