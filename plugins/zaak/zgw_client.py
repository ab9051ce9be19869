"""The ZGW wire format: Zaken API and Catalogi API over httpx, one zaaksysteem per client.

Privacy: BSNs travel in the request body by default (``POST /zaken/_zoek``); with
``search_method = "lijst"`` they go in the upstream's query string as ZGW defines,
so this module never logs URLs and never chains transport errors (whose text may
hold the URL) into the errors it raises. The token is only ever sent to the
configured Zaken and Catalogi bases, never to a URL an upstream answer names.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import httpx

from hub.plugin_sdk import (
    Caller,
    KccError,
    NotFound,
    UpstreamRejected,
    UpstreamUnavailable,
    Zaak,
    ZaakBetrokkene,
    ZaakMetBetrokkenen,
    http_transport,
)
from plugins.zaak.catalogi_cache import CatalogiCache
from plugins.zaak.config import ZgwBron
from plugins.zaak.zgw_jwt import zgw_token

BSN_FILTER = "rol__betrokkeneIdentificatie__natuurlijkPersoon__inpBsn"
KVK_FILTER = "rol__betrokkeneIdentificatie__nietNatuurlijkPersoon__innNnpId"
VESTIGING_FILTER = "rol__betrokkeneIdentificatie__vestiging__vestigingsNummer"
CRS = "EPSG:4326"


class ZaakVerbindingen:
    """What the core keeps per gemeente × settings (``kcc_build_client``): one connection pool
    and one Catalogi cache per zaaksysteem."""

    def __init__(self, bronnen: list[ZgwBron]) -> None:
        self._pools = {bron.naam: new_http_client(bron) for bron in bronnen}
        self._caches = {bron.naam: CatalogiCache() for bron in bronnen}

    def pool(self, bron: ZgwBron) -> httpx.Client:
        return self._pools[bron.naam]

    def cache(self, bron: ZgwBron) -> CatalogiCache:
        return self._caches[bron.naam]

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()


class ZgwClient:
    """Reads the zaken of one zaaksysteem with JWT-ZGW and readable statuses."""

    def __init__(
        self,
        bron: ZgwBron,
        *,
        gemeente: str,
        caller: Caller | None,
        cache: CatalogiCache | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        self.bron = bron
        self.gemeente = gemeente
        self.caller = caller
        # Without the core's cache (a hook called directly) the lookups are cached per call.
        self.cache = cache if cache is not None else CatalogiCache()
        self.zaken_url = str(bron.zaken_url).rstrip("/")
        self._allowed = (self.zaken_url, *(str(u).rstrip("/") for u in bron.catalogi_urls))
        # Lookups of readable names that failed: reported in the source's BronStatus.
        self.onvolledig = 0
        self.onvolledig_reden: str | None = None
        self._lookups_down = False
        self._lock = threading.Lock()
        self._owns_http = http is None
        self._http = http or new_http_client(bron)
        # Resolved at the moment of use, never at import or config load.
        self._secret = bron.secret.resolve()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> ZgwClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- public ----------------------------------------------------------------------------
    def zaken_van(
        self, *, bsn: str | None = None, kvk: str | None = None, vestiging: str | None = None
    ) -> list[Zaak]:
        """All zaken in which this person or organisation has a rol, every page followed."""
        if bsn:
            filters = {BSN_FILTER: bsn}
        elif kvk:
            filters = {KVK_FILTER: kvk}
        elif vestiging:
            filters = {VESTIGING_FILTER: vestiging}
        else:
            raise ValueError("bsn, kvk or vestiging is required")
        raw = self._all_pages(filters)
        return self._readable(raw)

    def zaak(self, identificatie: str) -> ZaakMetBetrokkenen | None:
        """One zaak by identificatie with its betrokkenen (rollen), or None when this
        zaaksysteem does not know it. The rollen are what the hub logs the read against."""
        # identificatie is no person data, so the plain list filter is fine here.
        raw = self._all_pages({"identificatie": identificatie}, force_list=True)
        if not raw:
            return None
        [zaak] = self._readable(raw[:1])
        url = raw[0].get("url")
        betrokkenen = self.rollen(self._checked(str(url))) if url else []
        return ZaakMetBetrokkenen(**zaak.model_dump(), betrokkenen=betrokkenen)

    def rollen(self, zaak_url: str) -> list[ZaakBetrokkene]:
        """The persons and organisations with a rol in the zaak (``GET /rollen?zaak=``), every
        page followed by number. Medewerkers and organisatorische eenheden are left out."""
        found: list[ZaakBetrokkene] = []
        page = 1
        for _ in range(self.bron.max_pages):
            params: dict[str, Any] = {"zaak": zaak_url}
            if page > 1:
                params["page"] = page
            body = self._get_json(f"{self.zaken_url}/rollen", params=params)
            for rol in body.get("results") or []:
                betrokkene = _betrokkene(rol)
                if betrokkene is not None:
                    found.append(betrokkene)
            if not body.get("next"):
                return found
            page += 1
        raise UpstreamUnavailable(
            f"Zaaksysteem {self.bron.naam} gaf meer dan {self.bron.max_pages} pagina's rollen",
            source=self.bron.naam,
        )

    def ping(self) -> float:
        """One light authenticated request; returns the latency in milliseconds."""
        started = time.perf_counter()
        self._get_json(f"{self.zaken_url}/zaken", params={"identificatie": "kcc-hub-healthcheck"})
        return (time.perf_counter() - started) * 1000

    # -- paging ----------------------------------------------------------------------------
    def _all_pages(
        self, filters: dict[str, str], *, force_list: bool = False
    ) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        use_zoek = self.bron.search_method == "zoek" and not force_list
        page = 1
        for _ in range(self.bron.max_pages):
            if use_zoek:
                body = self._post_json(
                    f"{self.zaken_url}/zaken/_zoek", params={"page": page}, json=filters
                )
            else:
                params: dict[str, Any] = dict(filters)
                if page > 1:
                    params["page"] = page
                body = self._get_json(f"{self.zaken_url}/zaken", params=params)
            results.extend(body.get("results") or [])
            if not body.get("next"):
                return results
            # Follow by page number, not the upstream's ``next`` URL: the token and the BSN must
            # only go where configuration says.
            page += 1
        raise UpstreamUnavailable(
            f"Zaaksysteem {self.bron.naam} gaf meer dan {self.bron.max_pages} pagina's",
            source=self.bron.naam,
        )

    # -- readable statuses -----------------------------------------------------------------
    def _readable(self, raw: list[dict[str, Any]]) -> list[Zaak]:
        if len(raw) <= 1 or self.bron.concurrency == 1:
            return [self._to_zaak(z) for z in raw]
        with ThreadPoolExecutor(max_workers=self.bron.concurrency) as pool:
            return list(pool.map(self._to_zaak, raw))

    def _to_zaak(self, raw: dict[str, Any]) -> Zaak:
        zaaktype = self._lookup(lambda: self._omschrijving(raw.get("zaaktype")))
        status = self._lookup(lambda: self._omschrijving_via(raw.get("status"), "statustype"))
        resultaat = self._lookup(
            lambda: self._omschrijving_via(raw.get("resultaat"), "resultaattype")
        )
        return Zaak(
            identificatie=str(raw.get("identificatie") or raw.get("uuid") or ""),
            bron=self.bron.naam,
            url=raw.get("url"),
            omschrijving=raw.get("omschrijving") or None,
            zaaktype=zaaktype,
            status=status,
            startdatum=_date(raw.get("startdatum")),
            einddatum_gepland=_date(raw.get("einddatumGepland")),
            uiterlijke_einddatum_afdoening=_date(raw.get("uiterlijkeEinddatumAfdoening")),
            einddatum=_date(raw.get("einddatum")),
            resultaat=resultaat,
        )

    def _lookup(self, fn: Callable[[], str | None]) -> str | None:
        """A readable name for one zaak; a failure leaves it empty instead of sinking the source.

        After the first unreachable lookup the rest are skipped, so a down Catalogi API costs
        one timeout per search, not one per zaak.
        """
        if self._lookups_down:
            self._incomplete(None)
            return None
        try:
            return fn()
        except UpstreamUnavailable as exc:
            self._lookups_down = True
            self._incomplete(exc)
        except KccError as exc:
            self._incomplete(exc)
        return None

    def _incomplete(self, exc: KccError | None) -> None:
        with self._lock:
            self.onvolledig += 1
            if exc is not None and self.onvolledig_reden is None:
                self.onvolledig_reden = exc.detail

    def _omschrijving(self, catalogus_url: str | None) -> str | None:
        found = self._catalogus(catalogus_url)
        value = found.get("omschrijving") if found else None
        return str(value) if value else None

    def _omschrijving_via(self, url: str | None, type_field: str) -> str | None:
        if not url:
            return None
        obj = self._get_json(self._checked(url))
        return self._omschrijving(obj.get(type_field))

    def _catalogus(self, url: str | None) -> dict[str, Any] | None:
        if not url:
            return None
        key = (self.gemeente, self.bron.naam, url)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        value = self._get_json(self._checked(url))
        self.cache.put(key, value, self.bron.catalog_ttl_seconds)
        return value

    def _checked(self, url: str) -> str:
        if not any(url == base or url.startswith(base + "/") for base in self._allowed):
            raise UpstreamRejected(
                f"Zaaksysteem {self.bron.naam} verwijst naar een niet-geconfigureerde API; "
                "voeg die toe aan catalogi_urls",
                source=self.bron.naam,
            )
        return url

    # -- HTTP ------------------------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        token = zgw_token(self.bron.client_id, self._secret, self.caller)
        return {"Authorization": f"Bearer {token}", "Accept-Crs": CRS, "Content-Crs": CRS}

    def _get_json(self, url: str, *, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._once("GET", url, params=params)

    def _post_json(
        self, url: str, *, params: dict[str, Any], json: dict[str, Any]
    ) -> dict[str, Any]:
        return self._once("POST", url, params=params, json=json)

    def _once(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        """One request; the core retries (transport errors, timeouts, 429 and 5xx raise
        ``UpstreamUnavailable``/``UpstreamTimeout`` from :func:`hub.http_transport.send`)."""
        response = http_transport.send(
            self._http,
            method,
            url,
            upstream=f"Zaaksysteem {self.bron.naam}",
            source=self.bron.naam,
            headers=self._headers(),
            **kwargs,
        )
        status = response.status_code
        if status in (401, 403):
            raise UpstreamRejected(
                f"Zaaksysteem {self.bron.naam} weigert de inloggegevens van de hub "
                f"(HTTP {status}); controleer client_id en secret van deze bron",
                source=self.bron.naam,
            )
        if status == 404:
            raise NotFound(
                f"Zaaksysteem {self.bron.naam} kent dit object niet", source=self.bron.naam
            )
        if status >= 400:
            # Only the problem's code: its detail may echo the request, which can hold a BSN.
            code = _problem_code(response)
            raise UpstreamRejected(
                f"Zaaksysteem {self.bron.naam} weigert het verzoek (HTTP {status}, code {code})",
                source=self.bron.naam,
            )
        try:
            body = response.json()
        except ValueError:
            raise UpstreamUnavailable(
                f"Zaaksysteem {self.bron.naam} gaf geen geldige JSON", source=self.bron.naam
            ) from None
        if not isinstance(body, dict):
            raise UpstreamUnavailable(
                f"Zaaksysteem {self.bron.naam} gaf een onverwacht antwoord", source=self.bron.naam
            )
        return body


_IDENTIFICATIE_VELD = {
    "natuurlijk_persoon": "inpBsn",
    "niet_natuurlijk_persoon": "innNnpId",
    "vestiging": "vestigingsNummer",
}


def _betrokkene(rol: Any) -> ZaakBetrokkene | None:
    if not isinstance(rol, dict):
        return None
    soort = rol.get("betrokkeneType")
    veld = _IDENTIFICATIE_VELD.get(str(soort))
    identificatie = rol.get("betrokkeneIdentificatie")
    if veld is None or not isinstance(identificatie, dict):
        return None
    nummer = identificatie.get(veld)
    if not isinstance(nummer, str) or not nummer:
        return None
    return ZaakBetrokkene(soort=str(soort), nummer=nummer, rol=rol.get("omschrijvingGeneriek"))


def new_http_client(bron: ZgwBron) -> httpx.Client:
    """A connection pool for one source; share it between calls of the same gemeente."""
    return http_transport.new_http_client(
        timeout_seconds=bron.timeout_seconds, max_connections=bron.concurrency * 2
    )


def _problem_code(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return "onbekend"
    code = body.get("code") if isinstance(body, dict) else None
    return str(code)[:60] if code else "onbekend"


def _date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
