"""Small things that looked unfinished: relative times, the perspective choice, the duplicate
warning, the moderators' confirmations, citations of declined sources and the error summary."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from sources.models import Source
from sources.proposals import moderation

from .factories import ProposalFactory, SourceFactory, proposal_form_data
from .test_moderation import review_form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("age", "words"),
    [
        (timedelta(seconds=5), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(minutes=5, seconds=3), "5\xa0minutes ago"),
        (timedelta(days=2, hours=1), "2\xa0days, 1\xa0hour ago"),
    ],
)
def test_relative_times_say_just_now_for_the_last_minute(age, words):
    template = Template("{% load relative_time %}{{ moment|ago }}")

    assert template.render(Context({"moment": timezone.now() - age})) == words


def test_a_fresh_proposal_was_proposed_just_now(login, member, proposal):
    html = login(member).get(reverse("sources:proposals")).content.decode()

    assert ">just now</time>" in html
    assert "0 minutes" not in html


def test_perspective_choice_offers_prefer_not_to_say(login, member):
    html = login(member).get(reverse("edit_profile")).content.decode()

    assert '<option value="" selected>Prefer not to say</option>' in html
    assert "---------" not in html


def test_similar_titles_warning_points_up_to_the_list(login, member, theme):
    SourceFactory(title="Effective Networks for Improvement")

    response = login(member).post(
        reverse("sources:propose"),
        proposal_form_data(theme, title="Effective networks for improvement work"),
    )

    html = response.content.decode()
    (error,) = response.context["form"].errors["confirm_not_duplicate"]
    assert error == (
        "Some sources already here have similar titles: check them, then tick the box if yours "
        "is a different source."
    )
    warning = html.index("These sources have similar titles")
    assert warning < html.index('name="confirm_not_duplicate"'), "the list, then the box"


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        ("approve", "Approved: “Networks that spread improvement” is now in the library."),
        (
            "decline",
            "Declined: “Networks that spread improvement” will not join the library; the public "
            "log shows your reason.",
        ),
        (
            "request_changes",
            "Changes requested: “Networks that spread improvement” is back with its proposer, "
            "with your reason.",
        ),
    ],
)
def test_moderator_is_told_what_their_decision_did(login, moderator, proposal, decision, message):
    response = login(moderator).post(
        f"/moderation/{proposal.slug}/",
        review_form_data(proposal, decision, reason="Reason enough."),
        follow=True,
    )

    html = response.content.decode()
    assert message.replace("“", "&ldquo;") in html or message in html
    assert "Decision recorded" not in html


def test_declined_source_offers_no_citation(login, moderator, proposal):
    moderation.decline(source=proposal, moderator=moderator, reason="Out of scope.")

    html = login(moderator).get(proposal.get_absolute_url()).content.decode()

    assert "How to cite" not in html


def test_approved_source_offers_its_citation(client, source):
    assert "How to cite" in client.get(source.get_absolute_url()).content.decode()


def test_refused_form_opens_with_a_summary_linking_each_field(login, member, theme):
    response = login(member).post(
        reverse("sources:propose"),
        proposal_form_data(theme, title="", stance="", themes=[], year="1066"),
    )

    html = response.content.decode()
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "There is a problem" in summary
    assert '<a href="#id_title">Give the source’s title.</a>' in summary or (
        '<a href="#id_title">Give the source&#x27;s title.</a>' in summary
    )
    assert '<a href="#id_themes_0">Choose at least one theme.</a>' in summary
    assert '<a href="#id_stance_0">Say whether it reinforces, refines or challenges.</a>' in summary
    assert '<a href="#id_year">Enter a year between 1800' in summary
    assert 'id="id_themes_0"' in html and 'id="id_stance_0"' in html
    assert "field needs attention" not in html


def test_an_open_proposal_by_a_former_member_still_lists(login, member, theme):
    ProposalFactory(title="Orphaned", proposer=None, themes=[theme])

    response = login(member).get(reverse("sources:proposals"))

    assert [s.title for s in response.context["page"].object_list] == ["Orphaned"]
    assert Source.objects.get(title="Orphaned").proposer is None
