"""The privacy page says what deleting an account forgets, what is kept and why."""

from importlib import import_module

from django.apps import apps
from django.urls import reverse

from qlibrary.models import SitePage

update = import_module("qlibrary.migrations.0006_privacy_after_deletion")


def test_the_privacy_page_says_what_deletion_keeps_and_why(client, db):
    page = client.get("/privacy/").content.decode()

    assert "What we keep after a deletion, and why" in page
    assert "the e-mails to you, sent or still waiting, are deleted" in page
    assert "you are logged out on every device" in page
    assert "shown as taken by &quot;a former moderator&quot;" in page
    assert "The e-mails we send you" in page


def test_the_new_text_replaces_the_first_one_and_only_it(db):
    assert update.STORED_BEFORE in update.FIRST
    assert update.DELETION_BEFORE in update.FIRST
    privacy = SitePage.objects.get(slug="privacy")
    assert privacy.body == update.NOW, "the migration updated the page the first one made"

    SitePage.objects.filter(pk=privacy.pk).update(body=update.FIRST)
    update.say_what_deletion_keeps(apps, None)
    assert SitePage.objects.get(pk=privacy.pk).body == update.NOW

    update.put_back_the_first_version(apps, None)
    assert SitePage.objects.get(pk=privacy.pk).body == update.FIRST


def test_a_privacy_page_staff_edited_is_left_as_they_wrote_it(db):
    edited = update.FIRST.replace("This page says", "Here we say")
    SitePage.objects.filter(slug="privacy").update(body=edited)

    update.say_what_deletion_keeps(apps, None)

    assert SitePage.objects.get(slug="privacy").body == edited


def test_the_delete_page_says_what_else_is_forgotten(login, member):
    page = login(member).get(reverse("delete_account")).content.decode()

    assert "The e-mails to you are deleted" in page
    assert "You are logged out on every device." in page
