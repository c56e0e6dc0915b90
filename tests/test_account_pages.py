"""Accounts in the site's own voice: allauth's pages and e-mails in the site's layout and wording,
the reason to log in before proposing, and an administrator who can log in at once."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.urls import reverse

from .browser import PASSWORD

pytestmark = pytest.mark.django_db

ALLAUTH_WORDING = re.compile(r"Sign In|Sign Up|Signup|Sign Out|Login \(required\)|Remember Me")


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/accounts/login/", "Log in"),
        ("/accounts/signup/", "Sign up"),
        ("/accounts/password/reset/", "Reset your password"),
        ("/accounts/password/reset/done/", "Check your e-mail"),
        ("/accounts/confirm-email/", "Confirm your e-mail address"),
    ],
)
def test_account_pages_for_readers_speak_the_sites_language(client, path, heading):
    html = client.get(path).content.decode()

    assert f"<h1>{heading}</h1>" in html
    assert '<form class="site-search"' in html, "the site's own layout"
    assert not ALLAUTH_WORDING.search(html)


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/accounts/email/", "E-mail addresses"),
        ("/accounts/password/change/", "Change your password"),
        ("/accounts/logout/", "Log out"),
    ],
)
def test_account_pages_for_members_speak_the_sites_language(login, member, path, heading):
    html = login(member).get(path).content.decode()

    assert f"<h1>{heading}</h1>" in html
    assert not ALLAUTH_WORDING.search(html)


def test_log_in_form_labels_its_fields_in_the_sites_words(client):
    html = client.get("/accounts/login/").content.decode()

    assert "Username or e-mail address <span" in html
    assert "Keep me logged in on this device" in html
    assert '<button type="submit" class="button">Log in</button>' in html


@pytest.mark.parametrize(
    "path",
    ["/accounts/password/reset/", "/accounts/password/reset/done/", "/accounts/confirm-email/"],
)
def test_please_contact_us_links_the_contact_page(client, path):
    html = client.get(path).content.decode()

    assert '<a href="/contact/">contact us</a>' in html


def test_remove_is_not_the_primary_button_on_the_e_mail_page(login, member):
    html = login(member).get("/accounts/email/").content.decode()

    assert 'name="action_remove" class="button button--quiet">Remove</button>' in html
    assert 'name="action_primary" class="button button--secondary">Make primary</button>' in html


def test_proposing_while_signed_out_says_why_on_the_log_in_page(client, themes):
    response = client.get("/sources/propose/?theme=" + themes[0].slug, follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")
    assert "<strong>Log in to propose a source.</strong>" in html
    assert "the moderators can tell you what they decide" in html


def test_log_in_page_without_a_proposal_in_view_does_not_explain_proposing(client):
    html = client.get("/accounts/login/").content.decode()

    assert "Log in to propose a source." not in html


def test_sign_up_e_mail_greets_from_the_sites_name_and_address(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://library.example.org"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/signup/",
            {
                "username": "newcomer",
                "email": "newcomer@example.org",
                "password1": "a-long-new-password",
                "password2": "a-long-new-password",
            },
        )

    (message,) = mailoutbox
    assert message.subject == "[Q Library] Please confirm your e-mail address"
    assert message.body.startswith("Hello from Q Library,")
    assert "https://library.example.org/accounts/confirm-email/" in message.body
    assert message.body.rstrip().endswith("Q Library\nhttps://library.example.org/")
    assert "testserver" not in message.body


def test_password_reset_e_mail_links_the_public_site(
    client, member, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://library.example.org"

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": member.email})

    (message,) = mailoutbox
    assert message.subject == "[Q Library] Reset your password"
    assert "https://library.example.org/accounts/password/reset/key/" in message.body
    assert "testserver" not in message.body


def test_createsuperuser_gives_an_account_that_can_log_in_at_once(client, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", username="admin", email="admin@example.org", interactive=False)

    address = EmailAddress.objects.get(email="admin@example.org")
    assert (address.verified, address.primary) == (True, True)
    response = client.post(reverse("account_login"), {"login": "admin", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
