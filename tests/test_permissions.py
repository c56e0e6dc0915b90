"""Who may open each proposal and moderation page and who may act, persona by persona.

anonymous -> log-in redirect (or 404 for what readers may not know exists); unverified -> a 403
page asking them to verify their e-mail; the wrong member -> refused with the database unchanged;
the right person -> the effect, checked in the database. A plain staff user is not a moderator.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from qlibrary.auth_backends import AuthenticationBackend
from sources.models import Endorsement, ModerationEvent, Source

from .factories import (
    MemberFactory,
    SourceFactory,
    UserFactory,
    proposal_form_data,
    review_form_data,
)
from .permission_matrix import (
    DONE,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    REFUSED,
    VERIFY,
    check,
    table_for,
)

pytestmark = pytest.mark.django_db


EVERYONE = ["anonymous", "unverified", "member", "proposer", "moderator", "staff"]
table = table_for(EVERYONE)


# Proposing


@table(anonymous=LOGIN, unverified=VERIFY, member=OK, proposer=OK, moderator=OK, staff=OK)
def test_propose_page(client_as, persona, expected):
    response = client_as(persona).get("/sources/propose/")

    check(response, expected, "/sources/propose/")
    if expected == OK:
        assert "form" in response.context


@table(anonymous=LOGIN, unverified=VERIFY, member=DONE, proposer=DONE, moderator=DONE, staff=DONE)
def test_propose(client_as, persona, expected, theme, request):
    response = client_as(persona).post("/sources/propose/", proposal_form_data(theme))

    check(response, expected, "/sources/propose/")
    saved = Source.objects.filter(title="Spreading improvement through networks")
    if expected == DONE:
        assert saved.get().proposer == request.getfixturevalue(persona)
        assert saved.get().status == Source.Status.PROPOSED
    else:
        assert not saved.exists()


# Editing and withdrawing an open proposal


@table(anonymous=LOGIN, unverified=VERIFY, member=REFUSED, proposer=OK, moderator=OK, staff=REFUSED)
def test_edit_page(client_as, persona, expected, proposal):
    url = f"/sources/{proposal.slug}/edit/"

    response = client_as(persona).get(url)

    check(response, expected, url, refused_to=proposal.get_absolute_url())
    if expected == OK:
        assert response.context["form"].instance == proposal


@table(
    anonymous=LOGIN,
    unverified=VERIFY,
    member=REFUSED,
    proposer=DONE,
    moderator=DONE,
    staff=REFUSED,
)
def test_edit(client_as, persona, expected, proposal, theme):
    url = f"/sources/{proposal.slug}/edit/"

    response = client_as(persona).post(url, proposal_form_data(theme, title="Edited title"))

    check(response, expected, url, refused_to=proposal.get_absolute_url())
    title = Source.objects.get(pk=proposal.pk).title
    assert title == ("Edited title" if expected == DONE else "Networks that spread improvement")


@table(
    anonymous=LOGIN,
    unverified=VERIFY,
    member=REFUSED,
    proposer=OK,
    moderator=REFUSED,
    staff=REFUSED,
)
def test_withdraw_page(client_as, persona, expected, proposal):
    url = f"/sources/{proposal.slug}/withdraw/"

    response = client_as(persona).get(url)

    check(response, expected, url, refused_to=proposal.get_absolute_url())
    assert Source.objects.get(pk=proposal.pk).status == Source.Status.PROPOSED


@table(
    anonymous=LOGIN,
    unverified=VERIFY,
    member=REFUSED,
    proposer=DONE,
    moderator=REFUSED,
    staff=REFUSED,
)
def test_withdraw(client_as, persona, expected, proposal):
    url = f"/sources/{proposal.slug}/withdraw/"

    response = client_as(persona).post(url)

    check(response, expected, url, refused_to=proposal.get_absolute_url())
    status = Source.objects.get(pk=proposal.pk).status
    assert status == (Source.Status.WITHDRAWN if expected == DONE else Source.Status.PROPOSED)
    assert ModerationEvent.objects.filter(source=proposal).count() == (expected == DONE)


# Endorsing


@table(
    anonymous=LOGIN,
    unverified=VERIFY,
    member=DONE,
    proposer=REFUSED,
    moderator=DONE,
    staff=DONE,
)
def test_endorse_proposal(client_as, persona, expected, proposal):
    url = f"/sources/{proposal.slug}/endorse/"

    response = client_as(persona).post(url, {"endorse": "1"})

    check(response, expected, url, refused_to=proposal.get_absolute_url())
    endorsed = expected == DONE
    assert Endorsement.objects.filter(source=proposal).count() == endorsed
    assert Source.objects.get(pk=proposal.pk).endorsement_count == endorsed


@table(
    anonymous=LOGIN,
    unverified=VERIFY,
    member=NOT_FOUND,
    proposer=REFUSED,
    moderator=REFUSED,
    staff=NOT_FOUND,
)
def test_endorse_declined_proposal(client_as, persona, expected, proposal):
    Source.objects.filter(pk=proposal.pk).update(status=Source.Status.DECLINED)
    url = f"/sources/{proposal.slug}/endorse/"

    response = client_as(persona).post(url, {"endorse": "1"})

    check(response, expected, url, refused_to=proposal.get_absolute_url())
    assert not Endorsement.objects.exists()


# Members' lists


@pytest.mark.parametrize("url", ["/proposals/", "/me/proposals/"])
@table(anonymous=LOGIN, unverified=VERIFY, member=OK, proposer=OK, moderator=OK, staff=OK)
def test_members_lists(client_as, persona, expected, url, proposal):
    response = client_as(persona).get(url)

    check(response, expected, url)
    if expected == OK:
        listed = list(response.context["page"].object_list)
        shows_proposal = url == "/proposals/" or persona == "proposer"
        assert listed == ([proposal] if shows_proposal else [])


# A proposal's page


@table(
    anonymous=NOT_FOUND,
    unverified=NOT_FOUND,
    member=OK,
    proposer=OK,
    moderator=OK,
    staff=OK,
)
def test_proposal_page(client_as, persona, expected, proposal):
    response = client_as(persona).get(proposal.get_absolute_url())

    check(response, expected, proposal.get_absolute_url())
    if expected == OK:
        assert response.context["source"] == proposal
    else:
        assert proposal.title not in response.content.decode()


@table(
    anonymous=NOT_FOUND,
    unverified=NOT_FOUND,
    member=NOT_FOUND,
    proposer=OK,
    moderator=OK,
    staff=NOT_FOUND,
)
def test_withdrawn_proposal_page(client_as, persona, expected, proposal):
    Source.objects.filter(pk=proposal.pk).update(status=Source.Status.WITHDRAWN)

    response = client_as(persona).get(proposal.get_absolute_url())

    check(response, expected, proposal.get_absolute_url())


# Moderation


@pytest.mark.parametrize("page", ["queue", "review"])
@table(
    anonymous=LOGIN,
    unverified=VERIFY,
    member=FORBIDDEN,
    proposer=FORBIDDEN,
    moderator=OK,
    staff=FORBIDDEN,
)
def test_moderation_pages(client_as, persona, expected, page, proposal):
    url = "/moderation/" if page == "queue" else f"/moderation/{proposal.slug}/"

    response = client_as(persona).get(url)

    check(response, expected, url)
    if expected == OK and page == "queue":
        assert list(response.context["page"].object_list) == [proposal]
    if expected == OK and page == "review":
        assert response.context["source"] == proposal


@pytest.mark.parametrize(
    ("decision", "reason", "status"),
    [
        ("approve", "", Source.Status.APPROVED),
        ("decline", "Out of scope.", Source.Status.DECLINED),
        ("request_changes", "Add a DOI.", Source.Status.CHANGES_REQUESTED),
    ],
)
@table(
    anonymous=LOGIN,
    unverified=VERIFY,
    member=FORBIDDEN,
    proposer=FORBIDDEN,
    moderator=DONE,
    staff=FORBIDDEN,
)
def test_decide(client_as, persona, expected, decision, reason, status, proposal, request):
    url = f"/moderation/{proposal.slug}/"

    response = client_as(persona).post(url, review_form_data(proposal, decision, reason))

    check(response, expected, url)
    proposal.refresh_from_db()
    if expected == DONE:
        assert proposal.status == status
        assert proposal.decided_by == request.getfixturevalue(persona)
        assert proposal.events.get().reason == reason
    else:
        assert proposal.status == Source.Status.PROPOSED
        assert proposal.decided_by is None
        assert not proposal.events.exists()


@table(
    anonymous=LOGIN,
    unverified=VERIFY,
    member=FORBIDDEN,
    proposer=FORBIDDEN,
    moderator=DONE,
    staff=FORBIDDEN,
)
def test_retire(client_as, persona, expected, proposer, theme):
    source = SourceFactory(proposer=proposer, themes=[theme])
    url = f"/moderation/{source.slug}/retire/"

    response = client_as(persona).post(url, {"retire-reason": "Superseded."})

    check(response, expected, url)
    source.refresh_from_db()
    if expected == DONE:
        assert (source.status, source.decision_reason) == (Source.Status.RETIRED, "Superseded.")
    else:
        assert (source.status, source.decision_reason) == (Source.Status.APPROVED, "")


@table(anonymous=OK, unverified=OK, member=OK, proposer=OK, moderator=OK, staff=OK)
def test_moderation_log_is_public(client_as, persona, expected, proposal, moderator):
    ModerationEvent.objects.create(
        source=proposal,
        actor=moderator,
        action=ModerationEvent.Action.DECLINE,
        from_status=Source.Status.PROPOSED,
        to_status=Source.Status.DECLINED,
        reason="Already in the library under another title.",
    )

    response = client_as(persona).get("/moderation/log/")

    check(response, expected, "/moderation/log/")
    assert "Already in the library under another title." in response.content.decode()


# The member's own profile

# DESIGN.md: "An unverified or inactive account has no more rights than a reader": it cannot
# write a public profile either.


@table(anonymous=LOGIN, unverified=VERIFY, member=OK, proposer=OK, moderator=OK, staff=OK)
def test_profile_edit_page(client_as, persona, expected):
    response = client_as(persona).get("/me/profile/")

    check(response, expected, "/me/profile/")
    if expected == OK:
        offered = "notify_new_proposals" in response.context["form"].fields
        assert offered == (persona == "moderator")


@table(anonymous=LOGIN, unverified=VERIFY, member=DONE, proposer=DONE, moderator=DONE, staff=DONE)
def test_profile_edit(client_as, persona, expected, request):
    data = {
        "display_name": "New Name",
        "organisation": "Q Community",
        "bio": "I work on flow.",
        "perspective": "clinician",
    }

    response = client_as(persona).post("/me/profile/", data)

    check(response, expected, "/me/profile/")
    if persona == "anonymous":
        return
    user = request.getfixturevalue(persona)
    user.refresh_from_db()
    edited = (user.display_name, user.organisation, user.bio, user.perspective)
    assert (edited == tuple(data.values())) == (expected == DONE)


def test_profile_edit_changes_only_the_signed_in_member(client_as, member, other_member):
    client_as("member").post(
        "/me/profile/",
        {"display_name": "Changed", "perspective": "researcher", "username": "other"},
    )

    member.refresh_from_db()
    other_member.refresh_from_db()
    assert (member.display_name, member.perspective, member.username) == (
        "Changed",
        "researcher",
        "member",
    )
    assert other_member.display_name == "Olu Other"


@pytest.mark.parametrize(("persona", "offered"), [("member", False), ("moderator", True)])
def test_only_moderators_may_turn_off_proposal_emails(client_as, persona, offered, request):
    client_as(persona).post("/me/profile/", {"display_name": "X", "notify_new_proposals": ""})

    user = request.getfixturevalue(persona)
    user.refresh_from_db()
    assert user.notify_new_proposals is not offered


# The signed-in user is read with their roles in one query (qlibrary/auth_backends.py): the roles
# must be what Django's permission check says, and follow a change on the next request.


def test_roles_read_with_the_user_follow_the_group_and_direct_permissions(client, member):
    client.force_login(member)
    assert client.get("/moderation/").status_code == 403

    Group.objects.get(name="Moderators").user_set.add(member)
    assert client.get("/moderation/").status_code == 200

    Group.objects.get(name="Moderators").user_set.remove(member)
    assert client.get("/moderation/").status_code == 403

    member.user_permissions.add(Permission.objects.get(codename="moderate_source"))
    assert client.get("/moderation/").status_code == 200


def test_a_superuser_is_a_moderator_once_verified(client):
    unverified = UserFactory(username="root-unverified", is_superuser=True)
    client.force_login(unverified)
    assert client.get("/moderation/").status_code == 403

    client.force_login(MemberFactory(username="root", is_superuser=True))
    assert client.get("/moderation/").status_code == 200


def test_the_user_read_with_their_roles_is_the_user_django_reads(member):
    member.display_name, member.bio = "Dr Ada “Q” Lovelace", "Line one\nline two"
    member.save()
    read = AuthenticationBackend().get_user(member.pk)
    stored = get_user_model().objects.get(pk=member.pk)
    for field in get_user_model()._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(stored, field.attname), field.name
    assert read.has_verified_email is True and read.holds_moderator_permission is False
    assert read._state.adding is False and read._state.db == "default"
    assert AuthenticationBackend().get_user(10**9) is None
