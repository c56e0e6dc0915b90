"""Password guessing: the admin's log-in goes through the site's rate-limited one, every attempt
costs one password hash whatever the answer, and behind the proxy each client has its own
rate-limit bucket, read from the header the operator says to trust."""

import os
import subprocess
import sys
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.management import call_command
from django.urls import reverse

from .factories import MemberFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"  # tests/factories.py
WRONG = "not-the-password-at-all"


@pytest.fixture
def admin_user(db):
    return MemberFactory(username="boss", is_staff=True, is_superuser=True)


def signed_in_as(client):
    return client.session.get("_auth_user_id")


# The admin's log-in


def test_admin_login_page_sends_to_the_sites_login(client, admin_user):
    response = client.get(reverse("admin:login") + "?next=/admin/sources/source/")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=/admin/sources/source/"


def test_admin_login_takes_no_password(client, admin_user):
    response = client.post(reverse("admin:login"), {"username": "boss", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert signed_in_as(client) is None


def test_admin_login_never_sends_off_the_site(client, admin_user):
    response = client.get(reverse("admin:login") + "?next=https://evil.example/")

    assert response["Location"] == reverse("account_login") + "?next=/admin/"


def test_forty_wrong_passwords_then_the_right_one_are_refused(client, admin_user):
    for _ in range(40):
        client.post(reverse("admin:login"), {"username": "boss", "password": WRONG})
        client.post(reverse("account_login"), {"login": "boss", "password": WRONG})

    by_admin = client.post(reverse("admin:login"), {"username": "boss", "password": PASSWORD})
    by_site = client.post(reverse("account_login"), {"login": "boss", "password": PASSWORD})

    assert by_admin.status_code == 302
    assert by_site.status_code == 429
    assert signed_in_as(client) is None
    assert client.get(reverse("admin:index")).status_code == 302


def test_staff_signed_in_on_the_site_reach_the_admin(client, admin_user):
    client.post(reverse("account_login"), {"login": "boss", "password": PASSWORD})

    assert signed_in_as(client) == str(admin_user.pk)
    assert client.get(reverse("admin:index")).status_code == 200
    response = client.get(reverse("admin:login") + "?next=/admin/sources/source/")
    assert response["Location"] == "/admin/sources/source/"


def test_a_member_without_admin_rights_is_told_not_sent_round_in_circles(client, member):
    client.force_login(member)

    response = client.get(reverse("admin:index"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert "does not have access to the administration pages" in response.content.decode()


# One password hash per attempt


@pytest.fixture
def hashes():
    """Counts password hashes: MD5PasswordHasher (the tests' hasher) hashes once per encode,
    whether it is making a password or checking one."""
    with mock.patch.object(
        MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode
    ) as encode:
        yield encode


@pytest.mark.parametrize(
    ("login", "password"),
    [
        ("member", PASSWORD),
        ("member", WRONG),
        ("nobody-by-this-name", PASSWORD),
        ("member@example.org", PASSWORD),
        ("member@example.org", WRONG),
        ("nobody@example.org", WRONG),
    ],
)
def test_every_login_attempt_hashes_the_password_exactly_once(
    client, member, hashes, login, password
):
    response = client.post(reverse("account_login"), {"login": login, "password": password})

    assert response.status_code in (200, 302)
    assert hashes.call_count == 1


# The client's address behind the proxy


def fail_logins(client, address, times):
    """Log-in attempts from one client address, as the proxy reports it (each under another
    name, so that only the per-address limit can refuse them)."""
    responses = []
    for attempt in range(times):
        responses.append(
            client.post(
                reverse("account_login"),
                {"login": f"guess{attempt}", "password": WRONG},
                HTTP_X_FORWARDED_FOR=address,
            )
        )
    return responses


@pytest.fixture
def one_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    return settings


def test_behind_the_proxy_each_client_has_its_own_rate_limit(client, db, one_proxy):
    first = fail_logins(client, "198.51.100.7", 4)
    second = fail_logins(client, "203.0.113.9", 1)

    assert [response.status_code for response in first] == [200, 200, 200, 429]
    assert second[0].status_code == 200


def test_a_client_cannot_escape_its_limit_by_adding_to_the_forwarded_header(client, db, one_proxy):
    # The proxy appends the real address: the client only controls what comes before it.
    fail_logins(client, "198.51.100.7", 3)

    forged = fail_logins(client, "203.0.113.9, 198.51.100.7", 1)

    assert forged[0].status_code == 429


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, db, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    fail_logins(client, "198.51.100.7", 3)

    other = fail_logins(client, "203.0.113.9", 1)

    assert other[0].status_code == 429


def test_a_trusted_client_ip_header_names_the_client(client, db, settings):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    for attempt in range(3):
        client.post(
            reverse("account_login"),
            {"login": f"guess{attempt}", "password": WRONG},
            HTTP_X_REAL_IP="198.51.100.7",
        )

    same = client.post(
        reverse("account_login"), {"login": "x", "password": WRONG}, HTTP_X_REAL_IP="198.51.100.7"
    )
    other = client.post(
        reverse("account_login"), {"login": "y", "password": WRONG}, HTTP_X_REAL_IP="203.0.113.9"
    )

    assert (same.status_code, other.status_code) == (429, 200)


def settings_under(**variables):
    """qlibrary/settings.py read in a fresh process with these environment variables."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "qlibrary.settings", **variables}
    code = (
        "from django.conf import settings; "
        "print(settings.ALLAUTH_TRUSTED_PROXY_COUNT, settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER)"
    )
    return subprocess.run(  # noqa: S603 (this Python, fixed arguments)
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )


def test_the_operator_sets_the_proxy_count_and_header_from_the_environment():
    assert settings_under().stdout.split() == ["0", "None"]
    assert settings_under(TRUSTED_PROXY_COUNT="2").stdout.split() == ["2", "None"]
    configured = settings_under(TRUSTED_CLIENT_IP_HEADER="X-Real-IP")
    assert configured.stdout.split() == ["0", "X-Real-IP"]
    refused = settings_under(TRUSTED_PROXY_COUNT="-1")
    assert refused.returncode != 0
    assert "TRUSTED_PROXY_COUNT must be 0 or more" in refused.stderr


def test_a_superuser_from_createsuperuser_signs_in_through_the_site_and_reaches_the_admin(
    client, db, mailoutbox
):
    """createsuperuser's address counts as verified: the site's log-in (with its rate limits)
    signs them in at once and sends them on to the admin."""
    call_command(
        "createsuperuser", username="root", email="root@example.org", interactive=False, verbosity=0
    )
    root = get_user_model().objects.get(username="root")
    root.set_password(PASSWORD)
    root.save()

    response = client.post(
        reverse("account_login") + "?next=/admin/", {"login": "root", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert signed_in_as(client) == str(root.pk)
    assert client.get(reverse("admin:index")).status_code == 200
    assert mailoutbox == []


def test_the_api_rate_limit_reads_the_client_address_the_same_way(client, db, one_proxy):
    one_proxy.API_RATE = "2/m"

    def get(address):
        return client.get("/api/themes/", HTTP_X_FORWARDED_FOR=address).status_code

    first = [get("198.51.100.7") for _ in range(3)]
    forged = get("203.0.113.9, 198.51.100.7")
    second = get("203.0.113.9")

    assert first == [200, 200, 429]
    assert forged == 429
    assert second == 200


def test_api_requests_without_the_configured_header_share_one_limit(client, db, settings):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    settings.API_RATE = "2/m"

    codes = [client.get("/api/themes/", REMOTE_ADDR=f"10.0.0.{n}").status_code for n in (1, 2, 3)]

    assert codes == [200, 200, 429]
    assert client.get("/api/themes/", HTTP_X_REAL_IP="198.51.100.7").status_code == 200
