"""Problem texts for the BDTX cycle (R-BDTX-1..5), in Vietnamese and English."""

from app.core.i18n import RESOURCES_VI, register

register(
    {
        "bdtx_policy_missing": {
            "vi": (
                "Chưa có quy định BDTX của năm học",
                "Năm học {school_year} chưa có quy định bồi dưỡng thường xuyên.",
            ),
            "en": (
                "No BDTX policy for the school year",
                "School year {school_year} has no BDTX policy yet.",
            ),
        },
        "bdtx_policy_frozen": {
            "vi": (
                "Quy định BDTX đã khoá",
                "Năm học {school_year} đã có kết quả BDTX được công nhận; không thể thay đổi "
                "quy định.",
            ),
            "en": (
                "BDTX policy frozen",
                "School year {school_year} has finalised results; its policy cannot change.",
            ),
        },
        "bdtx_policy_preset_or_rules": {
            "vi": ("Thiếu nội dung quy định", "Cần gửi preset hoặc rules."),
            "en": ("Policy content missing", "Send a preset or rules."),
        },
        "bdtx_module_code_taken": {
            "vi": ("Mã mô-đun đã tồn tại", "Mã mô-đun '{module_code}' đã được dùng."),
            "en": ("Module code taken", "Module code '{module_code}' is already in use."),
        },
        "bdtx_unknown_module": {
            "vi": ("Mô-đun không tồn tại", "Không có mô-đun: {codes}."),
            "en": ("Unknown module", "No such modules: {codes}."),
        },
        "bdtx_module_unfit": {
            "vi": (
                "Mô-đun không phù hợp đối tượng",
                "Mô-đun {codes} không dành cho đối tượng, cấp học của người học.",
            ),
            "en": (
                "Module does not fit the person",
                "Modules {codes} are not for this person's category or education level.",
            ),
        },
        "bdtx_plan_incomplete": {
            "vi": (
                "Kế hoạch chưa đáp ứng quy định",
                "Kế hoạch BDTX chưa đủ số tiết theo quy định năm học {school_year}.",
            ),
            "en": (
                "Plan does not meet the policy",
                "The BDTX plan does not meet school year {school_year}'s required periods.",
            ),
        },
        "bdtx_self_evaluation_required": {
            "vi": (
                "Chưa tự đánh giá theo chuẩn",
                "Cần tự đánh giá đủ 15 tiêu chí chuẩn nghề nghiệp trước khi nộp kế hoạch.",
            ),
            "en": (
                "Standards self-evaluation required",
                "Rate all 15 criteria of the professional standards before submitting.",
            ),
        },
        "bdtx_unknown_criterion": {
            "vi": ("Tiêu chí không hợp lệ", "Không có tiêu chí: {codes}."),
            "en": ("Unknown criterion", "No such criteria: {codes}."),
        },
        "bdtx_deadline_passed": {
            "vi": ("Đã quá hạn", "Đã quá hạn {deadline} của kế hoạch BDTX cá nhân."),
            "en": ("Deadline passed", "The personal plan deadline {deadline} has passed."),
        },
        "bdtx_unit_plan_deadline_passed": {
            "vi": ("Đã quá hạn", "Đã quá hạn {deadline} báo cáo kế hoạch BDTX của đơn vị."),
            "en": ("Deadline passed", "The unit plan deadline {deadline} has passed."),
        },
        "bdtx_wrong_status": {
            "vi": (
                "Trạng thái không phù hợp",
                "Đang ở trạng thái {status}; cần ở trạng thái {expected}.",
            ),
            "en": ("Wrong status", "It is {status}; this needs {expected}."),
        },
        "bdtx_plan_exists": {
            "vi": ("Đã có kế hoạch", "Người này đã có kế hoạch BDTX năm học {school_year}."),
            "en": ("Plan exists", "This person already has a plan for {school_year}."),
        },
        "bdtx_result_finalised": {
            "vi": (
                "Kết quả đã được công nhận",
                "Kết quả BDTX năm học {school_year} của người này đã được công nhận.",
            ),
            "en": (
                "Result finalised",
                "This person's BDTX result for {school_year} is finalised.",
            ),
        },
        "bdtx_result_not_certifiable": {
            "vi": (
                "Chưa đủ điều kiện cấp giấy chứng nhận",
                "Chỉ cấp giấy chứng nhận cho kết quả đã công nhận và hoàn thành.",
            ),
            "en": (
                "Result not certifiable",
                "Certificates are issued for finalised passing results only.",
            ),
        },
        "bdtx_certificate_exists": {
            "vi": ("Đã cấp giấy chứng nhận", "Kết quả này đã có giấy chứng nhận {serial}."),
            "en": ("Certificate exists", "This result already has certificate {serial}."),
        },
        "bdtx_report_exists": {
            "vi": ("Đã có báo cáo", "Đơn vị đã có báo cáo BDTX năm học {school_year}."),
            "en": ("Report exists", "The unit already has a report for {school_year}."),
        },
        "bdtx_children_not_reported": {
            "vi": (
                "Đơn vị trực thuộc chưa báo cáo",
                "Các đơn vị trực thuộc chưa có báo cáo được chấp nhận: {ids}.",
            ),
            "en": (
                "Units below have not reported",
                "Units below without an accepted report: {ids}.",
            ),
        },
        "bdtx_ministry_package_incomplete": {
            "vi": (
                "Thiếu hồ sơ gửi Bộ",
                "Báo cáo của Sở gửi Bộ kèm kế hoạch năm và tài liệu nội dung 2.",
            ),
            "en": (
                "Ministry package incomplete",
                "The Sở's report goes to the Ministry with its annual plan and nội dung 2 "
                "materials.",
            ),
        },
    }
)

for _resource, _name in {
    "bdtx_policy": "quy định BDTX",
    "bdtx_module": "mô-đun BDTX",
    "personal_plan": "kế hoạch BDTX cá nhân",
    "self_study": "hồ sơ tự bồi dưỡng",
    "bdtx_result": "kết quả BDTX",
    "certificate": "giấy chứng nhận",
    "unit_report": "báo cáo BDTX",
    "unit_plan": "kế hoạch BDTX đơn vị",
}.items():
    RESOURCES_VI.setdefault(_resource, _name)
