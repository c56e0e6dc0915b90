"""Moderators' decisions on reading lists in the public moderation log: featured on a theme, no
longer featured, hidden, restored, each in plain words with the moderator and their reason, the
list named as it stood and linked while readers may open it."""

import re
from importlib import import_module

import pytest
from django.apps import apps
from django.utils.html import strip_tags

from sources.lists import services
from sources.lists.models import ReadingList
from sources.models import ModerationEvent

from .factories import MemberFactory, SourceFactory

pytestmark = pytest.mark.django_db

Action = ModerationEvent.Action


@pytest.fixture
def public_list(theme):
    owner = MemberFactory(username="olu", display_name="Olu Owner")
    return services.create_list(
        owner=owner,
        title="Start with these",
        visibility=ReadingList.Visibility.PUBLIC,
        sources=[SourceFactory(themes=[theme])],
    )


def plain(html):
    return " ".join(strip_tags(html).split())


def log_entries(client):
    """The moderation log as a reader reads it: (what was done, the reason, by whom) for each
    entry, newest first."""
    html = client.get("/moderation/log/").content.decode()
    entries = re.findall(r'<li class="log-entry">(.*?)</li>', html, re.DOTALL)
    return [
        tuple(
            plain(re.search(rf'<p class="log-entry__{part}">(.*?)</p>', entry, re.DOTALL)[1])
            for part in ("what", "reason", "meta")
        )
        for entry in entries
    ]


def links_in_log(client):
    html = client.get("/moderation/log/").content.decode()
    return re.findall(r'class="log-entry__target" href="([^"]+)"', html)


def test_the_log_tells_each_decision_on_a_list_in_plain_words(
    client, moderator, public_list, theme
):
    services.feature_list(
        reading_list=public_list, theme=theme, moderator=moderator, note="The place to begin."
    )
    services.feature_list(reading_list=public_list, theme=theme, moderator=moderator, feature=False)
    services.hide_list(reading_list=public_list, moderator=moderator, reason="Advertising")
    services.restore_list(
        reading_list=public_list, moderator=moderator, reason="The owner took the ads out."
    )

    entries = log_entries(client)
    on_theme = f"Start with these on {theme.title}"
    assert [(what, reason) for what, reason, _ in entries] == [
        ("Restored a reading list Start with these", "Reason: The owner took the ads out."),
        ("Hid a reading list Start with these", "Reason: Advertising"),
        (f"Stopped featuring a reading list {on_theme}", "No reason given."),
        (f"Featured a reading list {on_theme}", "Reason: The place to begin."),
    ]
    assert all(meta.endswith("Mo Moderator") for _, _, meta in entries)
    assert not any("Reviewed" in what for what, _, _ in entries)
    # Public again, the list is linked from every entry about it.
    assert links_in_log(client) == [public_list.get_absolute_url()] * 4


def test_a_hidden_list_is_named_without_a_link_for_readers(
    client, moderator, member, public_list, theme
):
    services.feature_list(reading_list=public_list, theme=theme, moderator=moderator)
    assert links_in_log(client) == [public_list.get_absolute_url()]

    services.hide_list(reading_list=public_list, moderator=moderator, reason="Spam")
    assert [what for what, _, _ in log_entries(client)] == [
        "Hid a reading list Start with these",
        f"Featured a reading list Start with these on {theme.title}",
    ]
    assert links_in_log(client) == []
    client.force_login(member)
    assert links_in_log(client) == []
    # Moderators may open a hidden list, to restore it.
    client.force_login(moderator)
    assert links_in_log(client) == [public_list.get_absolute_url()] * 2


def test_a_list_made_private_or_deleted_keeps_its_name_in_the_log(
    client, moderator, public_list, theme
):
    services.feature_list(reading_list=public_list, theme=theme, moderator=moderator)
    services.update_list(
        reading_list=public_list, title="Renamed", introduction="", visibility="private"
    )
    assert log_entries(client)[0][0] == f"Featured a reading list Start with these on {theme.title}"
    assert links_in_log(client) == []

    services.delete_list(reading_list=public_list)
    assert log_entries(client)[0][0] == f"Featured a reading list Start with these on {theme.title}"


def test_restoring_asks_for_a_hidden_list_and_a_moderator(moderator, member, public_list):
    with pytest.raises(services.ListRefused, match="not hidden"):
        services.restore_list(reading_list=public_list, moderator=moderator)
    services.hide_list(reading_list=public_list, moderator=moderator, reason="Spam")
    with pytest.raises(services.ListRefused, match="Only moderators"):
        services.restore_list(reading_list=public_list, moderator=member)

    services.restore_list(reading_list=public_list, moderator=moderator)
    public_list.refresh_from_db()
    assert public_list.is_public and public_list.hidden_reason == ""
    event = ModerationEvent.objects.get(action=Action.RESTORE_LIST)
    assert (event.reading_list, event.actor, event.reason) == (public_list, moderator, "")


def test_a_moderator_features_with_a_note_and_restores_from_the_list_page(
    client, moderator, public_list, theme
):
    client.force_login(moderator)
    client.post(f"/lists/{public_list.slug}/feature/", {"theme": theme.pk, "note": "Begin here."})
    client.post(f"/lists/{public_list.slug}/hide/", {"reason": "Spam"})
    page = client.get(public_list.get_absolute_url()).content.decode()
    assert "Show this list again" in page and "Hide this list" not in page
    client.post(f"/lists/{public_list.slug}/restore/", {"reason": "A mistake."})

    events = ModerationEvent.objects.filter(reading_list=public_list).order_by("pk")
    assert [(event.action, event.reason) for event in events] == [
        (Action.FEATURE_LIST, "Begin here."),
        (Action.HIDE_LIST, "Spam"),
        (Action.RESTORE_LIST, "A mistake."),
    ]
    assert "Hide this list" in client.get(public_list.get_absolute_url()).content.decode()


@pytest.mark.parametrize("number", [1, 10])
def test_the_log_reads_lists_with_their_events(client, moderator, theme, number, assert_db_queries):
    owner = MemberFactory()
    for n in range(number):
        reading_list = services.create_list(owner=owner, title=f"List {n}", visibility="public")
        services.feature_list(reading_list=reading_list, theme=theme, moderator=moderator)

    with assert_db_queries(2):  # the page's count, its events with their lists
        response = client.get("/moderation/log/")

    assert len(response.context["page"].object_list) == number


# The data migration: the events logged as "Reviewed" before lists had actions of their own.


def migrate_old_events():
    import_module("sources.migrations.0021_reading_list_log_actions").forwards(apps, None)


def test_old_events_about_lists_move_to_their_own_actions(moderator, public_list, theme):
    address = f"https://qlibrary.example{public_list.get_absolute_url()}"
    featured, hidden, unfeatured, gone = (
        ModerationEvent.objects.create(actor=moderator, action=Action.REVIEW, **fields)
        for fields in (
            {
                "theme": theme,
                "reason": f"Featured the reading list “Start with these” ({address}).",
            },
            {"reason": f"Hid the reading list “Start with these” ({address}): Ads: lots."},
            {
                "theme": theme,
                "reason": f"Stopped featuring the reading list “Start with these” ({address}).",
            },
            {"reason": "Hid the reading list “Gone” (https://qlibrary.example/lists/gone/): Spam"},
        )
    )
    review = ModerationEvent.objects.create(
        source=SourceFactory(), actor=moderator, action=Action.REVIEW, reason="Still current."
    )

    migrate_old_events()

    for event in (featured, hidden, unfeatured, gone, review):
        event.refresh_from_db()
    assert [
        (event.action, event.reading_list, event.reading_list_title, event.reason)
        for event in (featured, hidden, unfeatured, gone)
    ] == [
        (Action.FEATURE_LIST, public_list, "Start with these", ""),
        (Action.HIDE_LIST, public_list, "Start with these", "Ads: lots."),
        (Action.UNFEATURE_LIST, public_list, "Start with these", ""),
        (Action.HIDE_LIST, None, "Gone", "Spam"),
    ]
    assert (review.action, review.reason) == (Action.REVIEW, "Still current.")


def test_undoing_the_migration_writes_the_list_back_into_the_reason(moderator, public_list):
    services.hide_list(reading_list=public_list, moderator=moderator, reason="Spam")
    migration = import_module("sources.migrations.0021_reading_list_log_actions")

    migration.backwards(apps, None)
    event = ModerationEvent.objects.get()
    assert (event.action, event.reason) == (
        Action.REVIEW,
        f"Hid the reading list “Start with these” ({public_list.get_absolute_url()}): Spam",
    )

    migration.forwards(apps, None)
    event.refresh_from_db()
    assert (event.action, event.reading_list, event.reason) == (
        Action.HIDE_LIST,
        public_list,
        "Spam",
    )
