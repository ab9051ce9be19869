"""Settings of the Fixi plugin. Fixi publishes no API documentation, so the wire format
(paths, auth, field names, status words) is configuration a gemeente can match to its contract."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.plugin_sdk import Secret, UpstreamUrl, drop_retired


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FixiPaden(_Strict):
    """Endpoint paths relative to ``base_url``; ``{publicID}`` is filled in."""

    token: str = "/api/auth/getGrantTokens"  # noqa: S105 - a path, not a password
    categories: str = "/api/categories"
    create_issue: str = "/api/issues"
    find_issues: str = "/api/issues"
    issue: str = "/api/issues/lite/{publicID}"


class FixiVelden(_Strict):
    """JSON field names on the wire, by meaning."""

    public_id: str = "publicID"
    status: str = "status"
    category_id: str = "categoryId"
    category_name: str = "categoryName"
    description: str = "description"
    address: str = "address"
    location: str = "location"
    latitude: str = "latitude"
    longitude: str = "longitude"
    created: str = "created"
    closed: str = "closed"
    reporter: str = "reporter"
    reporter_name: str = "name"
    reporter_email: str = "email"
    reporter_phone: str = "phone"
    # Fixi has no documented idempotency: the hub's key goes into this reference field and is
    # searched for before every (re)try of a creation.
    external_reference: str = "externalReference"
    category_list_id: str = "id"
    category_list_name: str = "name"


class FixiSettings(_Strict):
    """``[plugins.fixi]`` of a gemeente."""

    # https, or http on loopback only (test doubles, the demo).
    base_url: UpstreamUrl
    auth: Literal["grant_tokens", "api_key"] = "grant_tokens"
    client_id: str | None = Field(default=None, description="For grant_tokens.")
    client_secret: Secret | None = Field(default=None, description="For grant_tokens.")
    api_key: Secret | None = Field(default=None, description="For api_key.")
    api_key_header: str = "X-Api-Key"
    paden: FixiPaden = Field(default_factory=FixiPaden)
    velden: FixiVelden = Field(default_factory=FixiVelden)
    # Hub categorie -> Fixi category name or id. Unmapped categories are matched by name.
    categorieen: dict[str, str] = Field(default_factory=dict)
    # Fixi status word -> status shown to agents. Unmapped words are shown as Fixi writes them.
    statussen: dict[str, str] = Field(default_factory=dict)
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    categories_ttl_seconds: float = Field(default=3600.0, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _retired(cls, data: Any) -> Any:
        # max_attempts and retry_wait_seconds went with the plugin's retry loop: ignored.
        return drop_retired(data, "fixi")

    @model_validator(mode="after")
    def _credentials_for_auth(self) -> FixiSettings:
        if self.auth == "grant_tokens" and (self.client_id is None or self.client_secret is None):
            raise ValueError("auth = grant_tokens needs client_id and client_secret")
        if self.auth == "api_key" and self.api_key is None:
            raise ValueError("auth = api_key needs api_key")
        return self
