"""A member's own data: download it as JSON, or delete the account with counts kept exact."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from comments import discussion
from comments.models import Comment, Flag
from qlibrary.models import User
from sources.endorsements import set_endorsement
from sources.models import Endorsement, Source

from .browser import PASSWORD
from .factories import CommentFactory, ProposalFactory, SourceFactory

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
