"""What a newcomer meets in the first hour on a fresh clone: making the first moderator, and
commands that print nothing they cannot judge."""

import io

import pytest
from django.core.management import CommandError, call_command

from sources.access import is_moderator

from .factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_make_moderator_gives_the_role_by_username_or_email(db):
    by_name = MemberFactory(username="ada", email="ada@example.org")
    by_email = MemberFactory(username="grace", email="Grace@Example.org")
    out = io.StringIO()

    call_command("make_moderator", "ada", stdout=out)
    call_command("make_moderator", "grace@example.org", stdout=out)

    assert is_moderator(type(by_name).objects.get(pk=by_name.pk))
    assert is_moderator(type(by_email).objects.get(pk=by_email.pk))
    assert "ada is now a moderator." in out.getvalue()
    assert "grace is now a moderator." in out.getvalue()


def test_make_moderator_twice_says_so_and_remove_takes_the_role_away(db):
    member = MemberFactory(username="ada")
    call_command("make_moderator", "ada", stdout=io.StringIO())
    again = io.StringIO()

    call_command("make_moderator", "ada", stdout=again)
    assert "already a moderator" in again.getvalue()
    call_command("make_moderator", "ada", "--remove", stdout=io.StringIO())

    assert not is_moderator(type(member).objects.get(pk=member.pk))


def test_make_moderator_warns_when_the_address_is_not_verified(db):
    UserFactory(username="new")
    out = io.StringIO()

    call_command("make_moderator", "new", stdout=out)

    assert "not verified yet" in out.getvalue()


def test_make_moderator_names_an_unknown_account_clearly(db):
    MemberFactory(username="ada")

    with pytest.raises(CommandError, match="No account has the username or e-mail address"):
        call_command("make_moderator", "nobody@example.org")


def test_commands_on_sqlite_print_no_warning_about_indexes(db):
    err = io.StringIO()

    call_command("check", "--database", "default", stdout=io.StringIO(), stderr=err)

    assert "W040" not in err.getvalue()
