"""Settings read from the environment: typed, with safe defaults, and refusing nonsense loudly."""

import ipaddress
import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from qlibrary.outbound import is_public

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "qlibrary" / "settings.py"


@pytest.fixture
def settings_from(monkeypatch):
    """The settings module's values as the given environment variables make them."""

    def read(**variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_FILE))

    return read


def test_outbound_allowed_networks_default_to_none(settings_from, monkeypatch):
    monkeypatch.delenv("OUTBOUND_ALLOWED_NETWORKS", raising=False)

    assert settings_from()["OUTBOUND_ALLOWED_NETWORKS"] == []


def test_outbound_allowed_networks_come_from_the_environment(settings_from):
    values = settings_from(OUTBOUND_ALLOWED_NETWORKS=" 10.0.5.0/24, fd00:5::/64,192.0.2.7 ,")

    assert values["OUTBOUND_ALLOWED_NETWORKS"] == ["10.0.5.0/24", "fd00:5::/64", "192.0.2.7/32"]


@pytest.mark.parametrize("value", ["10.0.5.0/33", "mirror.internal", "10.0.5.1/24", "10.0.5.0/24;"])
def test_outbound_allowed_networks_refuse_what_is_not_a_network(settings_from, value):
    with pytest.raises(ImproperlyConfigured) as refused:
        settings_from(OUTBOUND_ALLOWED_NETWORKS=f"192.0.2.0/24,{value}")

    message = str(refused.value)
    assert message.startswith("OUTBOUND_ALLOWED_NETWORKS must be networks in CIDR notation")
    assert repr(value) in message


def test_a_private_mirror_allowed_by_the_environment_is_reached(settings_from, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = settings_from(OUTBOUND_ALLOWED_NETWORKS="10.0.5.0/24")[
        "OUTBOUND_ALLOWED_NETWORKS"
    ]

    assert is_public(ipaddress.ip_address("10.0.5.9"))
    assert not is_public(ipaddress.ip_address("10.0.6.9"))


def test_mail_server_connections_time_out_by_default(settings_from, monkeypatch):
    monkeypatch.delenv("EMAIL_TIMEOUT", raising=False)

    assert settings_from()["EMAIL_TIMEOUT"] == 20
    assert settings_from(EMAIL_TIMEOUT="7")["EMAIL_TIMEOUT"] == 7


@pytest.mark.parametrize("value", ["0", "-5", "soon"])
def test_a_mail_timeout_that_is_no_timeout_is_refused(settings_from, value):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_TIMEOUT must be"):
        settings_from(EMAIL_TIMEOUT=value)
