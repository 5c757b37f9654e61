"""Problem texts for signing credentials and signed documents, in Vietnamese and English."""

from app.core.i18n import RESOURCES_VI, register

RESOURCES_VI["signing_credential"] = "chứng thư ký số"
RESOURCES_VI["document"] = "văn bản"

register(
    {
        "signing_credential_invalid": {
            "vi": (
                "Chứng thư ký số không dùng được",
                "Không đọc được khoá và chứng thư số ({reason}). Kiểm tra tệp và mật khẩu.",
            ),
            "en": (
                "Unusable signing credential",
                "The key and certificate could not be used ({reason}). Check the file and "
                "its passphrase.",
            ),
        },
        "signing_failed": {
            "vi": (
                "Không ký số được văn bản",
                "Không ký số được bằng chứng thư của đơn vị ({reason}); văn bản chưa được "
                "ban hành.",
            ),
            "en": (
                "The document could not be signed",
                "Signing with the unit's credential failed ({reason}); nothing was issued.",
            ),
        },
    }
)
