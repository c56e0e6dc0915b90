"""A member's own data: download it as JSON, or delete the account with counts kept exact."""

import base64
import contextlib
import json

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from django.conf import settings as django_settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from comments import discussion
from comments.models import Comment, Flag
from qlibrary.models import User
from qlibrary.outbox import erasure, mail
from qlibrary.outbox.models import OutgoingEmail
from sources.library.following import set_follow
from sources.models import Endorsement, ModerationEvent, Source
from sources.proposals import moderation
from sources.proposals.endorsements import set_endorsement

from .browser import PASSWORD
from .factories import CommentFactory, MemberFactory, ProposalFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def footprint(member, other_member, theme):
    """Everything a member leaves: a proposal, comments (one replied to), endorsements."""
    proposal = ProposalFactory(title="My own proposal", proposer=member, themes=[theme])
    endorsed = [SourceFactory(title=f"Endorsed {n}", themes=[theme]) for n in range(2)]
    for source in endorsed:
        set_endorsement(source=source, member=other_member, endorse=True)
        set_endorsement(source=source, member=member, endorse=True)
    on_source = discussion.post(author=member, target=endorsed[0], body="Worth reading.")
    on_theme = discussion.post(author=member, target=theme, body="Start with patients.")
    reply = discussion.post(author=other_member, target=theme, body="Agreed.", parent=on_theme)
    return {
        "proposal": proposal,
        "endorsed": endorsed,
        "comments": [on_source, on_theme],
        "reply": reply,
    }


def test_download_gives_the_members_own_data_as_json(login, member, footprint, other_member):
    response = login(member).get(reverse("download_my_data"))

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="q-library-member.json"'
    data = json.loads(response.content)
    assert data["profile"]["username"] == "member"
    assert data["profile"]["email_addresses"] == [
        {"email": "member@example.org", "verified": True, "primary": True}
    ]
    assert [proposal["title"] for proposal in data["proposals"]] == ["My own proposal"]
    assert sorted(comment["body"] for comment in data["comments"]) == [
        "Start with patients.",
        "Worth reading.",
    ]
    assert sorted(e["source"] for e in data["endorsements"]) == ["Endorsed 0", "Endorsed 1"]
    assert "Agreed." not in response.content.decode(), "another member's comment"


def test_download_and_delete_need_an_account(client):
    for name in ("download_my_data", "delete_account"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_deleting_keeps_comments_as_a_former_members_and_counts_exact(
    login, member, footprint, theme
):
    endorsed = footprint["endorsed"]
    client = login(member)

    response = client.post(reverse("delete_account"), {"password": PASSWORD})

    assert response.status_code == 302
    assert not User.objects.filter(username="member").exists()
    assert not EmailAddress.objects.filter(email="member@example.org").exists()
    for source in endorsed:
        source.refresh_from_db()
        assert source.endorsement_count == 1 == source.endorsements.count()
    assert not Endorsement.objects.filter(member_id=member.pk).exists()
    kept = Comment.objects.filter(pk__in=[c.pk for c in footprint["comments"]])
    assert [(c.author, c.status) for c in kept] == [(None, "visible")] * 2
    theme.refresh_from_db()
    assert theme.comment_count == 2, "the member's comment and its reply"
    proposal = Source.objects.get(pk=footprint["proposal"].pk)
    assert proposal.proposer is None
    # Logged out, told, and the discussion names "a former member".
    page = client.get(theme.get_absolute_url()).content.decode()
    assert "Your account is deleted." in page
    assert '<span class="comment__author">A former member</span>' in page
    assert "Log in</a>" in page


def test_deleting_with_removal_takes_the_comments_text_away(login, member, footprint, theme):
    first = footprint["endorsed"][0]

    login(member).post(reverse("delete_account"), {"password": PASSWORD, "remove_comments": "on"})

    removed = Comment.objects.filter(pk__in=[c.pk for c in footprint["comments"]])
    assert [(c.author, c.status, c.body) for c in removed] == [(None, "deleted", "")] * 2
    assert Comment.objects.get(pk=footprint["reply"].pk).body == "Agreed."
    theme.refresh_from_db()
    first.refresh_from_db()
    assert theme.comment_count == 1 == Comment.objects.on(theme).filter(status="visible").count()
    assert first.comment_count == 0


def test_deleting_needs_the_password(login, member, footprint):
    response = login(member).post(
        reverse("delete_account"), {"password": "not-my-password", "remove_comments": "on"}
    )

    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    assert User.objects.filter(pk=member.pk).exists()
    assert Endorsement.objects.filter(member=member).count() == 2


def test_a_reply_to_a_former_member_notifies_nobody(
    member, other_member, theme, mailoutbox, django_capture_on_commit_callbacks
):
    comment = CommentFactory(theme=theme, author=member)
    member.delete()
    comment.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        discussion.post(author=other_member, target=theme, body="Thanks.", parent=comment)

    assert mailoutbox == []


def test_flags_by_a_deleted_member_go_with_the_account(login, member, other_member, theme):
    comment = CommentFactory(theme=theme, author=other_member)
    Flag.objects.create(comment=comment, member=member, reason=Flag.Reason.SPAM)

    login(member).post(reverse("delete_account"), {"password": PASSWORD})

    assert not Flag.objects.filter(comment=comment).exists()


# A member whose every trace can be searched for: names and addresses found nowhere else.
FORGOTTEN_USERNAME = "zelda_quist"
FORGOTTEN_NAME = "Zelda O'Quist"
FORGOTTEN_ADDRESS = "Zelda.Quist@example.net"
SECOND_ADDRESS = "zq-second@example.com"


def _texts(value):
    """A stored value as the texts to search: itself, and what a base64 value (a database
    cache's entries) or a pickled one (a memory cache's) holds."""
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        return [value.decode("latin-1")]
    text = str(value)
    texts = [text]
    with contextlib.suppress(ValueError):
        texts.append(base64.b64decode(text, validate=True).decode("latin-1"))
    return texts


def _database_rows_holding(needles):
    """(table, needle) for every row of every table, cache tables included, where a needle
    appears in any column, in any case."""
    needles = [needle.lower() for needle in needles]
    found = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                text = "\n".join(t for value in row for t in _texts(value)).lower()
                found.update((table, needle) for needle in needles if needle in text)
    return found


def _memory_caches_holding(needles):
    """(alias, needle) for every entry of this process's memory caches (key or value)."""
    needles = [needle.lower() for needle in needles]
    found = set()
    for alias in django_settings.CACHES:
        cache = caches[alias]
        if isinstance(cache, LocMemCache):
            for key, value in cache._cache.items():
                text = (key + "\n" + _texts(value)[0]).lower()
                found.update((alias, needle) for needle in needles if needle in text)
    return found


@pytest.mark.django_db(transaction=True)
def test_a_deleted_member_is_found_nowhere_in_the_database_or_the_caches(
    client, other_member, live_themes, moderator
):
    theme = live_themes[0]  # the data migration's themes, made again after an earlier flush
    forgotten = MemberFactory(
        username=FORGOTTEN_USERNAME, email=FORGOTTEN_ADDRESS, display_name=FORGOTTEN_NAME
    )
    second = EmailAddress.objects.create(user=forgotten, email=SECOND_ADDRESS)
    EmailConfirmation.create(second)  # a confirmation key, never used
    # What they did: a proposal (moderators are told), comments, a reply to another member
    # (who is told), an endorsement, a follow, a flag; and a reply to them (they are told).
    submitted = ProposalFactory.build(title="Spread and adoption", summary="Why.")
    moderation.submit(source=submitted, proposer=forgotten, themes=[theme], tags=[])
    theirs = discussion.post(author=forgotten, target=theme, body="Start with patients.")
    others = discussion.post(author=other_member, target=theme, body="Ask the carers.")
    discussion.post(author=forgotten, target=theme, body="Agreed, and early.", parent=others)
    discussion.post(author=other_member, target=theme, body="Yes.", parent=theirs)
    endorsed = SourceFactory(title="Endorsed", themes=[theme])
    set_endorsement(source=endorsed, member=forgotten, endorse=True)
    set_follow(member=forgotten, follow=True, theme=theme)
    Flag.objects.create(comment=others, member=forgotten, reason=Flag.Reason.OFF_TOPIC)
    # The account e-mails: a password reset, and a message still waiting to be sent.
    client.post(reverse("account_reset_password"), {"email": FORGOTTEN_ADDRESS})
    mail.queue(kind="digest", subject="Your week", body="Hello Zelda", to=[SECOND_ADDRESS])
    # Staff changed their account in the admin.
    LogEntry.objects.create(
        user=moderator,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(forgotten.pk),
        object_repr=str(forgotten),
        action_flag=CHANGE,
        change_message=json.dumps([{"added": {"name": "email", "object": SECOND_ADDRESS}}]),
    )
    # Readers saw their profile and the discussion (pages cached); they are logged in twice.
    client.get(forgotten.get_absolute_url())
    client.get(theme.get_absolute_url())
    elsewhere = Client()
    elsewhere.force_login(forgotten)
    client.force_login(forgotten)
    needles = [FORGOTTEN_USERNAME, FORGOTTEN_NAME, FORGOTTEN_ADDRESS, SECOND_ADDRESS]
    assert {needle for _, needle in _database_rows_holding(needles)} == {
        needle.lower() for needle in needles
    }, "the search finds every trace before the deletion"
    events = ModerationEvent.objects.count()

    response = client.post(reverse("delete_account"), {"password": PASSWORD})

    assert response.status_code == 302
    needles.append(escape(FORGOTTEN_NAME))  # as pages show it
    assert _database_rows_holding(needles) == set()
    assert _memory_caches_holding(needles) == set()
    # Logged out on every device.
    member_id = str(forgotten.pk)
    assert all(s.get_decoded().get(SESSION_KEY) != member_id for s in Session.objects.all())
    assert "Log in</a>" in elsewhere.get(reverse("home")).content.decode()
    # What others built on stays, attributed to "a former member".
    assert ModerationEvent.objects.count() == events
    assert Source.objects.get(title="Spread and adoption").proposer is None
    told = OutgoingEmail.objects.get(to=[other_member.email], kind="comment_reply")
    assert told.subject == "[Q Library] a former member replied to you"
    assert "a former member replied to your comment" in told.body
    assert "Agreed, and early." in told.body
    entry = LogEntry.objects.get(object_id=str(forgotten.pk))
    assert (entry.object_repr, json.loads(entry.change_message)) == (
        "a former member",
        [{"added": {"name": "email", "object": "a former member"}}],
    )
    assert not OutgoingEmail.objects.filter(kind__startswith="account:").exists()


def test_removed_comments_are_not_quoted_in_the_emails_to_others(
    login, member, other_member, theme, django_capture_on_commit_callbacks
):
    others = discussion.post(author=other_member, target=theme, body="Ask the carers.")
    with django_capture_on_commit_callbacks(execute=True):
        discussion.post(author=member, target=theme, body="My private story.", parent=others)
    told = OutgoingEmail.objects.get(kind="comment_reply")
    assert "My private story." in told.body

    login(member).post(reverse("delete_account"), {"password": PASSWORD, "remove_comments": "on"})

    told.refresh_from_db()
    assert "My private story." not in told.body
    assert "[removed by its author]" in told.body
    assert "a former member replied to your comment" in told.body


def test_erasing_a_name_leaves_longer_words_and_other_addresses_alone(db):
    email = mail.queue(
        kind="digest",
        subject="Ann and Annual news",
        body="Ann wrote; ann.other@example.org and Joanne did not. Ann.",
        html_body="<p>Ann &amp; Annabel</p>",
        to=["someone@example.org"],
    )

    erasure.erase(addresses=["ann@example.org"], names=["Ann"], stand_in="a former member")

    email.refresh_from_db()
    assert email.subject == "a former member and Annual news"
    assert email.body == (
        "a former member wrote; ann.other@example.org and Joanne did not. a former member."
    )
    assert email.html_body == "<p>a former member &amp; Annabel</p>"


def test_a_message_to_several_people_loses_only_the_erased_address(db):
    email = mail.queue(
        kind="digest",
        subject="News",
        body="b",
        to=["Ann@Example.org", "bob@example.org", "joann@example.org"],
    )

    erasure.erase(addresses=["ann@example.org"], names=["ann"], stand_in="a former member")

    email.refresh_from_db()
    assert email.to == ["bob@example.org", "joann@example.org"]
