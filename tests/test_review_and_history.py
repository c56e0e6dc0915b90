"""The moderator's review shows the whole proposal and, on resubmission, what changed; the review
is one service; members see each proposal's own history; one place says who may do what."""

import pytest

from comments.discussion import post
from sources.evidence.contributors import as_lines
from sources.models import LinkHealth, ModerationEvent, Source
from sources.permissions import SourcePermissions
from sources.perspectives import Perspective
from sources.proposals import moderation
from sources.proposals.changes import word_diff
from sources.proposals.endorsements import set_endorsement

from .factories import MemberFactory, ProposalFactory, SourceFactory, proposal_form_data

Status = Source.Status
Action = ModerationEvent.Action


@pytest.fixture
def full_proposal(proposer, themes):
    proposer.perspective = Perspective.NURSE_AHP
    proposer.save()
    return ProposalFactory(
        title="Networks that spread improvement",
        url="https://networks.example.org/reports/spread",
        doi="10.1136/bmjqs-2015-004315",
        kind=Source.Kind.EVALUATION,
        year=2019,
        contributors=[
            {"role": "author", "family": "Author", "given": "Ana"},
            {"role": "author", "family": "Writer", "given": "Ben"},
        ],
        authors="Author A, Writer B",
        publisher="The Network Trust",
        summary="How networks carry improvement from one place to another.",
        rationale="The best evidence we have on spread.",
        stance=Source.Stance.CHALLENGES,
        conflict_of_interest="I sat on the steering group.",
        proposer=proposer,
        themes=themes[:2],
        tags=["networks", "spread"],
    )


def test_review_page_shows_the_whole_proposal(login, moderator, full_proposal, themes):
    endorser = MemberFactory(display_name="Cleo Clinician", perspective=Perspective.CLINICIAN)
    set_endorsement(source=full_proposal, member=endorser, endorse=True)
    post(author=endorser, target=full_proposal, body="We used this in **our** network.")
    similar = SourceFactory(title="Networks that spread improvement work", themes=themes[:1])
    same_site = SourceFactory(
        title="A different report", url="https://networks.example.org/other", themes=themes[:1]
    )

    response = login(moderator).get(f"/moderation/{full_proposal.slug}/")

    html = response.content.decode()
    for shown in [
        "Networks that spread improvement",
        "https://networks.example.org/reports/spread",
        "10.1136/bmjqs-2015-004315",
        "Evaluation",
        "2019",
        "Author A, Writer B",
        "The Network Trust",
        "How networks carry improvement from one place to another.",
        "The best evidence we have on spread.",
        "Challenges",
        themes[0].title,
        themes[1].title,
        "networks",
        "I sat on the steering group.",
        "Nurse or allied health professional",
        "Cleo Clinician",
        "clinician",
        "We used this in <strong>our</strong> network.",
        similar.get_absolute_url(),
        same_site.get_absolute_url(),
    ]:
        assert shown in html, shown
    assert response.context["similar"] == [similar]
    assert response.context["same_site"] == [same_site]
    assert response.context["changes_asked"] is None


def test_resubmitted_proposal_shows_each_changed_field(
    login, client, moderator, proposer, full_proposal, themes
):
    moderation.request_changes(
        source=full_proposal, moderator=moderator, reason="Please give the year it came out."
    )
    client = login(proposer)
    client.post(
        f"/sources/{full_proposal.slug}/edit/",
        {
            **proposal_form_data(
                themes[0],
                title="Networks that spread improvement (2020 update)",
                url=full_proposal.url,
                doi=full_proposal.doi,
                contributors=as_lines(full_proposal.contributors),
                publisher=full_proposal.publisher,
                year=2020,
                kind=full_proposal.kind,
                summary=full_proposal.summary,
                rationale=full_proposal.rationale,
                stance=full_proposal.stance,
                conflict_of_interest=full_proposal.conflict_of_interest,
                tags="networks, spread",
            ),
            "themes": [themes[0].pk],
            "resubmit": "1",
        },
    )
    assert Source.objects.get(pk=full_proposal.pk).status == Status.PROPOSED

    response = login(moderator).get(f"/moderation/{full_proposal.slug}/")

    changes = {
        change.label: (change.before, change.after) for change in response.context["changes"]
    }
    assert changes == {
        "Title": (
            "Networks that spread improvement",
            "Networks that spread improvement (2020 update)",
        ),
        "Year": ("2019", "2020"),
        "Themes": (
            ", ".join(sorted([themes[0].title, themes[1].title])),
            themes[0].title,
        ),
    }
    html = response.content.decode()
    assert "What changed since changes were asked for" in html
    assert "Please give the year it came out." in html
    assert '<del><span class="visually-hidden">removed: </span>2019</del>' in html
    assert '<ins><span class="visually-hidden">added: </span>2020</ins>' in html
    # Only the words that changed are marked, not the whole title.
    assert "<del>" not in html.split("Networks that spread improvement", 2)[-1].split("</dd>")[0]
    assert ' <ins><span class="visually-hidden">added: </span>(2020 update)</ins>' in html


def test_a_proposal_still_with_its_proposer_shows_no_changes(login, moderator, full_proposal):
    moderation.request_changes(source=full_proposal, moderator=moderator, reason="Add a DOI.")

    response = login(moderator).get(f"/moderation/{full_proposal.slug}/")

    assert response.context["changes_asked"] is None
    assert "What changed since" not in response.content.decode()


def test_request_for_changes_keeps_a_snapshot_of_the_fields(moderator, full_proposal):
    moderation.request_changes(source=full_proposal, moderator=moderator, reason="Add a DOI.")

    event = full_proposal.events.get(action=Action.REQUEST_CHANGES)
    assert event.snapshot["title"] == "Networks that spread improvement"
    assert event.snapshot["year"] == 2019
    assert event.snapshot["tags"] == ["networks", "spread"]
    assert len(event.snapshot["themes"]) == 2


# One service for the review


def test_review_applies_the_corrections_and_the_decision_together(moderator, full_proposal, theme):
    moderation.review(
        source=full_proposal,
        moderator=moderator,
        decision=Action.APPROVE,
        corrections={
            "fields": {"title": "Networks That Spread Improvement"},
            "themes": [theme],
            "tags": ["networks"],
        },
    )

    full_proposal.refresh_from_db()
    assert full_proposal.status == Status.APPROVED
    assert full_proposal.title == "Networks That Spread Improvement"
    assert list(full_proposal.themes.all()) == [theme]
    assert [event.action for event in full_proposal.events.all()] == [Action.APPROVE]


def test_a_refused_review_keeps_none_of_its_corrections(moderator, full_proposal, theme):
    moderation.decline(source=full_proposal, moderator=moderator, reason="Out of scope.")

    with pytest.raises(moderation.TransitionError, match="already declined"):
        moderation.review(
            source=full_proposal,
            moderator=moderator,
            decision=Action.APPROVE,
            corrections={"fields": {"title": "A corrected title"}, "themes": [theme], "tags": []},
        )

    full_proposal.refresh_from_db()
    assert full_proposal.title == "Networks that spread improvement"
    assert full_proposal.themes.count() == 2
    assert full_proposal.status == Status.DECLINED


def test_a_review_by_a_member_changes_nothing(member, full_proposal):
    with pytest.raises(moderation.TransitionError, match="Only moderators"):
        moderation.review(source=full_proposal, moderator=member, decision=Action.DECLINE)

    assert Source.objects.get(pk=full_proposal.pk).status == Status.PROPOSED


# Members' own proposals


def resubmit(client, proposal, theme, **changes):
    return client.post(
        f"/sources/{proposal.slug}/edit/",
        {**proposal_form_data(theme, title=proposal.title, **changes), "resubmit": "1"},
    )


def test_my_proposals_after_resubmission_shows_it_waiting_and_its_history(
    login, moderator, proposer, proposal, theme
):
    moderator.display_name = "Mo Moderator"
    moderator.save()
    moderation.request_changes(source=proposal, moderator=moderator, reason="Add the authors.")
    client = login(proposer)
    resubmit(client, proposal, theme, contributors="Author, Ana")

    response = client.get("/me/proposals/")

    html = response.content.decode()
    (shown,) = response.context["page"].object_list
    assert shown.status == Status.PROPOSED
    assert shown.decided_by is None and shown.decision_reason == ""
    assert "Waiting for a moderator" in html
    assert "Proposed by Mo Moderator" not in html
    assert "asked for changes on" not in html
    assert [event.action for event in shown.history] == [Action.REQUEST_CHANGES, Action.RESUBMIT]
    assert "Asked for changes</strong> by Mo Moderator" in html
    assert "Add the authors." in html
    assert "Resubmitted" in html


def test_each_proposal_shows_its_own_history(login, moderator, proposer, theme):
    first = moderation.submit(
        source=Source(
            title="First proposal",
            url="https://example.org/first",
            kind=Source.Kind.REPORT,
            stance=Source.Stance.REFINES,
            summary="The first.",
        ),
        proposer=proposer,
        themes=[theme],
        tags=[],
    )
    second = moderation.submit(
        source=Source(
            title="Second proposal",
            url="https://example.org/second",
            kind=Source.Kind.REPORT,
            stance=Source.Stance.REFINES,
            summary="The second.",
        ),
        proposer=proposer,
        themes=[theme],
        tags=[],
    )
    moderation.decline(source=second, moderator=moderator, reason="We have it already.")

    response = login(proposer).get("/me/proposals/")

    histories = {
        source.title: [event.action for event in source.history]
        for source in response.context["page"].object_list
    }
    assert histories == {
        first.title: [Action.SUBMIT],
        second.title: [Action.SUBMIT, Action.DECLINE],
    }


# One place for who may do what


@pytest.mark.parametrize(
    ("status", "may"),
    [
        (Status.PROPOSED, True),
        (Status.CHANGES_REQUESTED, True),
        (Status.APPROVED, False),
        (Status.DECLINED, False),
        (Status.WITHDRAWN, False),
    ],
)
def test_withdraw_rule_is_the_same_for_page_view_and_service(
    login, proposer, proposal, status, may
):
    Source.objects.filter(pk=proposal.pk).update(status=status, approved_at=proposal.created_at)
    proposal.refresh_from_db()
    client = login(proposer)

    permissions = SourcePermissions(proposal, proposer)
    page = client.get(proposal.get_absolute_url()).content.decode()
    confirm = client.get(f"/sources/{proposal.slug}/withdraw/", follow=True)

    assert permissions.can_withdraw is may
    assert (f"/sources/{proposal.slug}/withdraw/" in page) is may
    if may:
        assert confirm.templates[0].name == "sources/withdraw.html"
    else:
        assert permissions.withdraw_refusal in confirm.content.decode()
        with pytest.raises(moderation.TransitionError):
            moderation.withdraw(source=proposal, member=proposer)


def test_other_members_may_neither_edit_nor_withdraw_but_may_endorse(member, proposal):
    permissions = SourcePermissions(proposal, member)

    assert not permissions.can_edit
    assert not permissions.can_withdraw
    assert permissions.can_endorse
    assert permissions.can_comment
    assert not permissions.can_review
    assert permissions.withdraw_refusal == (
        "Only the member who proposed this source can withdraw it."
    )


# One way to paginate; the views gather the discussion


def test_moderation_log_pages_by_the_library_page_size(client, moderator, theme, settings):
    settings.LIBRARY_PAGE_SIZE = 3
    for index in range(4):
        moderation.approve(
            source=ProposalFactory(title=f"Logged {index}", themes=[theme]), moderator=moderator
        )

    first = client.get("/moderation/log/")
    second = client.get("/moderation/log/?page=2")

    assert len(first.context["page"].object_list) == 3
    assert first.context["page"].paginator.num_pages == 2
    assert len(second.context["page"].object_list) == 1


def test_the_theme_and_source_pages_render_the_discussion_page_asked_for(
    client, theme, source, member, settings
):
    settings.COMMENT_THREADS_PER_PAGE = 2
    for index in range(3):
        post(author=member, target=source, body=f"Thread {index}.")
    post(author=member, target=theme, body="On the theme.")

    source_page = client.get(f"{source.get_absolute_url()}?comments=2")
    theme_page = client.get(theme.get_absolute_url())

    discussion = source_page.context["discussion"]
    assert discussion.target == source
    assert [comment.body for comment in discussion.threads] == ["Thread 2."]
    assert discussion.page.number == 2
    assert "Thread 2." in source_page.content.decode()
    assert [comment.body for comment in theme_page.context["discussion"].threads] == [
        "On the theme."
    ]


def test_a_word_diff_marks_only_the_changed_words_and_escapes_them():
    html = word_diff(
        "Networks carry <b>improvement</b> from one place to another.",
        "Networks carry <b>change</b> from one place to the next.",
    )

    assert html == (
        "Networks carry &lt;b&gt;"
        '<del><span class="visually-hidden">removed: </span>improvement</del>'
        '<ins><span class="visually-hidden">added: </span>change</ins>'
        "&lt;/b&gt; from one place to "
        '<del><span class="visually-hidden">removed: </span>another</del>'
        '<ins><span class="visually-hidden">added: </span>the next</ins>.'
    )
    # The spaces around an added phrase stay outside its mark.
    assert word_diff("shared goals matter", "shared goals and trust matter") == (
        'shared goals <ins><span class="visually-hidden">added: </span>and trust</ins> matter'
    )
    assert word_diff("", "New text") == (
        '<ins><span class="visually-hidden">added: </span>New text</ins>'
    )


def test_review_page_shows_the_links_health_and_the_proposers_record(
    login, moderator, proposer, full_proposal, theme
):
    ProposalFactory(proposer=proposer, status=Status.APPROVED, themes=[theme])
    ProposalFactory(proposer=proposer, status=Status.APPROVED, themes=[theme])
    ProposalFactory(proposer=proposer, status=Status.DECLINED, themes=[theme])
    ProposalFactory(proposer=MemberFactory(), status=Status.APPROVED, themes=[theme])
    client = login(moderator)

    unchecked = client.get(f"/moderation/{full_proposal.slug}/").content.decode()

    assert "Not checked yet: links are checked daily once a source is in the library." in unchecked
    assert (
        "has proposed 4 sources (this one included): <strong>2 approved</strong>, 1 declined, "
        "1 open." in unchecked
    )

    LinkHealth.objects.create(
        source=full_proposal,
        checked_url=full_proposal.url,
        checked_at=full_proposal.created_at,
        outcome="failed",
        error="404 Not Found",
        failures=2,
        failing_since=full_proposal.created_at,
    )
    checked = client.get(f"/moderation/{full_proposal.slug}/").content.decode()

    assert '<span class="link-state link-state--failing">Failing</span>' in checked
    assert "404 Not Found, 2 failed checks in a row." in checked


def test_a_ready_made_reason_is_added_to_the_reason_without_deciding(
    login, moderator, full_proposal
):
    client = login(moderator)

    response = client.post(
        f"/moderation/{full_proposal.slug}/",
        {
            "decision-decision": "request_changes",
            "decision-reason": "Thank you for this.",
            "saved_reason": "summary",
            "add_reason": "1",
            "source-title": "A corrected title, not saved yet",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "Thank you for this.\n\nPlease say in the summary, in your own words, why it matters"
        in page
    )
    assert 'value="request_changes" id="id_decision-decision_1" required checked' in page
    assert 'value="A corrected title, not saved yet"' in page
    full_proposal.refresh_from_db()
    assert full_proposal.status == Status.PROPOSED
    assert full_proposal.title == "Networks that spread improvement"
    assert not ModerationEvent.objects.filter(
        source=full_proposal, action=Action.REQUEST_CHANGES
    ).exists()


def test_only_moderators_may_use_ready_made_reasons(client, login, member, full_proposal):
    data = {"decision-reason": "", "saved_reason": "summary", "add_reason": "1"}
    url = f"/moderation/{full_proposal.slug}/"

    assert "/accounts/login/" in client.post(url, data)["Location"]
    refused = login(member).post(url, data)

    assert refused.status_code == 403
    assert "Please say in the summary" not in refused.content.decode()
