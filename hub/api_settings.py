"""``[api]`` in ``config/hub.toml``: limits at the edge and access to ``/metrics``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from hub.secrets import Secret

DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024


class ApiSettings(BaseModel):
    """Deployment-wide API settings."""

    model_config = ConfigDict(extra="forbid")

    max_request_bytes: int = Field(
        default=DEFAULT_MAX_REQUEST_BYTES,
        ge=1024,
        le=64 * 1024 * 1024,
        description="Largest request body accepted; larger bodies get 413.",
    )
    metrics_token: Secret | None = Field(
        default=None,
        description="Bearer token Prometheus sends to /metrics. Without it /metrics answers "
        "only on loopback (127.0.0.1, ::1).",
    )
