"""Typed errors that plugins raise and the core turns into problem+json responses.

Plugins never build HTTP responses themselves: they raise one of these and the
core maps it to a status code (see ``hub.api.problems``). Messages must never
contain person data (BSNs, names) or secrets; they reach clients and logs.
"""

from __future__ import annotations

import re

from hub.scrub import carries_bsn

_NAME_SEGMENT = re.compile(r"^(?:[A-Za-z][A-Za-z0-9_-]{0,63}|[0-9]{1,4}|\([a-z ]{1,40}\))$")
UNKNOWN_NAME = "(onbekend)"


def safe_name(name: str | None) -> str | None:
    """A field or parameter name that is safe to echo: each dotted segment is a plain
    identifier, a short list index or one of our own ``(…)`` placeholders; any other segment
    (a BSN used as a JSON key, an e-mail address, a control character) becomes ``(onbekend)``.
    One rule for every ``invalidParams[].name`` the hub answers."""
    if name is None:
        return None
    return ".".join(
        part if _NAME_SEGMENT.match(part) and not carries_bsn(part) else UNKNOWN_NAME
        for part in str(name).split(".")
    )


class KccError(Exception):
    """Base class for every error the core knows how to present."""

    status: int = 500
    title: str = "Interne fout"

    def __init__(self, detail: str, *, source: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.source = source


class UpstreamUnavailable(KccError):
    """The upstream could not be reached, answered 5xx or 429. Retried by the core.

    ``retry_after`` is the wait the upstream asked for (its ``Retry-After``, in seconds), if
    any: the core's retry policy waits at least that long (capped) before the next attempt.
    """

    status = 503
    title = "Bronsysteem niet beschikbaar"

    def __init__(
        self, detail: str, *, source: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(detail, source=source)
        self.retry_after = retry_after


class UpstreamTimeout(UpstreamUnavailable):
    """The upstream did not answer within the configured timeout."""

    status = 504
    title = "Bronsysteem reageert niet op tijd"


class CircuitOpen(UpstreamUnavailable):
    """The core stopped calling this plugin for this gemeente for a while (its circuit breaker
    is open after repeated failures). Raised by the core, never by a plugin; never retried
    at once: ``retry_after`` says when the breaker lets a probe through."""

    title = "Bronsysteem tijdelijk niet gevraagd"


class UpstreamRejected(KccError):
    """The upstream refused the request (bad credentials, validation). Never retried."""

    status = 502
    title = "Bronsysteem weigert het verzoek"


class UpstreamRefusedContent(UpstreamRejected):
    """The upstream refused this request's content for good (HTTP 400, 409, 413, 422): the
    same request can never succeed, so nobody retries it and an outbox marks it failed.
    Raise plain :class:`UpstreamRejected` for refusals an admin can fix (credentials)."""


class ConfigurationError(KccError):
    """The hub's own configuration for this gemeente is wrong: a secret reference that
    resolves to nothing, a certificate or WSDL file that cannot be read, a setting the
    upstream cannot work with. Never retried (retrying cannot fix it) and never reported
    as an unreachable upstream; sync runs that end in it are marked ``config_error``.
    ``kcc-hub config check`` finds these before the hub starts.
    """

    status = 503
    title = "Koppeling onjuist geconfigureerd"


class NotFound(KccError):
    """The requested object does not exist upstream or in the store."""

    status = 404
    title = "Niet gevonden"


class InvalidRequest(KccError):
    """The caller's input is wrong; ``field`` names the offending input."""

    status = 400
    title = "Ongeldig verzoek"

    def __init__(self, detail: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(detail)
        self.field = safe_name(field)
        self.code = code


class Forbidden(KccError):
    """The caller is authenticated but may not do this."""

    status = 403
    title = "Geen toegang"


class Unauthorized(KccError):
    """No valid credentials."""

    status = 401
    title = "Niet geauthenticeerd"


class CapabilityMissing(KccError):
    """No enabled plugin of the gemeente offers the capability asked for.

    A 404: for this gemeente the resource does not exist (it did not enable a
    source for it); nothing is wrong with the hub.
    """

    status = 404
    title = "Niet beschikbaar voor deze gemeente"


class ServiceUnavailable(KccError):
    """The hub itself cannot serve the request safely (store down, logboek unwritable)."""

    status = 503
    title = "Dienst tijdelijk niet beschikbaar"
