"""The logboek's keys: keyed hash, encryption of the BSN, signatures; all from secret references."""

from __future__ import annotations

import base64

import pytest

from hub.privacy.keys import LogboekSleutels, SleutelFout
from hub.secrets import SecretRef, SecretResolutionError
from tests.privacy.persons import BSN


def _sleutels(gemeente: str = "9999") -> LogboekSleutels:
    return LogboekSleutels(
        gemeente,
        SecretRef("${KCC_LOGBOEK_HMAC_SLEUTEL}"),
        SecretRef("${KCC_LOGBOEK_ENCRYPTIE_SLEUTEL}"),
    )


def test_the_betrokkene_hash_is_stable_keyed_and_per_gemeente(keys_env: None) -> None:
    h = _sleutels().betrokkene_hash(BSN)
    assert h == _sleutels().betrokkene_hash(BSN)
    assert len(h) == 64 and BSN not in h
    assert h != _sleutels("0363").betrokkene_hash(BSN)


def test_the_bsn_is_encrypted_and_decrypts_only_for_its_gemeente(keys_env: None) -> None:
    sealed = _sleutels().versleutelaar().versleutel(BSN)
    assert BSN not in sealed
    assert _sleutels().versleutelaar().ontsleutel(sealed) == BSN
    with pytest.raises(Exception):  # noqa: B017 - InvalidTag from cryptography
        _sleutels("0363").versleutelaar().ontsleutel(sealed)


def test_a_missing_secret_is_an_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KCC_LOGBOEK_HMAC_SLEUTEL", raising=False)
    with pytest.raises(SecretResolutionError, match="KCC_LOGBOEK_HMAC_SLEUTEL"):
        _sleutels().check()


def test_a_short_key_is_refused_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, keys_env: None
) -> None:
    monkeypatch.setenv("KCC_LOGBOEK_HMAC_SLEUTEL", base64.b64encode(b"kort").decode())
    with pytest.raises(SleutelFout) as err:
        _sleutels().check()
    assert "a29ydA" not in str(err.value) and "privacy.hmac_sleutel" in str(err.value)
