"""People-facing text for problem details, in Vietnamese and English.

Each problem ``code`` has a title and a detail template per language. ``detail`` follows
the request's ``Accept-Language`` (``vi`` or ``en``); without one, the configured default.
"""

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from app.core.config import get_settings

# code -> language -> (title, detail template)
MESSAGES: dict[str, dict[str, tuple[str, str]]] = {
    "validation_error": {
        "vi": ("Dữ liệu không hợp lệ", "Dữ liệu gửi lên không hợp lệ: {fields}."),
        "en": ("Invalid input", "The request has invalid fields: {fields}."),
    },
    "malformed_request": {
        "vi": ("Yêu cầu sai cú pháp", "Không đọc được nội dung yêu cầu."),
        "en": ("Malformed request", "The request body could not be parsed."),
    },
    "not_found": {
        "vi": ("Không tìm thấy", "Không tìm thấy {resource} có mã {id}."),
        "en": ("Not found", "No {resource} with id {id} was found."),
    },
    "route_not_found": {
        "vi": ("Không tìm thấy", "Không có đường dẫn này."),
        "en": ("Not found", "There is no such path."),
    },
    "method_not_allowed": {
        "vi": ("Phương thức không được hỗ trợ", "Đường dẫn không hỗ trợ phương thức này."),
        "en": ("Method not allowed", "This path does not support this method."),
    },
    "conflict": {
        "vi": ("Xung đột dữ liệu", "Yêu cầu xung đột với dữ liệu hiện có."),
        "en": ("Conflict", "The request conflicts with existing data."),
    },
    "external_code_taken": {
        "vi": ("Mã định danh đã tồn tại", "Mã external_code '{value}' đã được dùng."),
        "en": ("External code taken", "external_code '{value}' is already in use."),
    },
    "unit_has_children": {
        "vi": (
            "Đơn vị còn đơn vị trực thuộc",
            "Không thể xoá đơn vị còn {count} đơn vị trực thuộc.",
        ),
        "en": ("Unit has children", "Cannot delete a unit that still has {count} child units."),
    },
    "unit_has_staff": {
        "vi": ("Đơn vị còn nhân sự", "Không thể xoá đơn vị còn {count} nhân sự."),
        "en": ("Unit has staff", "Cannot delete a unit that still has {count} staff."),
    },
    "unit_move_cycle": {
        "vi": (
            "Di chuyển tạo vòng lặp",
            "Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó.",
        ),
        "en": ("Move would create a cycle", "A unit cannot move under itself or its descendants."),
    },
    "unit_head_not_member": {
        "vi": ("Thủ trưởng không thuộc đơn vị", "Nhân sự {staff_id} không thuộc đơn vị này."),
        "en": ("Head is not a member", "Staff {staff_id} does not belong to this unit."),
    },
    "unit_has_records": {
        "vi": (
            "Đơn vị còn dữ liệu lịch sử",
            "Không thể xoá đơn vị đã có nhân sự công tác; hãy giữ lại để tra cứu lịch sử.",
        ),
        "en": (
            "Unit has records",
            "Cannot delete a unit that staff have belonged to; it is kept for history.",
        ),
    },
    "unknown_reference": {
        "vi": ("Tham chiếu không tồn tại", "Không tìm thấy {field} = {id}."),
        "en": ("Unknown reference", "{field} = {id} does not exist."),
    },
    "staff_same_unit": {
        "vi": ("Cùng đơn vị", "Nhân sự đã thuộc đơn vị {unit_id}."),
        "en": ("Same unit", "The staff member already belongs to unit {unit_id}."),
    },
    "precondition_required": {
        "vi": ("Thiếu If-Match", "Cần gửi tiêu đề If-Match với ETag hiện tại của tài nguyên."),
        "en": ("If-Match required", "Send an If-Match header with the resource's current ETag."),
    },
    "precondition_failed": {
        "vi": (
            "Dữ liệu đã thay đổi",
            "Tài nguyên đã được cập nhật (phiên bản hiện tại {current}); hãy tải lại.",
        ),
        "en": (
            "Precondition failed",
            "The resource has changed (current version {current}); reload it.",
        ),
    },
    "idempotency_key_reused": {
        "vi": (
            "Idempotency-Key đã dùng",
            "Idempotency-Key này đã được dùng cho một yêu cầu có nội dung khác.",
        ),
        "en": (
            "Idempotency-Key reused",
            "This Idempotency-Key was already used with a different request body.",
        ),
    },
    "idempotency_in_progress": {
        "vi": (
            "Yêu cầu trùng đang xử lý",
            "Một yêu cầu khác với cùng Idempotency-Key vừa được xử lý; hãy gửi lại.",
        ),
        "en": (
            "Duplicate request",
            "A concurrent request with the same Idempotency-Key was processed; retry.",
        ),
    },
    "invalid_cursor": {
        "vi": ("Con trỏ không hợp lệ", "Giá trị cursor không hợp lệ."),
        "en": ("Invalid cursor", "The cursor is not valid."),
    },
    "not_acceptable": {
        "vi": (
            "Không có định dạng được yêu cầu",
            "Không trả được định dạng nào trong Accept; dùng một trong: {offered}.",
        ),
        "en": (
            "Not acceptable",
            "None of the types in Accept can be produced; use one of: {offered}.",
        ),
    },
    "feed_position_expired": {
        "vi": (
            "Vị trí đã quá thời hạn lưu của nguồn thay đổi",
            "Các thay đổi đến số {oldest} đã bị xoá theo thời hạn lưu "
            "(BDTX_CHANGE_RETENTION_MONTHS): hãy đồng bộ lại từ các danh sách, rồi đọc nguồn "
            "thay đổi từ đầu (không có after).",
        ),
        "en": (
            "Feed position past retention",
            "Changes up to {oldest} were dropped by retention (BDTX_CHANGE_RETENTION_MONTHS): "
            "resynchronise from the lists, then read the feed from its start (no after).",
        ),
    },
    "unauthorized": {
        "vi": ("Chưa xác thực", "Cần đăng nhập: gửi Authorization: Bearer <token> hoặc X-API-Key."),
        "en": ("Unauthorized", "Authentication required: send Authorization: Bearer or X-API-Key."),
    },
    "invalid_token": {
        "vi": ("Token không hợp lệ", "Token không hợp lệ hoặc đã hết hạn; hãy đăng nhập lại."),
        "en": ("Invalid token", "The token is invalid or has expired; log in again."),
    },
    "invalid_api_key": {
        "vi": ("Khoá API không hợp lệ", "Khoá API không hợp lệ hoặc đã bị thu hồi."),
        "en": ("Invalid API key", "The API key is invalid or has been revoked."),
    },
    "invalid_credentials": {
        "vi": ("Đăng nhập thất bại", "Tên đăng nhập hoặc mật khẩu không đúng."),
        "en": ("Login failed", "Wrong username or password."),
    },
    "too_many_attempts": {
        "vi": (
            "Quá nhiều lần đăng nhập sai",
            "Tài khoản tạm khoá do đăng nhập sai nhiều lần; thử lại sau {seconds} giây.",
        ),
        "en": (
            "Too many failed logins",
            "Too many failed logins for this username; retry in {seconds} seconds.",
        ),
    },
    "forbidden": {
        "vi": ("Không có quyền", "Vai trò của bạn không có quyền {permission} tại đơn vị này."),
        "en": ("Forbidden", "Your roles do not carry '{permission}' at this unit."),
    },
    "role_too_wide": {
        "vi": ("Vượt quyền", "Không được cấp vai trò {role} cao hơn vai trò của chính mình."),
        "en": ("Role too wide", "You cannot grant the role {role}: it is wider than your own."),
    },
    "username_taken": {
        "vi": ("Tên đăng nhập đã tồn tại", "Tên đăng nhập '{value}' đã được dùng."),
        "en": ("Username taken", "The username '{value}' is already in use."),
    },
    "staff_already_linked": {
        "vi": ("Nhân sự đã có tài khoản", "Nhân sự {staff_id} đã gắn với một tài khoản khác."),
        "en": ("Staff already linked", "Staff {staff_id} is already linked to another user."),
    },
    "user_needs_scope": {
        "vi": (
            "Tài khoản cần đơn vị",
            "Hãy cấp ít nhất một vai trò hoặc gắn với một nhân sự trong phạm vi quản lý.",
        ),
        "en": (
            "User needs a scope",
            "Give the user at least one role or link a staff member within your scope.",
        ),
    },
    "role_already_granted": {
        "vi": ("Vai trò đã có", "Tài khoản đã có vai trò này tại đơn vị này."),
        "en": ("Role already granted", "The user already holds this role at this unit."),
    },
    "api_key_revoked": {
        "vi": ("Khoá đã thu hồi", "Khoá API này đã bị thu hồi."),
        "en": ("Key revoked", "This API key has already been revoked."),
    },
    "webhook_url_refused": {
        "vi": (
            "Địa chỉ webhook không được phép",
            "Trường {field}: địa chỉ phải dùng https và không trỏ tới máy chủ nội bộ, mạng "
            "riêng hay địa chỉ link-local.",
        ),
        "en": (
            "Webhook URL refused",
            "Field {field}: the URL must use https and not point at loopback, private or "
            "link-local addresses.",
        ),
    },
    "webhook_key_cannot_read_changes": {
        "vi": (
            "Khoá không đọc được nguồn thay đổi",
            "Khoá API có vai trò {role} không được đọc nguồn thay đổi nên không thể nhận webhook.",
        ),
        "en": (
            "Key cannot read the change feed",
            "An API key with role {role} may not read the change feed, so it cannot get webhooks.",
        ),
    },
    "webhook_behind_retention": {
        "vi": (
            "Webhook đã quá thời hạn lưu của nguồn thay đổi",
            "Nguồn thay đổi đã xoá những thay đổi webhook này chưa gửi (thời hạn lưu): không "
            "thể tiếp tục; hãy tạo đăng ký mới và đồng bộ lại.",
        ),
        "en": (
            "Webhook behind the feed's retention",
            "The feed has dropped changes this webhook never sent: it cannot resume; "
            "subscribe afresh and resynchronise.",
        ),
    },
    "webhook_delivery_pending": {
        "vi": ("Lần gửi đang chờ", "Lần gửi này còn đang chờ gửi; không cần gửi lại."),
        "en": ("Delivery pending", "This delivery is still waiting to be sent."),
    },
    "body_too_large": {
        "vi": ("Dữ liệu quá lớn", "Nội dung yêu cầu vượt quá giới hạn {limit} byte."),
        "en": ("Body too large", "The request body exceeds the limit of {limit} bytes."),
    },
    "internal_error": {
        "vi": ("Lỗi hệ thống", "Đã xảy ra lỗi; mã yêu cầu {request_id}."),
        "en": ("Internal error", "Something went wrong; request id {request_id}."),
    },
}


def register(messages: dict[str, dict[str, tuple[str, str]]]) -> None:
    """Domain packages add their own problem texts (kept beside the rules that raise them)."""
    clash = MESSAGES.keys() & messages.keys()
    if clash:
        raise ValueError(f"problem codes defined twice: {sorted(clash)}")
    MESSAGES.update(messages)


def language(request: Request | None) -> str:
    """Pick ``vi`` or ``en`` from Accept-Language by quality, else the default."""
    default: str = get_settings().default_language
    header = request.headers.get("accept-language", "") if request else ""
    best, best_q = default, -1.0
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower()[:2]
        if lang not in ("vi", "en"):
            continue
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if q > best_q:
            best, best_q = lang, q
    return best


# Resource names as they appear in Vietnamese details ("Không tìm thấy đơn vị có mã 5").
RESOURCES_VI = {
    "unit": "đơn vị",
    "staff": "nhân sự",
    "user": "tài khoản",
    "role_assignment": "vai trò",
    "api_key": "khoá API",
}


# Permission names as a Vietnamese detail says them ("không có quyền ghi nhận vi phạm"), so an
# internal name such as ``record_violations`` never reaches a person; English keeps the name.
PERMISSIONS_VI = {
    "read": "xem dữ liệu",
    "admin": "quản trị hệ thống",
    "manage_units": "quản lý đơn vị",
    "manage_staff": "quản lý hồ sơ nhân sự",
    "manage_users": "quản lý tài khoản",
    "read_audit": "xem nhật ký thao tác",
    "organize_events": "tổ chức sự kiện",
    "nominate": "cử người tham dự",
    "read_changes": "đọc nguồn thay đổi",
    "read_reports": "xem báo cáo",
    "record_violations": "ghi nhận vi phạm",
    "review_violations": "xem xét vi phạm",
    "submit_external_event": "đăng ký sự kiện bên ngoài",
    "decide_external_event": "duyệt sự kiện bên ngoài",
    "request_participation": "đề nghị tham dự thay cho nhân sự",
    "consent_participation": "đồng ý cho tham dự",
    "record_external_violation": "ghi nhận vi phạm về sự kiện bên ngoài",
    "import_attendance": "nhập điểm danh",
    "accept_bdtx": "tiếp nhận báo cáo BDTX",
    "approve_bdtx_plan": "duyệt kế hoạch BDTX cá nhân",
    "approve_bdtx_unit_plan": "duyệt kế hoạch BDTX của đơn vị",
    "compute_bdtx_results": "tính kết quả BDTX",
    "finalise_bdtx": "công nhận kết quả BDTX",
    "import_lms": "nhập kết quả từ hệ thống học trực tuyến",
    "inspect_self_study": "kiểm tra tự học",
    "issue_bdtx_certificate": "cấp giấy chứng nhận BDTX",
    "log_self_study": "ghi nhận tự học",
    "manage_bdtx_modules": "quản lý danh mục mô-đun",
    "manage_signing_credential": "quản lý chứng thư ký số",
    "plan_bdtx": "lập kế hoạch BDTX của đơn vị",
    "record_bdtx_scores": "ghi điểm mô-đun",
    "report_bdtx": "báo cáo BDTX",
    "revoke_bdtx_certificate": "thu hồi giấy chứng nhận BDTX",
    "set_bdtx_policy": "thiết lập quy định BDTX của năm học",
}


@dataclass(frozen=True)
class Localized:
    """A problem parameter or error message said in both languages, chosen when rendered."""

    vi: str
    en: str

    def pick(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi

    @staticmethod
    def join(items: "list[Localized]", sep: str = ", ") -> "Localized":
        return Localized(sep.join(i.vi for i in items), sep.join(i.en for i in items))


def localize(value: Any, lang: str) -> Any:
    return value.pick(lang) if isinstance(value, Localized) else value


def render(code: str, lang: str, params: dict[str, Any]) -> tuple[str, str]:
    params = {k: localize(v, lang) for k, v in params.items()}
    if lang == "vi" and "resource" in params:
        params = {**params, "resource": RESOURCES_VI.get(params["resource"], params["resource"])}
    if lang == "vi" and "permission" in params:
        name = params["permission"]
        params = {**params, "permission": PERMISSIONS_VI.get(name, name)}
    entry = MESSAGES.get(code)
    if entry is None:
        # every code is in the catalogue (app.core.problem_catalogue); the suite runs strict
        # so a code raised without an entry fails its test instead of reading as a conflict
        if get_settings().env == "test":
            raise KeyError(f"problem code {code!r} is not in the catalogue")
        entry = MESSAGES["conflict"]
    title, template = entry.get(lang) or entry["en"]
    try:
        return title, template.format(**params)
    except (KeyError, IndexError):
        return title, title
