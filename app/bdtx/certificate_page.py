"""The public check of a certificate as a page: what a phone shows after scanning the QR
code printed on it. Vietnamese (English with Accept-Language: en), one column at mobile
width, no scripts, only the data the JSON answer carries.
"""

import base64
import hashlib
from html import escape

from fastapi import Request
from fastapi.responses import HTMLResponse

from app.core.i18n import language

HTML = "text/html"
JSON = "application/json"

CSS = (
    "body{font-family:'Liberation Serif','Times New Roman',serif;margin:0;padding:16px;"
    "background:#f5f5f0;color:#1a1a1a;line-height:1.45}"
    "main{max-width:30rem;margin:0 auto;background:#fff;border:1px solid #ccc;"
    "border-radius:8px;padding:16px 20px}"
    "h1{font-size:1.25rem;margin:0 0 4px}p.sub{margin:0 0 16px;color:#555}"
    "dl{margin:0}dt{font-size:.85rem;color:#555;margin-top:10px}dd{margin:0;font-size:1.1rem}"
    ".status{display:inline-block;margin:12px 0 0;padding:6px 12px;border-radius:4px;"
    "font-weight:bold}.ok{background:#e3f4e5;color:#16602a}.bad{background:#fde4e4;"
    "color:#9b1111}footer{margin-top:16px;font-size:.8rem;color:#666}"
)
# Only this exact stylesheet may apply: the page runs nothing and loads nothing.
CSP = (
    "default-src 'none'; style-src 'sha256-"
    + base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
    + "'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)

TEXTS = {
    "vi": {
        "title": "Kiểm tra giấy chứng nhận kết quả BDTX",
        "sub": "Giấy chứng nhận kết quả bồi dưỡng thường xuyên",
        "full_name": "Họ và tên",
        "school_year": "Năm học",
        "result_class": "Xếp loại",
        "issuer": "Đơn vị cấp",
        "issued": "Giấy chứng nhận hợp lệ",
        "revoked": "Giấy chứng nhận đã bị thu hồi",
        "missing_title": "Không tìm thấy giấy chứng nhận",
        "missing": "Mã kiểm tra không đúng hoặc giấy chứng nhận không do hệ thống này cấp.",
        "footer": "Trang tra cứu công khai; chỉ hiển thị thông tin tối thiểu.",
    },
    "en": {
        "title": "Check a BDTX certificate",
        "sub": "Certificate of continuous professional development results",
        "full_name": "Full name",
        "school_year": "School year",
        "result_class": "Result",
        "issuer": "Issued by",
        "issued": "Valid certificate",
        "revoked": "This certificate has been revoked",
        "missing_title": "Certificate not found",
        "missing": "The code is wrong, or the certificate was not issued by this service.",
        "footer": "Public check; only the minimum is shown.",
    },
}


def wants_html(request: Request) -> bool:
    """A browser (text/html listed before any JSON type) gets the page; clients JSON."""
    for part in request.headers.get("accept", "").split(","):
        media_type = part.partition(";")[0].strip().lower()
        if media_type == HTML:
            return True
        if media_type in (JSON, "application/*", "application/problem+json"):
            return False
    return False


def _page(lang: str, title: str, body: str, status_code: int) -> HTMLResponse:
    html = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{body}<footer>{escape(TEXTS[lang]['footer'])}</footer></main></body></html>"
    )
    headers = {
        "Content-Security-Policy": CSP,
        "Vary": "Accept, Accept-Language",
        "Content-Language": lang,
        "Cache-Control": "no-store",  # a revocation shows at once
    }
    return HTMLResponse(html, status_code=status_code, headers=headers)


def certificate_page(request: Request, data: dict[str, object]) -> HTMLResponse:
    lang = language(request)
    t = TEXTS[lang]
    rows = "".join(
        f"<dt>{escape(t[key])}</dt><dd>{escape(str(data.get(key) or '—'))}</dd>"
        for key in ("full_name", "school_year", "result_class", "issuer")
    )
    ok = str(data.get("status")) == "issued"
    status = (
        f'<p class="status {"ok" if ok else "bad"}" id="status">'
        f"{escape(t['issued'] if ok else t['revoked'])}</p>"
    )
    body = (
        f'<h1>{escape(t["title"])}</h1><p class="sub">{escape(t["sub"])}</p><dl>{rows}</dl>{status}'
    )
    return _page(lang, t["title"], body, 200)


def missing_page(request: Request) -> HTMLResponse:
    lang = language(request)
    t = TEXTS[lang]
    body = f'<h1>{escape(t["missing_title"])}</h1><p class="sub">{escape(t["missing"])}</p>'
    return _page(lang, t["missing_title"], body, 404)
