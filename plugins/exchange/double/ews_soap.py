"""What every EWS operation of the double shares: namespaces, off-schema refusals, error messages."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from xml.etree import ElementTree as ET

S = "http://schemas.xmlsoap.org/soap/envelope/"
M = "http://schemas.microsoft.com/exchange/services/2006/messages"
T = "http://schemas.microsoft.com/exchange/services/2006/types"
E = "http://schemas.microsoft.com/exchange/services/2006/errors"
NS = {"s": S, "m": M, "t": T}
# GetUserAvailability (MailboxDataArray) and GetMailTips (Recipients) both stop at 100.
MAX_MAILBOXES = 100


class OffSpecError(Exception):
    """The request does not match what EWS accepts; answered with HTTP 400."""


def text_of(elem: ET.Element, path: str) -> str:
    found = elem.find(path, NS)
    if found is None or found.text is None:
        raise OffSpecError(f"missing element {path}")
    return found.text.strip()


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def error_message(tag: str, code: str, text: str) -> str:
    """A response message with ``ResponseClass="Error"`` (messages.xsd ResponseMessageType)."""
    return (
        f'<m:{tag} ResponseClass="Error"><m:MessageText>{escape(text)}</m:MessageText>'
        f"<m:ResponseCode>{code}</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>"
        f"</m:{tag}>"
    )
