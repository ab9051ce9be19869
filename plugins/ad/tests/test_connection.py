"""Connecting to the DC: LDAPS and StartTLS with certificate checks, credentials, health."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.errors import ConfigurationError, UpstreamRejected, UpstreamUnavailable
from hub.plugin_api import HealthState, HookContext
from plugins.ad import plugin
from plugins.ad.client import AdClient
from plugins.ad.config import AdSettings
from plugins.ad.double.samba import DC_DNS_NAME, SambaDC, make_tls_files, samba_dc
from plugins.ad.tests.conftest import Directory

pytestmark = pytest.mark.samba


@pytest.mark.parametrize("tls", ["ldaps", "starttls", "none"])
def test_binds_and_reads_the_root_dse_over_each_transport(directory: Directory, tls: str) -> None:
    with AdClient(directory.settings(tls=tls)).connect() as conn:
        info = conn.dc_info()
    assert info.default_naming_context == "DC=gemeente,DC=test"
    assert info.highest_committed_usn > 0
    assert len(info.invocation_id) == 36


def test_ldaps_connects_by_dns_name_when_the_certificate_names_it(directory: Directory) -> None:
    # Only the IP is reachable by that name here; the certificate check uses the SAN list.
    with AdClient(directory.settings(tls="ldaps")).connect() as conn:
        assert conn.server == directory.dc.host


@pytest.mark.parametrize("tls", ["ldaps", "starttls"])
def test_a_certificate_from_an_unknown_ca_is_refused(
    directory: Directory, tls: str, tmp_path: Path
) -> None:
    stranger = make_tls_files(tmp_path, directory.dc.host, "elders.test")
    settings = directory.settings(tls=tls, ca_file=str(stranger.ca_file))
    with pytest.raises(UpstreamRejected) as info, AdClient(settings).connect():
        pass
    assert "certificaat" in info.value.detail


def test_the_system_trust_store_does_not_trust_a_private_ca(directory: Directory) -> None:
    with pytest.raises(UpstreamRejected), AdClient(directory.settings(ca_file=None)).connect():
        pass


def test_certificate_checks_can_be_switched_off_explicitly(directory: Directory) -> None:
    settings = directory.settings(ca_file=None, verify_certificates=False)
    with AdClient(settings).connect() as conn:
        assert conn.dc_info().highest_committed_usn > 0


def test_a_wrong_password_is_rejected_without_echoing_it(
    directory: Directory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KCC_TEST_AD_WRONG", "Verkeerd-wachtwoord-123")
    settings = directory.settings(bind_password="${KCC_TEST_AD_WRONG}")
    with pytest.raises(UpstreamRejected) as info, AdClient(settings).connect():
        pass
    assert "Verkeerd" not in str(info.value)


def test_an_unset_password_reference_is_a_configuration_error(directory: Directory) -> None:
    settings = directory.settings(bind_password="${KCC_TEST_AD_NOT_SET_ANYWHERE}")
    with pytest.raises(ConfigurationError) as info, AdClient(settings).connect():
        pass
    assert "KCC_TEST_AD_NOT_SET_ANYWHERE" in info.value.detail


def test_a_missing_ca_file_is_a_configuration_error_not_an_outage(
    directory: Directory, tmp_path: Path
) -> None:
    settings = directory.settings(ca_file=str(tmp_path / "bestaat-niet.pem"))
    with pytest.raises(ConfigurationError) as info, AdClient(settings).connect():
        pass
    assert "ca_file" in info.value.detail


@pytest.fixture(scope="module")
def dc_named_by_host_only() -> Iterator[SambaDC]:
    """A second DC whose certificate names only dc1.gemeente.test, reached by its IP."""
    with samba_dc(ip_in_certificate=False) as dc:
        yield dc


def _by_ip(directory: Directory, dc: SambaDC, **overrides: object) -> AdSettings:
    return directory.settings(
        servers=[dc.host],
        ca_file=str(dc.tls.ca_file),
        bind_password="${KCC_TEST_AD_SECOND_DC}",
        **overrides,
    )


@pytest.mark.parametrize("tls", ["ldaps", "starttls"])
def test_a_dc_reached_by_ip_is_verified_against_the_configured_server_name(
    directory: Directory,
    dc_named_by_host_only: SambaDC,
    monkeypatch: pytest.MonkeyPatch,
    tls: str,
) -> None:
    monkeypatch.setenv("KCC_TEST_AD_SECOND_DC", dc_named_by_host_only.admin_password)
    by_ip = _by_ip(directory, dc_named_by_host_only, tls=tls)
    with pytest.raises(UpstreamRejected) as refused, AdClient(by_ip).connect():
        pass
    assert "certificaat" in refused.value.detail
    named = _by_ip(directory, dc_named_by_host_only, tls=tls, tls_server_name=DC_DNS_NAME)
    with AdClient(named).connect() as conn:
        assert conn.dc_info().highest_committed_usn > 0


def test_a_server_name_the_certificate_does_not_carry_is_refused(
    directory: Directory, dc_named_by_host_only: SambaDC, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KCC_TEST_AD_SECOND_DC", dc_named_by_host_only.admin_password)
    settings = _by_ip(directory, dc_named_by_host_only, tls_server_name="dc9.elders.test")
    with pytest.raises(UpstreamRejected), AdClient(settings).connect():
        pass


def test_a_literal_password_in_configuration_is_refused(directory: Directory) -> None:
    with pytest.raises(ValueError, match="literal secret"):
        directory.settings(bind_password="Geheim123!")


def test_healthcheck_reports_ok_with_latency(directory: Directory) -> None:
    health = plugin.kcc_healthcheck(HookContext(gemeente="9999", settings=directory.settings()))
    assert health.state is HealthState.OK
    assert health.latency_ms is not None


def test_healthcheck_reports_down_without_raising(directory: Directory) -> None:
    ctx = HookContext(gemeente="9999", settings=directory.settings(servers=["127.0.0.1:9"]))
    health = plugin.kcc_healthcheck(ctx)
    assert health.state is HealthState.DOWN
    assert health.detail


def test_a_server_that_never_answers_times_out_as_unavailable(directory: Directory) -> None:
    # 192.0.2.0/24 (TEST-NET-1) is never routed: the connect timeout has to end the attempt.
    settings = directory.settings(servers=["192.0.2.1"], connect_timeout_seconds=1)
    with pytest.raises(UpstreamUnavailable), AdClient(settings).connect():
        pass


def test_the_plugin_describes_its_capability_and_settings() -> None:
    info = plugin.kcc_plugin_info()
    assert info.name == "ad"
    assert "medewerkers" in info.sync_kinds
    assert info.settings_model.__name__ == "AdSettings"
