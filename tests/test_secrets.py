"""Secret references: ${ENV} and files resolve at use; literals never validate."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from hub.secrets import Secret, SecretResolutionError


class Model(BaseModel):
    secret: Secret


def test_env_reference_resolves_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KCC_TEST_SECRET", "waarde")
    assert Model(secret="${KCC_TEST_SECRET}").secret.resolve() == "waarde"  # type: ignore[arg-type]


def test_file_reference_resolves_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "geheim"
    path.write_text("uit-bestand\n")
    assert Model(secret=f"file:{path}").secret.resolve() == "uit-bestand"  # type: ignore[arg-type]


def test_literal_secret_does_not_validate() -> None:
    with pytest.raises(ValidationError, match="literal secret"):
        Model(secret="plain-password")  # type: ignore[arg-type]


def test_unset_variable_fails_at_use_with_the_variable_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KCC_TEST_UNSET", raising=False)
    ref = Model(secret="${KCC_TEST_UNSET}").secret  # type: ignore[arg-type]
    with pytest.raises(SecretResolutionError, match="KCC_TEST_UNSET"):
        ref.resolve()


def test_serialising_settings_keeps_the_reference_not_the_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KCC_TEST_SECRET", "waarde")
    dumped = Model(secret="${KCC_TEST_SECRET}").model_dump_json()  # type: ignore[arg-type]
    assert "waarde" not in dumped and "KCC_TEST_SECRET" in dumped
