"""Problem texts for units' letterheads, in Vietnamese and English."""

from app.core.i18n import RESOURCES_VI

RESOURCES_VI["letterhead"] = "mẫu tiêu đề văn bản"
