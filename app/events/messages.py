"""Problem texts for the Sở-events workflow (R-NOM-*, R-ATT-*)."""

from app.core.i18n import register

register(
    {
        "not_organizer": {
            "vi": (
                "Không phải ban tổ chức",
                "Chỉ ban tổ chức sự kiện mới được thực hiện việc này.",
            ),
            "en": ("Not an organiser", "Only the event's organisers may do this."),
        },
        "event_wrong_status": {
            "vi": ("Trạng thái không phù hợp", "Sự kiện đang ở trạng thái {status}."),
            "en": ("Wrong event status", "The event is {status}."),
        },
        "event_has_no_sessions": {
            "vi": ("Chưa có buổi nào", "Cần ít nhất một buổi trước khi triệu tập."),
            "en": ("No sessions", "Add at least one session before summoning."),
        },
        "event_has_no_requirements": {
            "vi": ("Chưa có thành phần triệu tập", "Cần ít nhất một thành phần triệu tập."),
            "en": ("No requirements", "Add at least one summons requirement first."),
        },
        "sessions_fixed": {
            "vi": (
                "Lịch đã cố định",
                "Sau khi triệu tập, chỉ thay đổi buổi bằng văn bản điều chỉnh có lý do.",
            ),
            "en": ("Sessions are fixed", "After summoning, change a session only by amendment."),
        },
        "not_nominee_unit_head": {
            "vi": (
                "Không có quyền cử",
                "Chỉ Thủ trưởng đơn vị của người được cử (hoặc Sở) mới được cử tham dự.",
            ),
            "en": (
                "Not allowed to nominate",
                "Only the head of the nominee's own unit (or the Sở) may nominate.",
            ),
        },
        "nomination_criteria_mismatch": {
            "vi": (
                "Không đúng thành phần triệu tập",
                "Người được cử không đáp ứng: {criteria}.",
            ),
            "en": ("Not the summoned composition", "The nominee does not meet: {criteria}."),
        },
        "quota_exceeded": {
            "vi": ("Vượt số lượng", "Đơn vị đã cử đủ {quota} người cho thành phần này."),
            "en": ("Quota exceeded", "The unit has already nominated {quota} for this."),
        },
        "nomination_duplicate": {
            "vi": ("Đã được cử", "Người này đã được cử tham dự sự kiện này."),
            "en": ("Already nominated", "This person is already nominated for this event."),
        },
        "staff_inactive": {
            "vi": ("Nhân sự không hoạt động", "Nhân sự đang ở trạng thái {status}."),
            "en": ("Staff inactive", "The staff member is {status}."),
        },
        "nomination_deadline_passed": {
            "vi": (
                "Đã quá hạn cử",
                "Đã quá hạn cử; cần ban tổ chức đồng ý cho đơn vị cử bổ sung hoặc thay thế.",
            ),
            "en": (
                "Deadline passed",
                "The nomination deadline has passed; the organiser must consent first.",
            ),
        },
        "nomination_wrong_status": {
            "vi": ("Trạng thái không phù hợp", "Việc cử đang ở trạng thái {status}."),
            "en": ("Wrong nomination status", "The nomination is {status}."),
        },
        "not_on_roster": {
            "vi": ("Không có trong danh sách", "Không có trong danh sách triệu tập: {staff_ids}."),
            "en": ("Not on the roster", "Not on the event's roster: {staff_ids}."),
        },
        "not_attendee_or_unit_head": {
            "vi": (
                "Không có quyền gửi đơn",
                "Đơn xin vắng do chính người vắng hoặc Thủ trưởng đơn vị của họ gửi.",
            ),
            "en": (
                "Not allowed to submit",
                "An absence letter comes from the attendee or the head of their own unit.",
            ),
        },
        "not_attendee_unit_head": {
            "vi": (
                "Không có quyền xác nhận",
                "Chỉ Thủ trưởng đơn vị của người vắng mới xác nhận đơn xin vắng.",
            ),
            "en": (
                "Not allowed to confirm",
                "Only the head of the attendee's own unit confirms an absence letter.",
            ),
        },
        "excuse_too_late": {
            "vi": (
                "Quá hạn nộp đơn",
                "Đơn xin vắng phải nộp trước buổi học hoặc trong {days} ngày sau buổi.",
            ),
            "en": (
                "Too late",
                "An absence letter is due before the session or within {days} days after.",
            ),
        },
        "excuse_duplicate": {
            "vi": ("Đã có đơn", "Đã có đơn xin vắng cho buổi này."),
            "en": ("Letter exists", "There is already a letter for this session."),
        },
        "excuse_wrong_status": {
            "vi": ("Trạng thái không phù hợp", "Đơn đang ở trạng thái {status}."),
            "en": ("Wrong letter status", "The letter is {status}."),
        },
    }
)
