"""Text normalisation for the directory search: accents folded, case folded, Dutch name parts.

Both the stored search tokens and the query go through :func:`tokens`, so
"Özdemir", "OZDEMIR" and "ozdemir" meet. Tussenvoegsels ("van der", "de", "in 't")
are recognised so that "van der berg", "Berg, van der" and "Berg" all find
Piet van der Berg.
"""

from __future__ import annotations

import re
import unicodedata

MAX_TOKEN_LENGTH = 64

# Letters that Unicode decomposition does not reduce to a base letter plus a mark.
_SPECIAL = str.maketrans(
    {
        "ß": "ss", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d",
        "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ı": "i", "ĳ": "ij", "Ĳ": "ij",
        "þ": "th", "Þ": "th",
    }
)  # fmt: skip

# Letters and digits of any script; everything else (punctuation, LDAP/SQL metacharacters,
# control characters including NUL) separates tokens.
_TOKEN = re.compile(r"[^\W_]+")

TUSSENVOEGSELS = frozenset(
    {
        "van", "de", "der", "den", "het", "t", "te", "ter", "ten", "in", "op", "aan", "bij",
        "uit", "voor", "over", "onder", "tot", "la", "le", "les", "l", "du", "da", "di", "del",
        "della", "dos", "das", "do", "el", "al", "von", "zu", "vom", "zum", "zur", "s", "d",
        "af", "y",
    }
)  # fmt: skip


def fold(text: str) -> str:
    """Lower case without diacritics: "Çelik" -> "celik", "Straße" -> "strasse"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def tokens(text: str | None) -> list[str]:
    """The distinct search tokens of a text, in order of appearance."""
    if not text:
        return []
    seen: dict[str, None] = {}
    for token in _TOKEN.findall(fold(text)):
        seen.setdefault(token[:MAX_TOKEN_LENGTH], None)
    return list(seen)


def normalized(text: str | None) -> str:
    """One comparable string (tokens joined by a space), for filters and sorting."""
    return " ".join(tokens(text))


def surname_core(achternaam: str | None) -> str:
    """The surname without leading tussenvoegsels, for sorting: "van der Berg" -> "berg"."""
    parts = tokens(achternaam)
    core = [p for p in parts if p not in TUSSENVOEGSELS]
    return " ".join(core or parts)


def clean(text: str | None) -> str | None:
    """Remove NUL and other control characters that a directory may hold but SQL may not."""
    if text is None:
        return None
    return "".join(c for c in text if c in "\t\n" or unicodedata.category(c) != "Cc")
