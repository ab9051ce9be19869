"""JWT-ZGW: the bearer token every ZGW API expects, signed HS256 with the client's secret."""

from __future__ import annotations

import time

import jwt

from hub.plugin_sdk import SYSTEM_CALLER, Caller


def zgw_token(
    client_id: str, secret: str, caller: Caller | None, *, now: float | None = None
) -> str:
    """A short-lived token naming the hub as client and the medewerker as user.

    ``user_id``/``user_representation`` let the zaaksysteem's audit trail show
    which medewerker looked, as the ZGW authorisation model asks.
    """
    who = caller or SYSTEM_CALLER
    issued = int(now if now is not None else time.time())
    claims = {
        "iss": client_id,
        "iat": issued,
        "client_id": client_id,
        "user_id": who.subject,
        "user_representation": who.display_name,
    }
    return jwt.encode(claims, secret, algorithm="HS256")
