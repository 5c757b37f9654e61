"""Problem texts for external events, participation and R-EXT-4 detection (vi + en)."""

from app.core.i18n import RESOURCES_VI, register

MESSAGES: dict[str, dict[str, tuple[str, str]]] = {
    "commitment_required": {
        "vi": (
            "Thiếu bản cam kết",
            "Cần bản cam kết không ảnh hưởng đến việc thực hiện nhiệm vụ chuyên môn "
            "(commitment_text) và xác nhận cam kết (commitment_acknowledged = true).",
        ),
        "en": (
            "Commitment required",
            "A written commitment that attending does not affect professional duties "
            "(commitment_text) and commitment_acknowledged = true are required.",
        ),
    },
    "event_not_approved": {
        "vi": (
            "Sự kiện chưa được phê duyệt",
            "Sự kiện {external_event_id} đang ở trạng thái {status}; chỉ được đồng ý cho "
            "tham gia khi sự kiện đã có văn bản đồng ý của cơ quan quản lý có thẩm quyền.",
        ),
        "en": (
            "Event not approved",
            "Event {external_event_id} is {status}; participation can only be consented "
            "once the competent authority has approved the event in writing.",
        ),
    },
    "organiser_legal_basis_required": {
        "vi": (
            "Thiếu cơ sở pháp lý của đơn vị tổ chức",
            "Tổ chức, cá nhân đứng ra tổ chức phải ghi rõ: {fields}.",
        ),
        "en": (
            "Organiser's legal basis required",
            "An organisation or individual organiser must state: {fields}.",
        ),
    },
    "organiser_unit_required": {
        "vi": (
            "Thiếu đơn vị đề xuất tổ chức",
            "Đề xuất tự tổ chức (organiser_type = internal) phải ghi đơn vị đề xuất "
            "(organiser_unit_id).",
        ),
        "en": (
            "Proposing unit required",
            "An internal proposal (organiser_type = internal) must name the proposing unit "
            "(organiser_unit_id).",
        ),
    },
    "organiser_staff_not_member": {
        "vi": (
            "Nhân sự không thuộc đơn vị đề xuất",
            "Nhân sự {staff_id} không thuộc đơn vị đề xuất {unit_id}.",
        ),
        "en": (
            "Staff not in the proposing unit",
            "Staff {staff_id} does not belong to the proposing unit {unit_id}.",
        ),
    },
    "external_event_dates_invalid": {
        "vi": ("Ngày không hợp lệ", "Ngày kết thúc phải bằng hoặc sau ngày bắt đầu."),
        "en": ("Invalid dates", "ends_on must be on or after starts_on."),
    },
    "external_event_venue_required": {
        "vi": ("Thiếu địa điểm", "Cần ghi địa điểm (venue) hoặc đánh dấu tổ chức trực tuyến."),
        "en": ("Venue required", "Give a venue or mark the event as online (is_online)."),
    },
    "no_competent_authority": {
        "vi": (
            "Không xác định được cơ quan có thẩm quyền",
            "Đơn vị {unit_id} không có cơ quan quản lý cấp trên để phê duyệt.",
        ),
        "en": (
            "No competent authority",
            "Unit {unit_id} has no managing authority above it to decide.",
        ),
    },
    "external_event_status_conflict": {
        "vi": (
            "Trạng thái sự kiện không phù hợp",
            "Sự kiện đang ở trạng thái {status}; không thể thực hiện thao tác {action}.",
        ),
        "en": ("Event status conflict", "The event is {status}; cannot {action}."),
    },
    "participation_request_status_conflict": {
        "vi": (
            "Trạng thái đề nghị không phù hợp",
            "Đề nghị tham gia đang ở trạng thái {status}; không thể thực hiện thao tác {action}.",
        ),
        "en": (
            "Request status conflict",
            "The participation request is {status}; cannot {action}.",
        ),
    },
    "caller_has_no_staff_record": {
        "vi": (
            "Chưa chỉ rõ người đề nghị",
            "Tài khoản của bạn không gắn với hồ sơ cán bộ nào: hãy ghi staff_id của người "
            "xin tham gia.",
        ),
        "en": (
            "Whose request?",
            "Your account is linked to no staff record: send the staff_id of the person asking.",
        ),
    },
    "participation_request_exists": {
        "vi": (
            "Đã có đề nghị tham gia",
            "Nhân sự {staff_id} đã có đề nghị tham gia sự kiện {external_event_id} "
            "đang chờ hoặc đã được đồng ý.",
        ),
        "en": (
            "Request already exists",
            "Staff {staff_id} already has a pending or consented request for event "
            "{external_event_id}.",
        ),
    },
    "violation_subject_required": {
        "vi": (
            "Thiếu đối tượng vi phạm",
            "Vi phạm {kind} cần ghi {fields}.",
        ),
        "en": ("Subject required", "A {kind} violation needs {fields}."),
    },
    "violation_already_recorded": {
        "vi": (
            "Vi phạm đã được ghi nhận",
            "Vi phạm này đã được ghi nhận cho nhân sự {staff_id} tại sự kiện {external_event_id}.",
        ),
        "en": (
            "Violation already recorded",
            "This violation is already recorded for staff {staff_id} at event {external_event_id}.",
        ),
    },
    "activity_was_permitted": {
        "vi": (
            "Đã được cho phép",
            "Không ghi nhận vi phạm: việc này đã được cơ quan có thẩm quyền và Thủ trưởng "
            "đơn vị cho phép.",
        ),
        "en": (
            "Activity was permitted",
            "Not a violation: the competent authority and the unit head had permitted it.",
        ),
    },
    "activity_already_started": {
        "vi": (
            "Hoạt động đã bắt đầu",
            "Sự kiện {external_event_id} đã bắt đầu từ ngày {starts_on}: văn bản đồng ý không "
            "cho phép hồi tố. Chỉ có thể ghi nhận văn bản sau sự việc (after_the_fact), và "
            "việc tự ý tổ chức vẫn được xử lý.",
        ),
        "en": (
            "Activity already started",
            "Event {external_event_id} began on {starts_on}: an approval does not permit it "
            "retroactively. Record it after the fact (after_the_fact); the self-organising "
            "case stays open.",
        ),
    },
}

register(MESSAGES)

# Resource names in Vietnamese 404 details ("Không tìm thấy sự kiện bên ngoài có mã 5").
for _resource, _name in {
    "external_event": "sự kiện do tổ chức, cá nhân khác tổ chức",
    "participation_request": "đề nghị tham gia",
}.items():
    RESOURCES_VI.setdefault(_resource, _name)
