"""Automatic replies in the EWS double: GetUserOofSettings (one mailbox) and GetMailTips (many).

GetMailTips is shaped after messages.xsd/types.xsd and Microsoft's GetMailTips example:
``GetMailTipsResponse`` (itself a response message) holds one ``MailTipsResponseMessageType``
per recipient, in request order, each with an ``m:MailTips`` element whose children are in the
types namespace. Only ``OutOfOfficeMessage`` is evaluated here; a request for other tips gets
the recipient address and the out-of-office tip if asked.

What Exchange puts in the out-of-office tip, as this double models it:

* the reply the *sender* would get: the internal reply when ``SendingAs`` is in the recipient's
  organisation (here: the same mail domain), the external reply otherwise;
* an empty ``t:Message`` when automatic replies are off, or scheduled and already over;
* ``t:Duration`` with the scheduled window when the state is Scheduled.

Per-recipient failures (``Fouten.mailtip_fouten``) answer that one recipient with
``ResponseClass="Error"``; ``Fouten.mailtips_pending`` answers with ``PendingMailTips``, as
Exchange does when a tip could not be evaluated before its processing timeout.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from xml.etree import ElementTree as ET

from plugins.exchange.double.ews_soap import (
    MAX_MAILBOXES,
    NS,
    OffSpecError,
    error_message,
    text_of,
    utc_text,
)
from plugins.exchange.double.kalenders import Kalenders, Mailbox

# types.xsd MailTipTypes: a space-separated list of these names.
MAIL_TIP_TYPES = frozenset(
    {
        "All",
        "OutOfOfficeMessage",
        "MailboxFullStatus",
        "CustomMailTip",
        "ExternalMemberCount",
        "TotalMemberCount",
        "MaxMessageSize",
        "DeliveryRestriction",
        "ModerationStatus",
        "InvalidRecipient",
        "Scope",
    }
)


class AutomaticReplies:
    """Mixed into the EWS handler: the two operations that read automatic replies."""

    k: Kalenders

    def get_user_oof_settings(self, request: ET.Element, _acting_as: str | None) -> str:
        email = text_of(request, "t:Mailbox/t:Address")
        code = self.k.fouten.mailbox_fouten.get(email.lower())
        box = self.k.get(email)
        if box is None and code is None:
            code = "ErrorNonExistentMailbox"
        if code is not None:
            return (
                "<m:GetUserOofSettingsResponse>"
                + error_message("ResponseMessage", code, "The mailbox cannot be read.")
                + "</m:GetUserOofSettingsResponse>"
            )
        assert box is not None
        oof = box.afwezigheid
        duration = ""
        if oof.start and oof.end:
            duration = (
                f"<t:Duration><t:StartTime>{utc_text(oof.start)}</t:StartTime>"
                f"<t:EndTime>{utc_text(oof.end)}</t:EndTime></t:Duration>"
            )
        return (
            '<m:GetUserOofSettingsResponse><m:ResponseMessage ResponseClass="Success">'
            "<m:ResponseCode>NoError</m:ResponseCode></m:ResponseMessage>"
            f"<t:OofSettings><t:OofState>{oof.state}</t:OofState>"
            f"<t:ExternalAudience>All</t:ExternalAudience>{duration}"
            f"<t:InternalReply><t:Message>{escape(oof.internal_reply)}</t:Message></t:InternalReply>"
            f"<t:ExternalReply><t:Message>{escape(oof.external_reply)}</t:Message></t:ExternalReply>"
            "</t:OofSettings><m:AllowExternalOof>All</m:AllowExternalOof>"
            "</m:GetUserOofSettingsResponse>"
        )

    def get_mail_tips(self, request: ET.Element, _acting_as: str | None) -> str:
        if (request.text or "").strip():
            # exchangelib 5.6 writes MailTipsRequested as bare text; Exchange's schema has no
            # text content in GetMailTips, so such a request asks for no tip at all.
            raise OffSpecError("GetMailTips has text content; MailTipsRequested must be an element")
        children = [child.tag.split("}")[-1] for child in request]
        if children != ["SendingAs", "Recipients", "MailTipsRequested"]:
            raise OffSpecError(
                f"GetMailTips needs SendingAs, Recipients, MailTipsRequested in order, got {children}"
            )
        sender = text_of(request, "m:SendingAs/t:EmailAddress")
        recipients = [
            text_of(mailbox, "t:EmailAddress")
            for mailbox in request.findall("m:Recipients/t:Mailbox", NS)
        ]
        if not recipients:
            raise OffSpecError("Recipients is empty")
        if len(recipients) > MAX_MAILBOXES:
            raise OffSpecError(
                f"{len(recipients)} recipients in one GetMailTips; EWS allows {MAX_MAILBOXES}"
            )
        requested = set(text_of(request, "m:MailTipsRequested").split())
        if not requested or not requested <= MAIL_TIP_TYPES:
            raise OffSpecError(f"MailTipsRequested {sorted(requested)} is not a MailTipTypes list")
        out_of_office = bool(requested & {"All", "OutOfOfficeMessage"})
        now = datetime.now(UTC)
        messages = "".join(
            self._mail_tips(email, sender, out_of_office, now) for email in recipients
        )
        return (
            '<m:GetMailTipsResponse ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>'
            f"<m:ResponseMessages>{messages}</m:ResponseMessages></m:GetMailTipsResponse>"
        )

    def _mail_tips(self, email: str, sender: str, out_of_office: bool, now: datetime) -> str:
        code = self.k.fouten.mailtip_fouten.get(email.lower())
        box = self.k.get(email)
        if box is None and code is None:
            code = "ErrorMailRecipientNotFound"
        if code is not None:
            return error_message(
                "MailTipsResponseMessageType", code, "The mail tips of this recipient failed."
            )
        assert box is not None
        address = (
            f"<t:RecipientAddress><t:Name/><t:EmailAddress>{escape(email)}</t:EmailAddress>"
            "<t:RoutingType>SMTP</t:RoutingType></t:RecipientAddress>"
        )
        tips = ""
        if out_of_office and email.lower() in self.k.fouten.mailtips_pending:
            tips = "<t:PendingMailTips>OutOfOfficeMessage</t:PendingMailTips>"
        elif out_of_office:
            tips = _out_of_office(box, sender, now)
        return (
            '<m:MailTipsResponseMessageType ResponseClass="Success">'
            f"<m:ResponseCode>NoError</m:ResponseCode><m:MailTips>{address}{tips}</m:MailTips>"
            "</m:MailTipsResponseMessageType>"
        )


def _out_of_office(box: Mailbox, sender: str, now: datetime) -> str:
    oof = box.afwezigheid
    scheduled = oof.state == "Scheduled" and oof.start is not None and oof.end is not None
    on = oof.state == "Enabled" or (scheduled and oof.end is not None and oof.end > now)
    message = ""
    if on:
        internal = _domain(sender) == _domain(box.email)
        message = oof.internal_reply if internal else oof.external_reply
    duration = ""
    if on and scheduled and oof.start is not None and oof.end is not None:
        duration = (
            f"<t:Duration><t:StartTime>{utc_text(oof.start)}</t:StartTime>"
            f"<t:EndTime>{utc_text(oof.end)}</t:EndTime></t:Duration>"
        )
    return (
        f"<t:OutOfOffice><t:ReplyBody><t:Message>{escape(message)}</t:Message></t:ReplyBody>"
        f"{duration}</t:OutOfOffice>"
    )


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower()
