"""What a notification can be about, and its Vietnamese title for each kind.

Preferences are kept per kind and channel, so the kinds are a closed list (the API refuses
others). Bodies are composed where the notification is made (``feed``, ``reminders``).
"""

import enum


class Channel(enum.StrEnum):
    in_app = "in_app"
    email = "email"


KINDS: dict[str, str] = {
    # from domain changes (app.notify.feed)
    "summons": "Giấy triệu tập cho đơn vị",
    "summons_named": "Triệu tập đích danh",
    "nomination_decided": "Kết quả cử người tham dự",
    "session_amended": "Điều chỉnh lịch buổi học",
    "event_cancelled": "Sự kiện bị huỷ",
    "excuse_submitted": "Đơn xin vắng chờ xác nhận",
    "excuse_decided": "Kết quả đơn xin vắng",
    "external_event_decided": "Kết quả duyệt sự kiện bên ngoài",
    "consent_requested": "Đề nghị đồng ý tham gia",
    "consent_decided": "Kết quả đề nghị tham gia",
    "plan_submitted": "Kế hoạch BDTX cá nhân chờ duyệt",
    "plan_decided": "Kết quả duyệt kế hoạch BDTX cá nhân",
    "report_returned": "Báo cáo BDTX bị trả lại",
    "certificate_issued": "Chứng nhận BDTX đã cấp",
    "violation_recorded": "Vi phạm được ghi nhận",
    "criticism_received": "Thư phê bình",
    # reminders (app.notify.reminders)
    "reminder_nomination_deadline": "Sắp hết hạn cử người",
    "reminder_session_tomorrow": "Buổi học ngày mai",
    "reminder_excuse_window": "Sắp hết hạn nộp đơn xin vắng",
    "reminder_plan_deadline": "Kế hoạch BDTX cá nhân chưa được duyệt",
    "reminder_decision_pending": "Hồ sơ chờ quyết định",
}

# The same closed list as an enum, so the contract names every kind.
NotificationKind = enum.StrEnum("NotificationKind", {kind: kind for kind in KINDS})  # type: ignore[misc]
