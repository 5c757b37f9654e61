"""Problem texts of bulk imports (whole-file and per-row), in Vietnamese and English."""

from app.core.i18n import register

register(
    {
        "bulk_invalid_rows": {
            "vi": (
                "Dữ liệu nhập không hợp lệ",
                "Không ghi dòng nào: {count} dòng có lỗi, trong đó có giá trị không hợp lệ "
                "(xem từng dòng trong rows).",
            ),
            "en": (
                "Invalid rows",
                "Nothing was written: {count} rows are in error, some with invalid values "
                "(see rows).",
            ),
        },
        "bulk_rejected": {
            "vi": (
                "Không áp dụng được tệp nhập",
                "Không ghi dòng nào: {count} dòng không áp dụng được với dữ liệu hiện có (xem "
                "từng dòng trong rows). Sửa các dòng này, hoặc gửi lại với mode=partial để ghi "
                "các dòng còn lại.",
            ),
            "en": (
                "Import refused",
                "Nothing was written: {count} rows cannot be applied to the stored data (see "
                "rows). Fix them, or send again with mode=partial to write the others.",
            ),
        },
        "too_many_rows": {
            "vi": ("Quá nhiều dòng", "Mỗi lần nhập tối đa {limit} dòng dữ liệu; hãy chia nhỏ tệp."),
            "en": ("Too many rows", "An import takes at most {limit} data rows; split the file."),
        },
        "bulk_not_an_array": {
            "vi": ("Sai cấu trúc JSON", "Nội dung JSON phải là một mảng các đối tượng."),
            "en": ("Not an array", "The JSON body must be an array of objects."),
        },
        "bulk_unreadable_file": {
            "vi": ("Không đọc được tệp", "Không đọc được tệp {kind}."),
            "en": ("Unreadable file", "The {kind} file could not be read."),
        },
        "bulk_missing_file": {
            "vi": ("Thiếu tệp", "Gửi tệp CSV, XLSX hoặc JSON trong trường 'file' của biểu mẫu."),
            "en": ("File missing", "Send a CSV, XLSX or JSON file in the form field 'file'."),
        },
        "unsupported_media_type": {
            "vi": (
                "Định dạng không được hỗ trợ",
                "Gửi JSON, text/csv, XLSX hoặc multipart/form-data có trường 'file'.",
            ),
            "en": (
                "Unsupported media type",
                "Send JSON, text/csv, XLSX or multipart/form-data with a 'file' field.",
            ),
        },
        "bulk_duplicate_column": {
            "vi": ("Cột trùng nhau", "Cột '{column}' và cột '{other}' cùng chỉ một trường."),
            "en": ("Duplicate column", "Columns '{column}' and '{other}' name the same field."),
        },
        "bulk_missing_column": {
            "vi": ("Thiếu cột", "Tệp thiếu cột {column} (ví dụ 'Mã định danh')."),
            "en": ("Missing column", "The file has no {column} column."),
        },
        "bulk_unknown_field": {
            "vi": ("Trường không hỗ trợ", "Trường '{field}' không có trong dữ liệu nhập."),
            "en": ("Unknown field", "'{field}' is not a field of this import."),
        },
        "bulk_invalid_text": {
            "vi": ("Giá trị không hợp lệ", "Giá trị của {field} phải là văn bản."),
            "en": ("Invalid value", "{field} must be text."),
        },
        "bulk_nul_character": {
            "vi": ("Ký tự không lưu được", "Giá trị của {field} chứa ký tự NUL, không lưu được."),
            "en": (
                "Unstorable character",
                "{field} contains a NUL character, which cannot be stored.",
            ),
        },
        "bulk_invalid_date": {
            "vi": (
                "Ngày không hợp lệ",
                "Ngày '{value}' ở cột {field} không hợp lệ; ghi dd/mm/yyyy.",
            ),
            "en": ("Invalid date", "'{value}' in {field} is not a date; write dd/mm/yyyy."),
        },
        "bulk_invalid_choice": {
            "vi": (
                "Giá trị không hợp lệ",
                "Giá trị '{value}' ở cột {field} không hợp lệ; cho phép: {allowed}.",
            ),
            "en": ("Invalid value", "'{value}' is not valid for {field}; allowed: {allowed}."),
        },
        "bulk_invalid_number": {
            "vi": ("Số không hợp lệ", "Giá trị '{value}' ở cột {field} không phải là số."),
            "en": ("Invalid number", "'{value}' in {field} is not a number."),
        },
        "bulk_missing_value": {
            "vi": ("Thiếu giá trị", "Thiếu giá trị bắt buộc: {field}."),
            "en": ("Missing value", "A required value is missing: {field}."),
        },
        "bulk_invalid_value": {
            "vi": ("Giá trị không hợp lệ", "Giá trị của {field} không hợp lệ: {reason}."),
            "en": ("Invalid value", "{field} is invalid: {reason}."),
        },
        "bulk_duplicate_row": {
            "vi": ("Dòng trùng mã", "Mã này đã xuất hiện ở dòng {first} của tệp."),
            "en": ("Duplicate row", "This code already appears in row {first} of the file."),
        },
        "bulk_unknown_unit": {
            "vi": ("Không tìm thấy đơn vị", "Không tìm thấy đơn vị có mã '{value}'."),
            "en": ("Unit not found", "No unit with code '{value}' was found."),
        },
        "bulk_unknown_staff": {
            "vi": ("Không tìm thấy nhân sự", "Không tìm thấy nhân sự có mã '{value}'."),
            "en": ("Staff not found", "No staff member with code '{value}' was found."),
        },
        "bulk_unit_changed": {
            "vi": (
                "Nhân sự thuộc đơn vị khác",
                "Nhân sự đang thuộc đơn vị '{current}'; điều chuyển đơn vị bằng "
                "POST /api/v1/staff/{{id}}/transfer.",
            ),
            "en": (
                "Staff belongs to another unit",
                "The person belongs to unit '{current}'; move them with "
                "POST /api/v1/staff/{{id}}/transfer.",
            ),
        },
        "bulk_parent_changed": {
            "vi": (
                "Đơn vị trực thuộc đơn vị khác",
                "Đơn vị đang trực thuộc '{current}'; chuyển đơn vị bằng "
                "POST /api/v1/units/{{id}}/move.",
            ),
            "en": (
                "Unit has another parent",
                "The unit is under '{current}'; move it with POST /api/v1/units/{{id}}/move.",
            ),
        },
    }
)
