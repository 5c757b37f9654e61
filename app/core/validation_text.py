"""``errors[].msg`` of a refused request in the problem's language.

Pydantic writes its messages in English ("String should match pattern '^[^@…'"), which read
oddly inside a Vietnamese problem and show internal patterns to people. Each error type gets
a Vietnamese sentence here, filled from the error's own ``ctx``; English keeps pydantic's
message. A type not listed falls back to a generic sentence naming the type, never English.
"""

from typing import Any

VI: dict[str, str] = {
    "missing": "Thiếu trường bắt buộc.",
    "extra_forbidden": "Trường này không được phép.",
    "json_invalid": "JSON không hợp lệ.",
    "string_type": "Phải là chuỗi ký tự.",
    "string_too_short": "Cần ít nhất {min_length} ký tự.",
    "string_too_long": "Tối đa {max_length} ký tự.",
    "string_pattern_mismatch": "Không đúng định dạng cho phép.",
    "string_unicode": "Phải là chuỗi Unicode hợp lệ.",
    "int_type": "Phải là số nguyên.",
    "int_parsing": "Phải là số nguyên.",
    "int_from_float": "Phải là số nguyên (không có phần thập phân).",
    "float_type": "Phải là số.",
    "float_parsing": "Phải là số.",
    "finite_number": "Phải là số hữu hạn.",
    "decimal_type": "Phải là số thập phân.",
    "decimal_parsing": "Phải là số thập phân.",
    "decimal_max_digits": "Tối đa {max_digits} chữ số.",
    "decimal_max_places": "Tối đa {decimal_places} chữ số sau dấu phẩy.",
    "bool_type": "Phải là true hoặc false.",
    "bool_parsing": "Phải là true hoặc false.",
    "greater_than": "Phải lớn hơn {gt}.",
    "greater_than_equal": "Phải lớn hơn hoặc bằng {ge}.",
    "less_than": "Phải nhỏ hơn {lt}.",
    "less_than_equal": "Phải nhỏ hơn hoặc bằng {le}.",
    "multiple_of": "Phải là bội số của {multiple_of}.",
    "enum": "Phải là một trong: {expected}.",
    "literal_error": "Phải là một trong: {expected}.",
    "date_type": "Phải là ngày dạng YYYY-MM-DD.",
    "date_parsing": "Phải là ngày dạng YYYY-MM-DD.",
    "date_from_datetime_parsing": "Phải là ngày dạng YYYY-MM-DD.",
    "date_from_datetime_inexact": "Phải là ngày, không kèm giờ.",
    "date_past": "Phải là ngày trong quá khứ.",
    "date_future": "Phải là ngày trong tương lai.",
    "datetime_type": "Phải là thời điểm ISO 8601, ví dụ 2026-03-15T07:30:00+07:00.",
    "datetime_parsing": "Phải là thời điểm ISO 8601, ví dụ 2026-03-15T07:30:00+07:00.",
    "datetime_from_date_parsing": "Phải là thời điểm ISO 8601, ví dụ 2026-03-15T07:30:00+07:00.",
    "datetime_object_invalid": "Thời điểm không hợp lệ.",
    "datetime_past": "Phải là thời điểm trong quá khứ.",
    "datetime_future": "Phải là thời điểm trong tương lai.",
    "timezone_aware": "Cần ghi múi giờ, ví dụ +07:00.",
    "timezone_naive": "Không ghi múi giờ.",
    "time_type": "Phải là giờ dạng hh:mm.",
    "time_parsing": "Phải là giờ dạng hh:mm.",
    "list_type": "Phải là danh sách.",
    "tuple_type": "Phải là danh sách.",
    "set_type": "Phải là danh sách không trùng lặp.",
    "too_short": "Cần ít nhất {min_length} phần tử.",
    "too_long": "Tối đa {max_length} phần tử.",
    "dict_type": "Phải là một đối tượng JSON.",
    "model_type": "Phải là một đối tượng JSON.",
    "model_attributes_type": "Phải là một đối tượng JSON.",
    "dataclass_type": "Phải là một đối tượng JSON.",
    "url_type": "Phải là địa chỉ URL.",
    "url_parsing": "Địa chỉ URL không hợp lệ.",
    "url_syntax_violation": "Địa chỉ URL không hợp lệ.",
    "url_too_long": "Địa chỉ URL dài quá {max_length} ký tự.",
    "url_scheme": "Địa chỉ URL phải bắt đầu bằng {expected_schemes}.",
    "uuid_type": "Phải là UUID.",
    "uuid_parsing": "Phải là UUID.",
    "bytes_type": "Phải là dữ liệu nhị phân.",
    "bytes_too_short": "Cần ít nhất {min_length} byte.",
    "bytes_too_long": "Tối đa {max_length} byte.",
    "union_tag_invalid": "Giá trị {tag} của {discriminator} không hợp lệ; dùng: {expected_tags}.",
    "union_tag_not_found": "Thiếu trường phân loại {discriminator}.",
    "none_required": "Phải để trống (null).",
    "frozen_field": "Không được thay đổi trường này.",
    "uuid_version": "Phải là UUID phiên bản {expected_version}.",
}
FALLBACK_VI = "Giá trị không hợp lệ ({type})."
# what our own validators raise (``ValueError("…")``) is already meant for people
OWN_MESSAGE = ("value_error", "assertion_error")


def _own(msg: str) -> str:
    """Pydantic prefixes a validator's text with "Value error, "; the text is ours."""
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix) :]
    return msg


# strict JSON types ("Input should be a JSON number") name the type only in the message
JSON_TYPES_VI = {
    "number": "Phải là số.",
    "string": "Phải là chuỗi ký tự.",
    "boolean": "Phải là true hoặc false.",
    "array": "Phải là danh sách.",
    "object": "Phải là một đối tượng JSON.",
}


def _json_type(msg: str) -> str:
    word = msg.rstrip(".").rsplit(" ", 1)[-1].lower()
    return JSON_TYPES_VI.get(word, "Sai kiểu dữ liệu JSON.")


def message(error: dict[str, Any], lang: str) -> str:
    """``errors[].msg`` for one pydantic error in ``lang``."""
    kind = str(error.get("type", ""))
    msg = str(error.get("msg", ""))
    if kind in OWN_MESSAGE:
        return _own(msg)
    if lang == "en":
        return msg
    if kind == "json_type":
        return _json_type(msg)
    template = VI.get(kind)
    if template is None:
        return FALLBACK_VI.format(type=kind)
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):
        return template.split("{")[0].rstrip(" :") + "."
