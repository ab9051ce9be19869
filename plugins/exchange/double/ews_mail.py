"""Sent mail in the EWS double: GetFolder (distinguished folders), FindItem and CreateItem.

Just what the plugin's idempotent notification mail needs: find an earlier send in Sent Items
by the ``KccNotificatieId`` extended property, and send with ``SendAndSaveCopy``.
"""

from __future__ import annotations

import itertools
from html import escape
from xml.etree import ElementTree as ET

from plugins.exchange.double.ews_soap import NS, OffSpecError, text_of
from plugins.exchange.double.kalenders import Kalenders, VerzondenMail


class MailOperations:
    """Mixed into the EWS handler: the operations on the sending mailbox's folders."""

    k: Kalenders
    _ids: itertools.count[int]

    def get_folder(self, request: ET.Element, acting_as: str | None) -> str:
        messages = []
        for folder in request.findall("m:FolderIds/t:DistinguishedFolderId", NS):
            name = folder.get("Id", "")
            messages.append(
                '<m:GetFolderResponseMessage ResponseClass="Success">'
                "<m:ResponseCode>NoError</m:ResponseCode><m:Folders><t:Folder>"
                f'<t:FolderId Id="{name}-{acting_as or "self"}" ChangeKey="AQAAAA=="/>'
                f"<t:FolderClass>IPF.Note</t:FolderClass><t:DisplayName>{name}</t:DisplayName>"
                "<t:TotalCount>0</t:TotalCount><t:ChildFolderCount>0</t:ChildFolderCount>"
                "<t:UnreadCount>0</t:UnreadCount></t:Folder></m:Folders>"
                "</m:GetFolderResponseMessage>"
            )
        if not messages:
            raise OffSpecError(
                "GetFolder without DistinguishedFolderId is not supported by this double"
            )
        return (
            "<m:GetFolderResponse><m:ResponseMessages>"
            + "".join(messages)
            + "</m:ResponseMessages></m:GetFolderResponse>"
        )

    def find_item(self, request: ET.Element, acting_as: str | None) -> str:
        equal = request.find("m:Restriction/t:IsEqualTo", NS)
        if equal is None:
            raise OffSpecError("FindItem needs an IsEqualTo restriction in this double")
        uri = equal.find("t:ExtendedFieldURI", NS)
        constant = equal.find("t:FieldURIOrConstant/t:Constant", NS)
        if uri is None or constant is None:
            raise OffSpecError(
                "FindItem restriction must compare an ExtendedFieldURI with a Constant"
            )
        found = self.k.sent_with(acting_as or "", constant.get("Value", ""))
        items = ""
        if found is not None:
            items = (
                f'<t:Message><t:ItemId Id="{found.id}" ChangeKey="CQAAAA=="/>'
                f"<t:Subject>{escape(found.subject)}</t:Subject></t:Message>"
            )
        count = 1 if found else 0
        return (
            "<m:FindItemResponse><m:ResponseMessages>"
            '<m:FindItemResponseMessage ResponseClass="Success">'
            "<m:ResponseCode>NoError</m:ResponseCode>"
            f'<m:RootFolder IndexedPagingOffset="{count}" TotalItemsInView="{count}" '
            f'IncludesLastItemInRange="true"><t:Items>{items}</t:Items></m:RootFolder>'
            "</m:FindItemResponseMessage></m:ResponseMessages></m:FindItemResponse>"
        )

    def create_item(self, request: ET.Element, acting_as: str | None) -> str:
        if request.get("MessageDisposition") != "SendAndSaveCopy":
            raise OffSpecError("this double only sends with MessageDisposition=SendAndSaveCopy")
        message = request.find("m:Items/t:Message", NS)
        if message is None:
            raise OffSpecError("CreateItem needs one t:Message")
        notification_id = None
        for prop in message.findall("t:ExtendedProperty", NS):
            uri = prop.find("t:ExtendedFieldURI", NS)
            if uri is not None and uri.get("PropertyName") == "KccNotificatieId":
                notification_id = text_of(prop, "t:Value")
        to = tuple(
            (a.text or "") for a in message.findall("t:ToRecipients/t:Mailbox/t:EmailAddress", NS)
        )
        if not to:
            raise OffSpecError("a message needs ToRecipients")
        mail = VerzondenMail(
            id=f"AAMk{next(self._ids):08d}",
            sender=acting_as or "",
            to=to,
            subject=text_of(message, "t:Subject"),
            body=text_of(message, "t:Body"),
            notification_id=notification_id,
        )
        self.k.send(mail)
        return (
            "<m:CreateItemResponse><m:ResponseMessages>"
            '<m:CreateItemResponseMessage ResponseClass="Success">'
            "<m:ResponseCode>NoError</m:ResponseCode><m:Items/></m:CreateItemResponseMessage>"
            "</m:ResponseMessages></m:CreateItemResponse>"
        )
