"""Hostile input through every form, then every page and feed that shows it.

A table of values an attacker or a careless paste produces (control characters, bidi overrides,
NUL, line breaks in one-line fields, very long text, tags in other scripts, emoji, punctuation,
Markdown floods, HTML) goes through each form. Each submission is either refused with a clear
message on the field, or stored without a forbidden character; then every page that shows the
result, and the Atom feeds, answer without a server error and without injected markup.
"""

from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from taggit.models import Tag

from comments import discussion
from comments.models import Comment, Flag
from qlibrary import feeds
from qlibrary.models import User
from sources.models import Source, Theme
from sources.proposals import moderation
from sources.text import clean_text, has_forbidden, one_line

from .factories import (
    MemberFactory,
    ProposalFactory,
    SourceFactory,
    proposal_form_data,
    review_form_data,
)
from .test_security import markup_problems

pytestmark = pytest.mark.django_db

# name -> (value, what a one-line field keeps, what a multi-line field keeps); None where the
# value is refused or changed by other rules of the field (length, format).
HOSTILE = {
    "c0-controls": ("Care\x01 and\x07 quality\x1b", "Care and quality", "Care and quality"),
    "c1-controls": ("Care\x85 and\x9b quality\x7f", "Care and quality", "Care and quality"),
    "bidi-overrides": (
        "Care \u202eand\u202c quality \u2066too\u2069",
        "Care and quality too",
        "Care and quality too",
    ),
    "line-breaks": ("Care\r\nand\rquality\u2028too", "Care and quality too", None),
    "tab": ("Care\tand quality", "Care and quality", "Care\tand quality"),
    "nul": ("Care\x00quality", None, None),
    "non-characters": ("Care\ufffe and\uffff quality", "Care and quality", "Care and quality"),
    "arabic": ("تحسين الجودة", "تحسين الجودة", "تحسين الجودة"),
    "emoji": ("🩺💉", None, None),
    "punctuation": ("!!! ... ???", None, None),
    "html": ("<script>alert(1)</script><b>x</b>", None, None),
    "bracket-flood": ("[" * 5000, None, None),
    "nested-lists": ("1. " * 1666, None, None),
    "very-long": ("x" * 10_000, None, None),
    "zero-width-and-combining": ("e\u0301\u200b\ufeffz", None, None),
}
IDS = list(HOSTILE)

SOURCE_TEXT_FIELDS = [
    "title",
    "url",
    "doi",
    "contributors",
    "container_title",
    "publisher",
    "summary",
    "rationale",
    "conflict_of_interest",
    "tags",
]
MULTI_LINE = {"summary", "rationale", "conflict_of_interest", "body", "bio", "note", "reason"}


@pytest.fixture
def client(client):
    """A client that reports a server error as a 500 response instead of raising it."""
    client.raise_request_exception = False
    return client


@pytest.fixture
def roomy(settings, monkeypatch):
    """No daily limits and long feeds, so one test can send and then see the whole table."""
    settings.PROPOSALS_PER_DAY = 10_000
    settings.COMMENTS_PER_10_MINUTES = 10_000
    settings.FLAGS_PER_HOUR = 10_000
    monkeypatch.setattr(feeds, "FEED_LENGTH", 1000)


def expected(name, field):
    value, one, multi = HOSTILE[name]
    return multi if field in MULTI_LINE else one


def outcome(response, field, form="form"):
    """'accepted' for a redirect; 'refused' for a 4xx that names the field's problem."""
    assert response.status_code < 500, (field, response.status_code)
    if response.status_code in (301, 302, 303):
        return "accepted"
    assert 400 <= response.status_code < 500, response.status_code
    errors = response.context[form].errors
    assert errors, "refused without a message"
    assert field in errors or "__all__" in errors, (field, errors)
    return "refused"


def check_stored(text, name, field, failures):
    if has_forbidden(text):
        failures.append((name, field, f"stored {text[:40]!r}"))
    want = expected(name, field)
    # Tags and contributors are stored as names read from the text, not as the text itself.
    if want is not None and text != want and field not in ("tags", "contributors"):
        failures.append((name, field, f"stored {text[:40]!r}, expected {want!r}"))


def pages_to_crawl(moderator):
    """Every page and feed that can show what the table stored: (url, who opens it)."""
    # Readers see the listings and feeds from the page cache; a moderator sees every page.
    public = ["/", "/sources/", "/sources/?q=care", "/moderation/log/", reverse("feed_sources")]
    for theme in Theme.objects.all():
        public += [theme.get_absolute_url(), reverse("feed_theme", args=[theme.slug])]
    every = [*public, "/proposals/", "/moderation/", reverse("comments:flagged")]
    for source in Source.objects.all():
        every += [source.get_absolute_url(), reverse("sources:review", args=[source.slug])]
    every += [reverse("sources:tag", args=[tag.slug]) for tag in Tag.objects.all()]
    every += [user.get_absolute_url() for user in User.objects.all()]
    return [(url, None) for url in public] + [(url, moderator) for url in every]


def crawl(client, moderator):
    """Open every page as a reader and as a moderator (who sees every proposal): no 5xx, no
    injected markup, feeds that parse as XML. Returns the list of problems."""
    problems = []
    for url, person in pages_to_crawl(moderator):
        client.logout()
        if person is not None:
            client.force_login(person)
        response = client.get(url)
        if response.status_code >= 500:
            problems.append((url, person, response.status_code))
        elif response.status_code != 200:
            problems.append((url, person, f"answered {response.status_code}"))
        elif "feed" in url:
            try:
                ElementTree.fromstring(response.content)  # noqa: S314 (our own feed)
            except ElementTree.ParseError as error:
                problems.append((url, person, f"feed does not parse: {error}"))
        elif markup := markup_problems(response.content.decode()):
            problems.append((url, person, markup))
    client.logout()
    return problems


def stored_text(source, field):
    if field == "contributors":
        return " ".join(str(part) for name in source.contributors for part in name.values())
    return ", ".join(source.tags.names()) if field == "tags" else getattr(source, field)


def approve_every_proposal(moderator):
    for source in Source.objects.filter(status=Source.Status.PROPOSED):
        moderation.approve(source=source, moderator=moderator)


# Proposals, the proposer's edits and the moderator's review


def unique_data(theme, number, **fields):
    """A valid proposal whose URL, DOI and title clash with no other; `fields` override."""
    data = {
        "title": f"Source number {number}",
        "url": f"https://example.org/source-{number}",
        "doi": f"10.1000/source-{number}",
        "tags": "evidence",
        "confirm_not_duplicate": "on",
    }
    return proposal_form_data(theme, **{**data, **fields})


@pytest.mark.parametrize("field", SOURCE_TEXT_FIELDS)
def test_hostile_proposals_are_refused_clearly_or_stored_clean(
    client, roomy, theme, member, moderator, field
):
    client.force_login(member)
    failures = []
    for number, (name, (value, _, _)) in enumerate(HOSTILE.items()):
        response = client.post(
            reverse("sources:propose"), unique_data(theme, number, **{field: value})
        )
        if outcome(response, field) == "refused":
            continue
        source = Source.objects.order_by("-pk").first()
        check_stored(stored_text(source, field), name, field, failures)

    approve_every_proposal(moderator)
    assert not failures
    assert not crawl(client, moderator)


# The edit and review forms are the proposal form: one one-line field, one multi-line field and
# the tags are enough to show that they clean the same way.
@pytest.mark.parametrize("field", ["title", "summary", "tags"])
def test_hostile_edits_by_the_proposer_and_the_moderator_are_safe(
    client, roomy, theme, proposer, moderator, field
):
    failures = []
    for number, (name, (value, _, _)) in enumerate(HOSTILE.items()):
        proposal = ProposalFactory(
            title=f"Proposal {number}", proposer=proposer, themes=[theme], tags=["evidence"]
        )
        client.force_login(proposer)
        data = unique_data(theme, number, **{field: value})
        response = client.post(reverse("sources:edit", args=[proposal.slug]), data)
        if outcome(response, field) == "accepted":
            proposal.refresh_from_db()
            stored = (
                ", ".join(proposal.tags.names()) if field == "tags" else getattr(proposal, field)
            )
            check_stored(stored, name, field, failures)

        client.force_login(moderator)
        reviewed = ProposalFactory(title=f"Reviewed {number}", themes=[theme], tags=["evidence"])
        data = review_form_data(reviewed, "request_changes", reason=value, **{field: value})
        response = client.post(reverse("sources:review", args=[reviewed.slug]), data)
        assert response.status_code < 500, (name, field)
        if response.status_code == 302:
            reviewed.refresh_from_db()
            check_stored(reviewed.decision_reason, name, "reason", failures)
        else:
            errors = {
                **response.context["edit_form"].errors,
                **response.context["decision_form"].errors,
            }
            assert errors, (name, field, "refused without a message")

    approve_every_proposal(moderator)
    assert not failures
    assert not crawl(client, moderator)


def test_hostile_retirement_reasons_are_refused_or_logged_clean(client, theme, moderator):
    client.force_login(moderator)
    for name, (value, _, _) in HOSTILE.items():
        source = SourceFactory(title=f"To retire: {name}", themes=[theme])

        response = client.post(
            reverse("sources:retire", args=[source.slug]), {"retire-reason": value}
        )

        assert response.status_code == 302, name
        source.refresh_from_db()
        if source.status == Source.Status.RETIRED:
            assert not has_forbidden(source.events.get(action="retire").reason), name
        else:
            assert list(get_messages(response.wsgi_request)), (name, "refused without a message")
    assert not crawl(client, moderator)


# Tags in any script


def test_a_tag_in_another_script_has_a_page(client, theme, member, moderator):
    client.force_login(member)
    data = proposal_form_data(theme, tags="تحسين الجودة, качество, 品質")

    response = client.post(reverse("sources:propose"), data)

    assert response.status_code == 302
    source = Source.objects.get()
    page = client.get(source.get_absolute_url())
    assert page.status_code == 200
    moderation.approve(source=source, moderator=moderator)
    for name in ["تحسين الجودة", "качество", "品質"]:
        tag = Tag.objects.get(name=name)
        url = reverse("sources:tag", args=[tag.slug])
        assert url in client.get(source.get_absolute_url()).content.decode()
        tag_page = client.get(url)
        assert tag_page.status_code == 200
        assert source.title in tag_page.content.decode()
        listing = client.get("/sources/", {"tag": tag.slug})
        assert source.title in listing.content.decode()


@pytest.mark.parametrize("tags", ["🩺", "!!!", "🩺, networks", "..., ---"])
def test_a_tag_without_a_letter_or_digit_is_a_clear_form_error(client, theme, member, tags):
    client.force_login(member)

    response = client.post(reverse("sources:propose"), proposal_form_data(theme, tags=tags))

    assert response.status_code == 400
    [error] = response.context["form"].errors["tags"]
    assert "needs at least one letter or digit" in error
    assert not Source.objects.exists()
    assert not Tag.objects.filter(slug="").exists()


def test_a_tag_stored_with_an_empty_slug_never_breaks_a_page(client, theme, moderator):
    """Tags stored before tags needed a letter or digit: the pages still show them."""
    source = SourceFactory(title="Tagged long ago", themes=[theme])
    source.tags.add(Tag.objects.create(name="🩺"))
    assert Tag.objects.get(name="🩺").slug == ""

    for url in [source.get_absolute_url(), theme.get_absolute_url(), "/sources/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "🩺" in response.content.decode()


def test_the_migration_gives_wordless_tags_a_reachable_slug(client, theme):
    from importlib import import_module

    from django.apps import apps

    reslug = import_module("sources.migrations.0009_reslug_wordless_tags").reslug
    source = SourceFactory(title="Tagged long ago", themes=[theme])
    emoji = Tag.objects.create(name="🩺")
    dots = Tag.objects.create(name="...")  # taggit gave it "_1" after the first empty slug
    kept = Tag.objects.create(name="2020")
    source.tags.add(emoji, dots, kept)

    reslug(apps, None)

    emoji.refresh_from_db()
    dots.refresh_from_db()
    kept.refresh_from_db()
    assert (emoji.slug, dots.slug, kept.slug) == (f"tag-{emoji.pk}", f"tag-{dots.pk}", "2020")
    response = client.get(reverse("sources:tag", args=[emoji.slug]))
    assert response.status_code == 200
    assert "Tagged long ago" in response.content.decode()


# Discussions


@pytest.mark.parametrize("where", ["theme", "source"])
def test_hostile_comments_replies_and_edits_are_refused_clearly_or_stored_clean(
    client, roomy, theme, member, other_member, moderator, where
):
    target = theme if where == "theme" else SourceFactory(themes=[theme])
    post_url = reverse(f"comments:post_on_{where}", args=[target.slug])
    opening = discussion.post(author=other_member, target=target, body="An opening comment.")
    client.force_login(member)
    failures = []
    for name, (value, _, _) in HOSTILE.items():
        for data in [{"body": value}, {"body": value, "parent": opening.pk}]:
            before = Comment.objects.count()
            if outcome(client.post(post_url, data), "body") == "accepted":
                comment = Comment.objects.order_by("-pk").first()
                assert Comment.objects.count() == before + 1
                check_stored(comment.body, name, "body", failures)
                if has_forbidden(comment.body_html):
                    failures.append((name, "body_html", comment.body_html[:40]))
        mine = discussion.post(author=member, target=target, body="To be edited.")
        response = client.post(reverse("comments:edit", args=[mine.pk]), {"body": value})
        if outcome(response, "body") == "accepted":
            mine.refresh_from_db()
            check_stored(mine.body, name, "body", failures)

    assert not failures
    assert not crawl(client, moderator)


def test_hostile_flag_notes_and_moderation_reasons_are_refused_or_stored_clean(
    client, roomy, theme, member, other_member, moderator
):
    failures = []
    for name, (value, _, _) in HOSTILE.items():
        comment = discussion.post(author=other_member, target=theme, body=f"Flag me: {name}.")
        client.force_login(member)

        response = client.post(
            reverse("comments:flag", args=[comment.pk]), {"reason": "other", "note": value}
        )

        if outcome(response, "note") == "accepted":
            check_stored(Flag.objects.get(comment=comment).note, name, "note", failures)
        client.force_login(moderator)
        for action in ["hide", "restore"]:
            response = client.post(
                reverse(f"comments:{action}", args=[comment.pk]), {"reason": value}
            )
            assert response.status_code == 302
            assert list(get_messages(response.wsgi_request)), (name, "no message")
    for text in Comment.objects.values_list("moderation_reason", flat=True):
        assert not has_forbidden(text)
    assert not failures
    assert not crawl(client, moderator)


# Profiles and accounts


@pytest.mark.parametrize("field", ["display_name", "organisation", "bio"])
def test_hostile_profile_fields_are_refused_clearly_or_stored_clean(
    client, theme, moderator, field
):
    failures = []
    for name, (value, _, _) in HOSTILE.items():
        member = MemberFactory()
        discussion.post(author=member, target=theme, body="So the name shows in the discussion.")
        client.force_login(member)
        if outcome(client.post(reverse("edit_profile"), {field: value}), field) == "accepted":
            member.refresh_from_db()
            check_stored(getattr(member, field), name, field, failures)

    assert not failures
    assert not crawl(client, moderator)


@pytest.mark.parametrize("name", IDS)
def test_hostile_sign_up_fields_are_form_errors_or_clean(client, themes, name):
    value = HOSTILE[name][0]
    for data in [
        {"username": value, "email": "new@example.org"},
        {"username": "newcomer", "email": f"{value}@example.org"},
    ]:
        data.update(password1="a-long-enough-password", password2="a-long-enough-password")

        response = client.post(reverse("account_signup"), data)

        assert response.status_code < 500
    for user in User.objects.all():
        assert not has_forbidden(user.username + user.email)


# Query strings


def test_hostile_search_and_filter_values_give_a_page(client, theme, member, moderator):
    source = SourceFactory(title="Care and quality", themes=[theme], tags=["care"])
    ProposalFactory(title="Care proposed", themes=[theme])
    listings = [
        "/sources/",
        theme.get_absolute_url(),
        reverse("sources:tag", args=["care"]),
        "/proposals/",
        "/moderation/",
    ]
    parameters = ["q", "theme", "kind", "tag", "year", "sort", "page", "comments", "order"]
    client.force_login(moderator)
    for name, (value, one_line_value, _) in HOSTILE.items():
        for url in listings:
            response = client.get(url, dict.fromkeys(parameters, value))
            assert response.status_code == 200, (name, url, response.status_code)
        if one_line_value == "Care and quality":
            # The invisible characters are dropped before searching, so the words still match.
            found = client.get("/sources/", {"q": value})
            assert source.title in found.content.decode(), name


def test_hostile_api_parameters_are_refused_clearly_or_cleaned(client, theme):
    """PostgreSQL cannot compare text holding NUL: the API refuses it as the forms do."""
    source = SourceFactory(title="Care and quality", themes=[theme], tags=["care"])
    for name, (value, one_line_value, _) in HOSTILE.items():
        slug = quote(value[:200], safe="")
        for path in ["/api/sources/", f"/api/sources/{slug}/", f"/api/themes/{slug}/"]:
            response = client.get(path, dict.fromkeys(["q", "tag", "theme", "cursor"], value))
            assert response.status_code in (200, 404, 422), (name, path, response.status_code)
            if response.status_code == 422:
                assert response.json()["detail"], (name, path)
        if one_line_value == "Care and quality":
            found = client.get("/api/sources/", {"q": value}).json()
            assert [item["title"] for item in found["results"]] == [source.title], name


# Stored rows from before: feeds and e-mails hold


def test_feeds_hold_on_rows_stored_with_control_characters(client, theme):
    writer = MemberFactory(display_name="Name\x01 with a control")
    source = SourceFactory(
        title="Title\x07 with a bell",
        summary="Summary\x0b with a vertical tab",
        authors="Author\x1b",
        themes=[theme],
    )
    Comment.objects.create(
        theme=theme, author=writer, body="Body\x01", body_html="<p>Body\x01\x02</p>"
    )
    Comment.objects.create(
        source=source, author=writer, body="Body\x08", body_html="<p>Body\x08</p>"
    )

    for url in [reverse("feed_sources"), reverse("feed_theme", args=[theme.slug])]:
        response = client.get(url)
        assert response.status_code == 200, url
        root = ElementTree.fromstring(response.content)  # noqa: S314 (our own feed)
        text = "".join(root.itertext())
        assert "Title with a bell" in text
        assert not has_forbidden(text)
    assert (
        "Name with a control commented"
        in client.get(reverse("feed_theme", args=[theme.slug])).content.decode()
    )


def test_a_line_break_in_a_display_name_does_not_lose_the_reply_email(
    theme, member, django_capture_on_commit_callbacks, mailoutbox
):
    # Stored before the forms made names one line.
    replier = MemberFactory(display_name="Evil\r\nBcc: everyone@example.org")
    opening = discussion.post(author=member, target=theme, body="An opening comment.")

    with django_capture_on_commit_callbacks(execute=True):
        discussion.post(author=replier, target=theme, body="A reply.", parent=opening)

    [message] = mailoutbox
    assert message.subject == "[Q Library] Evil Bcc: everyone@example.org replied to you"
    assert message.to == [member.email]
    assert "everyone@example.org" not in message.recipients()


def test_a_line_break_in_a_display_name_is_a_space_from_the_form(client, member):
    client.force_login(member)

    client.post(reverse("edit_profile"), {"display_name": "Mia\r\nBcc: x@example.org"})

    member.refresh_from_db()
    assert member.display_name == "Mia Bcc: x@example.org"


# The cleaning itself, and that every form uses it


def test_clean_text_keeps_what_readers_see_and_drops_what_they_cannot():
    assert clean_text("a\x01b\u202ec\u2066d\x85e") == "abcde"
    assert clean_text("one\r\ntwo\tthree") == "one two three"
    assert clean_text("one\r\ntwo\rthree\tfour", multiline=True) == "one\ntwo\nthree\tfour"
    assert clean_text("تحسين 🩺 e\u0301") == "تحسين 🩺 e\u0301"
    assert one_line("Evil\r\nBcc:\x00 x") == "Evil Bcc: x"


def test_controls_inside_a_url_and_a_doi_are_dropped(client, theme, member):
    client.force_login(member)
    data = proposal_form_data(
        theme, url="https://example.org/\x07report\u202e", doi="10.1136/\x01bmjqs\u2066"
    )

    response = client.post(reverse("sources:propose"), data)

    assert response.status_code == 302
    source = Source.objects.get()
    assert (source.url, source.doi) == ("https://example.org/report", "10.1136/bmjqs")


def test_every_form_of_the_site_strips_invisible_characters():
    """A new form that forgets the mixin fails here, not in a feed months later."""
    from django import forms

    import comments.forms
    import qlibrary.forms
    import sources.library.filters
    import sources.lists.forms
    import sources.proposals.forms
    from sources.text import CleanTextMixin

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [
        form
        for form in subclasses(forms.BaseForm)
        if form.__module__.split(".")[0] in {"sources", "comments", "qlibrary"}
    ]
    assert len(ours) >= 8, ours
    assert [form for form in ours if not issubclass(form, CleanTextMixin)] == []
    assert comments.forms and qlibrary.forms and sources.library.filters and sources.proposals.forms
    assert sources.lists.forms
