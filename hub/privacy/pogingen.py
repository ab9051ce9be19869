"""Refused attempts on person data, written to the logboek before the refusal is answered.

A request can be refused before the pipeline runs: the named user is unknown to the
directory, their account is switched off, no group gives them a role. Such an attempt
is still an attempt on the persons it names, so it is recorded like a refused lookup:
the BSNs it carried (as keyed hash and ciphertext), a doel it named that the gemeente
knows, the user as named, and status ``geen_toegang``. Built only from the pipeline's
public helpers, so the record has exactly the shape of every other logboek record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.bsn import is_valid_bsn
from hub.caller import Caller
from hub.errors import KccError
from hub.privacy.pipeline import ACTIVITEIT, new_logboek_invoer, record_failure, write_logboek
from hub.privacy.settings import GemeenteLike, privacy_for
from hub.store.db import Store

# As many BSNs as one Haal Centraal request may carry; more are not a lookup but noise.
_MAX_BSNS = 20


def log_weigering(
    store: Store,
    gemeente_config: GemeenteLike,
    caller: Caller,
    trace_id: str,
    body: Any,
    weigering: KccError,
    *,
    traceparent: str | None = None,
) -> None:
    """Commit a logboek record of a refused person query; raises 503 when that fails."""
    privacy = privacy_for(gemeente_config)
    invoer = new_logboek_invoer(privacy, caller, trace_id, ACTIVITEIT, traceparent=traceparent)
    if isinstance(body, Mapping):
        bsns = body.get("burgerservicenummer")
        if isinstance(bsns, list):
            invoer.betrokkenen.extend(
                b for b in bsns[:_MAX_BSNS] if isinstance(b, str) and is_valid_bsn(b)
            )
        code = body.get("doel")
        doel = privacy.doelen.by_code.get(code) if isinstance(code, str) else None
        if doel is not None:
            invoer.doel = doel.code
            invoer.processing_activity_id = doel.verwerkingsactiviteit
    record_failure(invoer, weigering)
    write_logboek(store, None, privacy, invoer)
