"""What each enum value is called in Vietnamese (and English), published in the contract as
``x-enum-descriptions`` so a frontend shows "Vắng có phép" without keeping its own table.

Named enums are looked up by their component name; inline ones (``Literal`` fields and
parameters) by their set of values. ``tests/test_enum_labels.py`` fails when an enum in the
contract has no entry here or an entry misses a value.
"""

from app.notify.kinds import KINDS

Labels = dict[str, tuple[str, str]]

_STATUS_DECIDED: Labels = {
    "submitted": ("Đã nộp, chờ duyệt", "Submitted"),
    "approved": ("Đã duyệt", "Approved"),
    "rejected": ("Bị từ chối", "Rejected"),
    "returned": ("Bị trả lại", "Returned"),
    "draft": ("Bản nháp", "Draft"),
}
_EVENT_KIND: Labels = {
    "training": ("Tập huấn, bồi dưỡng", "Training"),
    "conference": ("Hội nghị", "Conference"),
    "workshop": ("Hội thảo", "Workshop"),
    "event": ("Sự kiện khác", "Other event"),
}
_MARK: Labels = {
    "present": ("Có mặt", "Present"),
    "late": ("Đến muộn", "Late"),
    "left_early": ("Về sớm", "Left early"),
    "absent": ("Vắng", "Absent"),
}
_EXTERNAL_VIOLATION: Labels = {
    "unapproved_participation": ("Tham gia sự kiện chưa được phép", "Unapproved participation"),
    "unapproved_organising": ("Tổ chức sự kiện chưa được duyệt", "Unapproved organising"),
}
_RESOURCES: Labels = {
    "absence_excuse": ("Đơn xin vắng", "Absence excuse"),
    "api_key": ("Khoá API", "API key"),
    "app_user": ("Tài khoản", "User account"),
    "attendance_mark": ("Điểm danh", "Attendance mark"),
    "bdtx_certificate": ("Giấy chứng nhận BDTX", "BDTX certificate"),
    "bdtx_module": ("Mô đun BDTX", "BDTX module"),
    "bdtx_module_score": ("Điểm mô đun", "Module score"),
    "bdtx_personal_plan": ("Kế hoạch BDTX cá nhân", "Personal BDTX plan"),
    "bdtx_policy": ("Chính sách năm học", "School-year policy"),
    "bdtx_result": ("Kết quả BDTX", "BDTX result"),
    "bdtx_self_study": ("Tự học", "Self-study"),
    "bdtx_unit_plan": ("Kế hoạch BDTX của đơn vị", "Unit BDTX plan"),
    "bdtx_unit_report": ("Báo cáo BDTX của đơn vị", "Unit BDTX report"),
    "criticism": ("Thư phê bình", "Criticism letter"),
    "criticism_violation": ("Vi phạm trong thư phê bình", "Violation cited in a letter"),
    "event": ("Sự kiện", "Event"),
    "event_session": ("Buổi học", "Session"),
    "external_event": ("Sự kiện bên ngoài", "External event"),
    "issued_document": ("Văn bản đã phát hành", "Issued document"),
    "late_consent": ("Đồng ý cử người sau hạn", "Late consent"),
    "nomination": ("Cử người tham dự", "Nomination"),
    "nomination_change": ("Lịch sử cử người", "Nomination change"),
    "participation_request": ("Đề nghị tham gia", "Participation request"),
    "requirement_target": ("Đơn vị được triệu tập", "Summoned unit"),
    "role_assignment": ("Phân quyền", "Role assignment"),
    "session_amendment": ("Điều chỉnh buổi học", "Session amendment"),
    "session_check_in": ("Điểm danh bằng mã", "Check-in"),
    "signing_credential": ("Chứng thư ký số", "Signing credential"),
    "staff": ("Cán bộ, giáo viên", "Staff member"),
    "staff_assignment": ("Quá trình công tác", "Staff assignment"),
    "summons_requirement": ("Yêu cầu triệu tập", "Summons requirement"),
    "training_credit": ("Số tiết được ghi nhận", "Training credit"),
    "unit": ("Đơn vị", "Unit"),
    "unit_letterhead": ("Tiêu đề văn bản của đơn vị", "Unit letterhead"),
    "unit_move": ("Chuyển đơn vị trực thuộc", "Unit move"),
    "violation": ("Vi phạm", "Violation"),
}

# component name -> value -> (Vietnamese, English)
NAMED: dict[str, Labels] = {
    "AttendanceOutcome": {
        "ok": ("Hợp lệ", "Recorded"),
        "violation_created": ("Đã ghi nhận vi phạm", "Violation recorded"),
        "violation_exists": ("Vi phạm đã có", "Violation already recorded"),
        "unknown_staff": ("Không tìm thấy cán bộ", "Unknown staff member"),
    },
    "CellState": {
        **_MARK,
        "excused": ("Vắng có phép", "Excused"),
        "cancelled": ("Buổi học bị huỷ", "Session cancelled"),
    },
    "CertificateStatus": {"issued": ("Đã cấp", "Issued"), "revoked": ("Đã thu hồi", "Revoked")},
    "Certifier": {
        "managing_unit": ("Đơn vị quản lý trực tiếp", "Managing unit"),
        "department": ("Sở GD&ĐT", "Department of Education"),
    },
    "CreditSource": {
        "event": ("Lớp bồi dưỡng, sự kiện", "Event"),
        "self_study": ("Tự học", "Self-study"),
        "lms": ("Học trực tuyến (LMS)", "Online course (LMS)"),
    },
    "CriticismStatus": {"draft": ("Dự thảo", "Draft"), "issued": ("Đã phát hành", "Issued")},
    "EducationLevel": {
        "preschool": ("Mầm non", "Preschool"),
        "primary": ("Tiểu học", "Primary"),
        "lower_secondary": ("Trung học cơ sở", "Lower secondary"),
        "upper_secondary": ("Trung học phổ thông", "Upper secondary"),
        "continuing": ("Giáo dục thường xuyên", "Continuing education"),
    },
    "EventKind": _EVENT_KIND,
    "EventMode": {
        "in_person": ("Trực tiếp", "In person"),
        "online": ("Trực tuyến", "Online"),
        "hybrid": ("Kết hợp trực tiếp và trực tuyến", "Hybrid"),
    },
    "EventStatus": {
        "draft": ("Dự thảo", "Draft"),
        "summoned": ("Đã triệu tập", "Summoned"),
        "in_progress": ("Đang diễn ra", "In progress"),
        "closed": ("Đã kết thúc", "Closed"),
        "cancelled": ("Đã huỷ", "Cancelled"),
    },
    "ExcuseStatus": {
        "submitted": ("Chờ xác nhận", "Submitted"),
        "confirmed": ("Đã xác nhận", "Confirmed"),
        "rejected": ("Không xác nhận", "Rejected"),
    },
    "ExternalEventKind": _EVENT_KIND,
    "ExternalEventStatus": {
        **{k: v for k, v in _STATUS_DECIDED.items() if k in ("submitted", "approved")},
        "rejected": ("Không được duyệt", "Rejected"),
        "revoked": ("Đã thu hồi phê duyệt", "Approval revoked"),
    },
    "ExternalViolationKind": _EXTERNAL_VIOLATION,
    "Gender": {"male": ("Nam", "Male"), "female": ("Nữ", "Female")},
    "ImportMode": {
        "atomic": ("Tất cả hoặc không dòng nào", "All rows or none"),
        "partial": ("Ghi các dòng hợp lệ", "Valid rows only"),
    },
    "MarkSource": {
        "check_in": ("Tự điểm danh bằng mã", "Check-in code"),
        "organizer": ("Ban tổ chức điểm danh", "Organiser"),
        "import": ("Nhập từ tệp", "Imported"),
    },
    "MarkStatus": _MARK,
    "NominationStatus": {
        "proposed": ("Đã đề cử, chờ xác nhận", "Proposed"),
        "accepted": ("Được chấp nhận", "Accepted"),
        "refused": ("Bị từ chối", "Refused"),
        "withdrawn": ("Đã rút", "Withdrawn"),
        "substituted": ("Đã được thay thế", "Substituted"),
    },
    "NotificationKind": {kind: (title, kind.replace("_", " ")) for kind, title in KINDS.items()},
    "OrganiserType": {
        "organization": ("Tổ chức bên ngoài", "Outside organisation"),
        "individual": ("Cá nhân", "Individual"),
        "internal": ("Đơn vị, cán bộ trong ngành tự tổ chức", "Internal organiser"),
    },
    "ParticipationStatus": {
        "submitted": ("Chờ thủ trưởng đồng ý", "Awaiting consent"),
        "consented": ("Được đồng ý", "Consented"),
        "refused": ("Không được đồng ý", "Refused"),
        "withdrawn": ("Đã rút", "Withdrawn"),
    },
    "PlanStatus": {k: _STATUS_DECIDED[k] for k in ("draft", "submitted", "approved", "returned")},
    "Preset": {
        "tt17_2019": ("Thông tư 17/2019/TT-BGDĐT", "Circular 17/2019"),
        "tt26_2012": ("Thông tư 26/2012/TT-BGDĐT", "Circular 26/2012"),
    },
    "QuotaMode": {"exactly": ("Đúng số lượng", "Exactly"), "up_to": ("Tối đa", "Up to")},
    "Rating": {
        "chua_dat": ("Chưa đạt", "Not achieved"),
        "dat": ("Đạt", "Achieved"),
        "kha": ("Khá", "Good"),
        "tot": ("Tốt", "Excellent"),
    },
    "ReportStatus": {
        **{k: _STATUS_DECIDED[k] for k in ("draft", "submitted", "returned")},
        "accepted": ("Đã tiếp nhận", "Accepted"),
    },
    "ResultStatus": {
        "computed": ("Đã tính, chưa chốt", "Computed"),
        "finalised": ("Đã chốt", "Finalised"),
    },
    "Role": {
        "admin": ("Quản trị hệ thống", "Administrator"),
        "department_officer": ("Chuyên viên Sở/Phòng", "Department officer"),
        "unit_head": ("Thủ trưởng đơn vị", "Unit head"),
        "organizer": ("Ban tổ chức sự kiện", "Organiser"),
        "inspector": ("Thanh tra (chỉ xem)", "Inspector (read only)"),
        "staff": ("Cán bộ, giáo viên", "Staff member"),
        "integration": ("Hệ thống tích hợp", "Integration"),
    },
    "RowStatus": {
        "created": ("Thêm mới", "Created"),
        "updated": ("Cập nhật", "Updated"),
        "unchanged": ("Không thay đổi", "Unchanged"),
        "error": ("Lỗi", "Error"),
    },
    "ScoringMethod": {
        "average": ("Trung bình cộng các mô đun", "Mean of modules"),
        "weighted_blocks": ("Trung bình có trọng số theo khối", "Weighted by block"),
    },
    "SelfStudyStatus": {k: _STATUS_DECIDED[k] for k in ("submitted", "approved", "rejected")},
    "StaffCategory": {
        "teacher": ("Giáo viên", "Teacher"),
        "manager": ("Cán bộ quản lý", "Manager"),
        "other": ("Nhân viên", "Other staff"),
    },
    "StaffStatus": {
        "active": ("Đang công tác", "Active"),
        "on_leave": ("Tạm nghỉ", "On leave"),
        "retired": ("Đã nghỉ hưu", "Retired"),
        "left": ("Đã chuyển ra ngoài ngành", "Left"),
    },
    "UnitKind": {
        "ministry": ("Bộ GD&ĐT", "Ministry"),
        "department": ("Sở GD&ĐT", "Provincial department"),
        "district_office": ("Phòng GD&ĐT cấp huyện", "District office"),
        "commune": ("UBND cấp xã", "Commune"),
        "school": ("Trường học", "School"),
        "center": ("Trung tâm", "Centre"),
        "other": ("Đơn vị khác", "Other unit"),
    },
    "ViolationKind": {
        "unexcused_absence": ("Vắng không phép", "Unexcused absence"),
        "nomination_mismatch": ("Cử người không đúng yêu cầu", "Nomination mismatch"),
        **_EXTERNAL_VIOLATION,
    },
    "ViolationStatus": {
        "open": ("Mới ghi nhận", "Open"),
        "cited": ("Đã nêu trong thư phê bình", "Cited"),
        "closed": ("Đã xử lý xong", "Closed"),
        "dismissed": ("Đã huỷ bỏ", "Dismissed"),
    },
}

# Inline enums, found by their values.
INLINE: list[Labels] = [
    {
        "create": ("Thêm mới", "Created"),
        "update": ("Cập nhật", "Updated"),
        "delete": ("Xoá", "Deleted"),
        "moved_out": ("Ra khỏi phạm vi", "Left your scope"),
    },
    _RESOURCES,
    {
        "not_opened": ("Chưa mở điểm danh", "Not opened"),
        "scheduled": ("Đã hẹn giờ mở", "Scheduled"),
        "open": ("Đang mở", "Open"),
        "closed": ("Đã đóng", "Closed"),
    },
    {"own": ("Riêng đơn vị", "The unit itself"), "subtree": ("Cả đơn vị trực thuộc", "Subtree")},
    {
        "pending": ("Chờ gửi", "Pending"),
        "delivered": ("Đã gửi", "Delivered"),
        "dead": ("Gửi không thành công, đã dừng", "Gave up"),
    },
    {"password": ("Mật khẩu", "Password"), "api_key": ("Khoá API", "API key")},
    {
        "success": ("Thành công", "Success"),
        "refused": ("Bị từ chối", "Refused"),
        "error": ("Lỗi", "Error"),
    },
    {"pdf": ("Tệp PDF", "PDF"), "docx": ("Tệp Word (DOCX)", "Word (DOCX)")},
    {
        "json": ("Dữ liệu JSON", "JSON"),
        "png": ("Ảnh PNG", "PNG image"),
        "svg": ("Ảnh SVG", "SVG image"),
    },
    {
        "json": ("Dữ liệu JSON", "JSON"),
        "csv": ("Tệp CSV", "CSV"),
        "xlsx": ("Tệp Excel (XLSX)", "Excel (XLSX)"),
    },
]
