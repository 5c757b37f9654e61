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
