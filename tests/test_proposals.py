"""Members' proposal pages: the proposal form and its validation, the daily limit, editing and
withdrawing, open proposals, my proposals and a proposal's own page."""

import pytest
from django.utils import timezone

from sources.models import ModerationEvent, Source
from sources.proposals import moderation
from sources.proposals.endorsements import set_endorsement

from .factories import ProposalFactory, proposal_form_data

NOT_IN_LIBRARY = "This is a proposal: it is not in the library yet."


# Proposing


def test_valid_proposal_is_saved_and_shown(login, member, theme, themes):
    response = login(member).post(
        "/sources/propose/", proposal_form_data(theme, themes=[themes[0].pk, themes[2].pk])
    )

    source = Source.objects.get(proposer=member)
    assert response.status_code == 302
    assert (
        response.url
        == source.get_absolute_url()
        == "/sources/spreading-improvement-through-networks/"
    )
    assert source.status == Source.Status.PROPOSED
    assert source.doi == source.doi_key == "10.1136/bmjqs-2015-004315"
    assert source.year == 2020
    assert list(source.themes.all()) == [themes[0], themes[2]]
    assert sorted(source.tags.names()) == ["networks", "spread"]
    assert source.events.get().action == ModerationEvent.Action.SUBMIT
    page = login(member).get(response.url)
    assert "Thank you: your proposal is in the queue." in page.content.decode()


def test_proposal_form_shows_how_many_proposals_are_left_today(login, member, settings):
    settings.PROPOSALS_PER_DAY = 3
    ProposalFactory(proposer=member)

    response = login(member).get("/sources/propose/")

    assert response.context["left_today"] == 2
    assert "You can propose 2 more sources today." in response.content.decode()


@pytest.mark.parametrize("field", ["title", "summary", "kind", "stance", "themes"])
def test_proposal_missing_a_required_field_is_refused(login, member, theme, field):
    data = proposal_form_data(theme)
    del data[field]

    response = login(member).post("/sources/propose/", data)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Source.objects.filter(proposer=member).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", "javascript:alert(1)"),
        ("url", "ftp://x"),
        ("url", "ftp://example.org/report.pdf"),
        ("url", "data:text/html,<script>alert(1)</script>"),
        ("doi", "not a doi"),
        ("doi", "10.12/abc"),
        ("doi", "https://example.org/10.1136/x"),
        ("year", "1700"),
        ("year", str(timezone.now().year + 2)),
        ("year", "twenty"),
        ("tags", "a, b, c, d, e, f, g, h, i"),
        ("tags", "x" * 41),
        ("title", "t" * 301),
        ("kind", "pamphlet"),
        ("stance", "ignores"),
        ("themes", [999999]),
        ("summary", "s" * 2001),
    ],
)
def test_proposal_with_an_invalid_field_is_refused(login, member, theme, field, value):
    response = login(member).post("/sources/propose/", proposal_form_data(theme, **{field: value}))

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Source.objects.filter(proposer=member).exists()


def test_year_up_to_next_year_is_accepted(login, member, theme):
    next_year = timezone.now().year + 1

    login(member).post("/sources/propose/", proposal_form_data(theme, year=str(next_year)))

    assert Source.objects.get(proposer=member).year == next_year


def test_book_without_url_or_doi_is_accepted(login, member, theme):
    response = login(member).post(
        "/sources/propose/",
        proposal_form_data(theme, url="", doi="", kind=Source.Kind.BOOK, tags=""),
    )

    assert response.status_code == 302
    book = Source.objects.get(proposer=member)
    assert (book.url, book.url_key, book.doi_key) == ("", "", "")


def test_markup_in_a_proposal_is_shown_as_text(login, member, theme):
    login(member).post(
        "/sources/propose/",
        proposal_form_data(
            theme, title="<script>alert(1)</script> networks", summary="<b>bold</b>"
        ),
    )
    source = Source.objects.get(proposer=member)

    html = login(member).get(source.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; networks" in html
    assert "<b>bold</b>" not in html


def test_proposal_beyond_the_daily_limit_is_refused_with_429(login, member, theme, settings):
    settings.PROPOSALS_PER_DAY = 2
    ProposalFactory(proposer=member)
    ProposalFactory(proposer=member)

    response = login(member).post("/sources/propose/", proposal_form_data(theme))

    assert response.status_code == 429
    assert "2 proposals in the last 24 hours" in response.content.decode()
    assert Source.objects.filter(proposer=member).count() == 2
    assert not Source.objects.filter(title="Spreading improvement through networks").exists()


def test_yesterdays_proposals_do_not_count_towards_the_limit(login, member, theme, settings):
    settings.PROPOSALS_PER_DAY = 1
    old = ProposalFactory(proposer=member)
    Source.objects.filter(pk=old.pk).update(created_at=timezone.now() - timezone.timedelta(days=2))

    response = login(member).post("/sources/propose/", proposal_form_data(theme))

    assert response.status_code == 302
    assert Source.objects.filter(proposer=member).count() == 2


# Editing and withdrawing


def test_proposer_edits_through_the_form(login, proposer, proposal, theme):
    response = login(proposer).post(
        f"/sources/{proposal.slug}/edit/",
        proposal_form_data(theme, title="Networks that spread improvement, revised"),
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.title == "Networks that spread improvement, revised"
    assert proposal.slug == "networks-that-spread-improvement"
    assert proposal.status == Source.Status.PROPOSED


def test_proposer_resubmits_after_changes_were_requested(login, proposer, moderator, proposal):
    moderation.request_changes(source=proposal, moderator=moderator, reason="Add a DOI.")
    client = login(proposer)

    response = client.post(
        f"/sources/{proposal.slug}/edit/",
        {**proposal_form_data(proposal.themes.first()), "resubmit": "1"},
        follow=True,
    )

    proposal.refresh_from_db()
    assert proposal.status == Source.Status.PROPOSED
    assert proposal.doi == "10.1136/bmjqs-2015-004315"
    assert proposal.events.latest("pk").action == ModerationEvent.Action.RESUBMIT
    assert "back in the queue" in response.content.decode()


def test_proposer_cannot_edit_a_declined_proposal(login, proposer, moderator, proposal, theme):
    moderation.decline(source=proposal, moderator=moderator, reason="Out of scope.")

    response = login(proposer).post(
        f"/sources/{proposal.slug}/edit/", proposal_form_data(theme, title="Try again"), follow=True
    )

    assert "only while it is open" in response.content.decode()
    assert Source.objects.get(pk=proposal.pk).title == "Networks that spread improvement"


def test_proposer_withdraws_through_the_confirmation_page(login, proposer, proposal):
    client = login(proposer)

    confirm = client.get(f"/sources/{proposal.slug}/withdraw/")
    response = client.post(f"/sources/{proposal.slug}/withdraw/")

    assert confirm.status_code == 200
    assert proposal.title in confirm.content.decode()
    assert response.url == "/me/proposals/"
    proposal.refresh_from_db()
    assert proposal.status == Source.Status.WITHDRAWN
    assert proposal.events.get().action == ModerationEvent.Action.WITHDRAW


def test_withdrawing_twice_says_so_and_records_one_event(login, proposer, proposal):
    client = login(proposer)
    client.post(f"/sources/{proposal.slug}/withdraw/")

    response = client.post(f"/sources/{proposal.slug}/withdraw/", follow=True)

    assert "already withdrawn" in response.content.decode()
    assert proposal.events.count() == 1


# Lists and pages


def test_my_proposals_show_status_and_the_moderators_reason(login, proposer, moderator, theme):
    waiting = ProposalFactory(title="Waiting one", proposer=proposer, themes=[theme])
    declined = ProposalFactory(title="Declined one", proposer=proposer, themes=[theme])
    sent_back = ProposalFactory(title="Sent back one", proposer=proposer, themes=[theme])
    ProposalFactory(title="Someone else's", themes=[theme])
    moderation.decline(source=declined, moderator=moderator, reason="We have this already.")
    moderation.request_changes(source=sent_back, moderator=moderator, reason="Add the authors.")

    response = login(proposer).get("/me/proposals/")

    assert set(response.context["page"].object_list) == {waiting, declined, sent_back}
    html = response.content.decode()
    assert "We have this already." in html
    assert "Add the authors." in html
    assert "Declined" in html
    assert "Changes requested" in html
    assert "Waiting for a moderator" in html
    assert "Someone else&#x27;s" not in html
    assert "Edit and resubmit" in html


def test_proposal_list_shows_open_proposals_only(login, member, theme):
    proposed = ProposalFactory(title="Proposed one", themes=[theme])
    sent_back = ProposalFactory(
        title="Sent back one", themes=[theme], status=Source.Status.CHANGES_REQUESTED
    )
    for status in (Source.Status.DECLINED, Source.Status.WITHDRAWN, Source.Status.APPROVED):
        ProposalFactory(title=f"A {status} one", themes=[theme], status=status)

    response = login(member).get("/proposals/")

    assert set(response.context["page"].object_list) == {proposed, sent_back}
    html = response.content.decode()
    assert "Proposed one" in html
    assert "A declined one" not in html
    assert "A approved one" not in html


def test_open_proposals_count_follows_each_change_on_the_next_read(
    login, member, moderator, proposer, theme, themes
):
    """The number of open proposals is kept (sources/page_cache.py OPEN_PROPOSALS): a new
    proposal, a decision, a withdrawal and a deletion each show on the very next read."""
    client = login(member)

    def count(**filters):
        return client.get("/proposals/", filters).context["page"].paginator.count

    first = ProposalFactory(proposer=proposer, themes=[theme])
    second = ProposalFactory(proposer=proposer, themes=[theme], stance=Source.Stance.CHALLENGES)
    assert (count(), count(theme=theme.slug), count(stance="challenges")) == (2, 2, 1)

    ProposalFactory(proposer=proposer, themes=[themes[1]])
    assert (count(), count(theme=theme.slug)) == (3, 2)

    moderation.approve(source=first, moderator=moderator, reason="Welcome.")
    assert (count(), count(theme=theme.slug)) == (2, 1)

    moderation.withdraw(source=second, member=proposer)
    assert (count(), count(stance="challenges")) == (1, 0)

    Source.objects.open_proposals().get().delete()
    assert count() == 0


def test_open_proposals_rows_follow_each_change_on_the_next_read(
    login, member, moderator, proposer, theme
):
    """A page's rows are kept under OPEN_PROPOSALS too: an endorsement reorders the most
    endorsed, a new proposal and a decision show on the very next read."""
    client = login(member)

    def shown(**filters):
        html = client.get("/proposals/", filters).content.decode()
        found = [name for name in ("Alpha", "Beta", "Gamma") if f"{name} proposal" in html]
        return sorted(found, key=lambda name: html.index(f"{name} proposal"))

    alpha = ProposalFactory(title="Alpha proposal", proposer=proposer, themes=[theme])
    beta = ProposalFactory(title="Beta proposal", proposer=proposer, themes=[theme])
    assert shown() == shown(sort="endorsed") == ["Beta", "Alpha"]  # newest first

    set_endorsement(source=alpha, member=member, endorse=True)
    assert shown(sort="endorsed") == ["Alpha", "Beta"]
    assert shown() == ["Beta", "Alpha"]

    ProposalFactory(title="Gamma proposal", proposer=proposer, themes=[theme])
    assert shown() == ["Gamma", "Beta", "Alpha"]

    moderation.approve(source=beta, moderator=moderator, reason="Welcome.")
    assert shown() == ["Gamma", "Alpha"]
    assert shown(sort="endorsed") == ["Alpha", "Gamma"]


def test_proposal_list_filters_by_theme(login, member, themes):
    first = ProposalFactory(title="In the first theme", themes=[themes[0]])
    ProposalFactory(title="In the second theme", themes=[themes[1]])

    response = login(member).get("/proposals/", {"theme": themes[0].slug})

    assert list(response.context["page"].object_list) == [first]
    assert response.context["theme"] == themes[0]
    assert "In the second theme" not in response.content.decode()


def test_proposal_list_ignores_an_unknown_theme_and_sort(login, member, theme):
    proposal = ProposalFactory(themes=[theme])

    response = login(member).get("/proposals/", {"theme": "nope", "sort": "sideways"})

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [proposal]
    assert response.context["sort"] == "newest"


def test_proposal_page_says_it_is_not_yet_in_the_library(login, member, proposal):
    response = login(member).get(proposal.get_absolute_url())

    assert response.status_code == 200
    assert NOT_IN_LIBRARY in response.content.decode()


def test_approved_source_page_does_not_call_itself_a_proposal(client, source):
    assert NOT_IN_LIBRARY not in client.get(source.get_absolute_url()).content.decode()


def test_proposal_is_not_listed_in_the_library(client, proposal, theme):
    for url in ("/sources/", theme.get_absolute_url(), "/"):
        assert proposal.title not in client.get(url).content.decode()


def test_proposer_still_sees_their_declined_proposal(login, proposer, moderator, proposal):
    moderation.decline(source=proposal, moderator=moderator, reason="Out of scope.")

    assert login(proposer).get(proposal.get_absolute_url()).status_code == 200


def test_other_members_cannot_see_a_declined_proposal(login, member, moderator, proposal):
    moderation.decline(source=proposal, moderator=moderator, reason="Out of scope.")

    assert login(member).get(proposal.get_absolute_url()).status_code == 404
