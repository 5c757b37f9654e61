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
        "requirement_without_targets": {
            "vi": (
                "Không có đơn vị nào được triệu tập",
                "Không có đơn vị nào trong phạm vi của bạn khớp với unit_ids, under_unit_id "
                "và unit_kinds đã gửi.",
            ),
            "en": (
                "No unit summoned",
                "No unit in your scope matches the unit_ids, under_unit_id and unit_kinds sent.",
            ),
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
                "Đơn xin vắng cho buổi này chỉ được nộp đến {deadline} "
                "(số ngày gia hạn theo chính sách năm học).",
            ),
            "en": (
                "Too late",
                "A letter for this session was due by {deadline} (the year's grace days).",
            ),
        },
        "event_not_over": {
            "vi": (
                "Sự kiện chưa kết thúc",
                "Chưa thể kết thúc: {session} kết thúc lúc {ends_at}.",
            ),
            "en": ("Event not over", "Cannot close yet: {session} ends at {ends_at}."),
        },
        "session_unmarked": {
            "vi": (
                "Buổi chưa điểm danh",
                "Chưa điểm danh: {sessions}. Hãy điểm danh, hoặc huỷ buổi bằng văn bản "
                "điều chỉnh có lý do.",
            ),
            "en": (
                "Session not marked",
                "Not marked: {sessions}. Mark it, or cancel it by an amendment with a reason.",
            ),
        },
        "session_already_marked": {
            "vi": (
                "Buổi đã được điểm danh",
                "Buổi đã có điểm danh nên đã diễn ra; không thể huỷ.",
            ),
            "en": ("Session already marked", "The session has marks, so it was held."),
        },
        "session_cancelled": {
            "vi": ("Buổi đã huỷ", "Buổi này đã được huỷ bằng văn bản điều chỉnh."),
            "en": ("Session cancelled", "This session was cancelled by an amendment."),
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
