"""Test doubles for Exchange: an EWS SOAP server and a Microsoft Graph server on loopback."""

from plugins.exchange.double.kalenders import Kalenders, Mailbox, demo_kalenders
from plugins.exchange.double.server import RunningDouble, serve, start

__all__ = ["Kalenders", "Mailbox", "RunningDouble", "demo_kalenders", "serve", "start"]
