"""Turn an automatic-reply message (HTML as Outlook writes it) into plain text for the agent."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table"}
_HIDDEN = {"style", "script", "head", "title"}
_MAX = 2000


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def platte_tekst(bericht: str | None) -> str | None:
    """Plain text of an HTML or text reply: tags, styles and scripts removed, lines kept.

    Returns ``None`` for an empty message. Long messages are cut to a length an agent's
    screen can show.
    """
    if not bericht or not bericht.strip():
        return None
    parser = _Text()
    parser.feed(bericht)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    cleaned = "\n".join(line for line in lines if line)
    if not cleaned:
        return None
    return cleaned[:_MAX]
