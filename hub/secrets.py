"""Secret references: settings never hold a secret literally.

A secret setting is written as ``${ENV_VAR}`` (read from the environment) or as
a path to a file (``file:/run/secrets/x`` or an absolute path), whose content is
the secret. A literal value is rejected at config validation so that secrets
never end up in ``config/`` under version control.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

_ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


class SecretResolutionError(Exception):
    """A reference points at nothing: the variable is unset or the file is missing."""


class SecretRef:
    """A reference to a secret. ``resolve()`` reads it at the moment of use."""

    __slots__ = ("reference",)

    def __init__(self, reference: str) -> None:
        self.reference = reference

    @staticmethod
    def check(value: str) -> str:
        """Return the value when it is a reference, raise ValueError for a literal."""
        if _ENV_REF.match(value):
            return value
        if value.startswith("file:") and len(value) > 5:
            return value
        if value.startswith("/"):
            return value
        raise ValueError(
            "a literal secret is not allowed here: write ${ENV_VAR} or a file path "
            "(file:/path or /absolute/path)"
        )

    def resolve(self) -> str:
        env = _ENV_REF.match(self.reference)
        if env:
            value = os.environ.get(env.group(1))
            if value is None:
                raise SecretResolutionError(f"environment variable {env.group(1)} is not set")
            return value
        path = Path(self.reference.removeprefix("file:"))
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SecretResolutionError(f"secret file {path} cannot be read") from exc

    def __repr__(self) -> str:
        return f"SecretRef({self.reference!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretRef) and other.reference == self.reference

    def __hash__(self) -> int:
        return hash(self.reference)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, _source: Any, _handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def validate(value: Any) -> SecretRef:
            if isinstance(value, SecretRef):
                return value
            if not isinstance(value, str):
                raise ValueError("a secret reference must be a string")
            return SecretRef(SecretRef.check(value))

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda v: v.reference),
            json_schema_input_schema=core_schema.str_schema(),
        )


Secret = Annotated[SecretRef, "secret reference"]
