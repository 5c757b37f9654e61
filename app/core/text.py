"""Unicode handling: Vietnamese text arrives in NFC and NFD; we store NFC."""

import unicodedata
from typing import Any


def nfc(value: Any) -> Any:
    """Return ``value`` with every string inside it normalised to NFC."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: nfc(v) for k, v in value.items()}
    return value


def fold(text: str) -> str:
    """Search key: lower case, no diacritics, 'đ' as 'd', single spaces.

    ``fold("Nguyễn Văn An") == fold("NGUYEN  van an") == "nguyen van an"``.
    """
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.replace("đ", "d").split())


def visible(text: str) -> str:
    """``text`` without invisible characters: format controls (Unicode category Cf, such as
    the zero-width space and joiners, the BOM) and white space."""
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf")


def require_visible(value: str) -> str:
    """Pydantic after-validator: a required text that shows nothing is empty (R-EXT-2/3:
    a commitment of one zero-width space is no commitment)."""
    if not visible(value):
        from pydantic_core import PydanticCustomError  # only the schemas layer needs it

        raise PydanticCustomError(
            "string_too_short", "Text is empty once invisible characters are removed"
        )
    return value
