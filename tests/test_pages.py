import datetime
import json

import pytest
from django.db import DatabaseError, OperationalError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from qlibrary.views import server_error
from sources.models import Source

from .factories import SourceFactory

pytestmark = pytest.mark.django_db

NOT_APPROVED = [status for status in Source.Status if status != Source.Status.APPROVED]
EMPTY_STATE = "No sources match these filters."
NOT_FOUND = "We couldn't find that page"


def titles_on(response):
    return [source.title for source in response.context["page"].object_list]


def assert_in_order(content, *texts):
    """Each text appears in the HTML, in the order given."""
    positions = [content.index(text) for text in texts]
    assert positions == sorted(positions), f"{texts} appear out of order"


# Home


def test_home_shows_the_three_themes_with_counts_of_approved_sources(client, themes):
    first, second, third = themes
    SourceFactory.create_batch(2, themes=[first])
    SourceFactory(themes=[first, second])
    for status in NOT_APPROVED:
        SourceFactory(themes=[first, second, third], status=status)

    response = client.get(reverse("home"))

    content = response.content.decode()
    assert [(theme.slug, theme.source_count) for theme in response.context["themes"]] == [
        (first.slug, 3),
        (second.slug, 1),
        (third.slug, 0),
    ]
    assert_in_order(content, first.title, second.title, third.title)
    for theme in themes:
        assert f'href="{theme.get_absolute_url()}"' in content
    assert "3 sources" in content
    assert "1 source<" in content
    assert "0 sources" in content


def test_home_lists_recently_added_sources_newest_first(client, theme):
    now = timezone.now()
    SourceFactory(title="An older report", themes=[theme], approved_at=now - datetime.timedelta(3))
    SourceFactory(title="The newest report", themes=[theme], approved_at=now)
    SourceFactory(title="A waiting proposal", themes=[theme], status=Source.Status.PROPOSED)

    response = client.get(reverse("home"))

    content = response.content.decode()
    heading = content.index('id="recent-heading"')
    recent = content[heading : content.index("</section>", heading)]
    assert recent.count('<article class="card source-card">') == 2
    assert "Recently added" in content
    assert_in_order(recent, "The newest report", "An older report")
    assert "A waiting proposal" not in content


def test_home_links_to_propose_a_source(client, themes):
    response = client.get(reverse("home"))

    assert f'href="{reverse("sources:propose")}"' in response.content.decode()
    assert "Propose a source" in response.content.decode()


def test_home_without_sources_says_nothing_has_been_added(client, themes):
    response = client.get(reverse("home"))

    assert "Nothing has been added to the library yet." in response.content.decode()


# Theme page


def test_theme_page_lists_its_approved_sources_only(client, themes):
    first, second, _ = themes
    SourceFactory(title="Inside the theme", themes=[first])
    SourceFactory(title="In two themes", themes=[first, second])
    SourceFactory(title="Another theme entirely", themes=[second])
    for status in NOT_APPROVED:
        SourceFactory(title=f"Not approved: {status}", themes=[first], status=status)

    response = client.get(first.get_absolute_url())

    content = response.content.decode()
    assert set(titles_on(response)) == {"Inside the theme", "In two themes"}
    assert response.context["total"] == 2
    assert f"<h1>{first.title}</h1>" in content
    assert "Inside the theme" in content
    assert "In two themes" in content
    assert "Another theme entirely" not in content
    assert "Not approved" not in content


def test_theme_page_without_sources_invites_a_proposal(client, theme):
    response = client.get(theme.get_absolute_url())

    assert "No sources have been added to this theme yet." in response.content.decode()
    assert list(response.context["page"].object_list) == []


def test_theme_page_filters_by_kind(client, theme):
    SourceFactory(title="A book", kind=Source.Kind.BOOK, themes=[theme])
    SourceFactory(title="A report", kind=Source.Kind.REPORT, themes=[theme])

    response = client.get(theme.get_absolute_url(), {"kind": "book"})

    assert titles_on(response) == ["A book"]
    assert "A report" not in response.content.decode()


def test_theme_page_filters_by_tag(client, theme):
    SourceFactory(title="About huddles", tags=["Safety huddles"], themes=[theme])
    SourceFactory(title="About networks", tags=["networks"], themes=[theme])

    response = client.get(theme.get_absolute_url(), {"tag": "safety-huddles"})

    assert titles_on(response) == ["About huddles"]
    assert "About networks" not in response.content.decode()


def test_theme_page_filters_by_year(client, theme):
    SourceFactory(title="From 2021", year=2021, themes=[theme])
    SourceFactory(title="From 2015", year=2015, themes=[theme])

    response = client.get(theme.get_absolute_url(), {"year": "2015"})

    assert titles_on(response) == ["From 2015"]
    assert "From 2021" not in response.content.decode()


def test_theme_page_offers_only_filter_options_present_in_the_theme(client, themes):
    first, second, _ = themes
    SourceFactory(kind=Source.Kind.BOOK, year=2011, tags=["inside"], themes=[first])
    SourceFactory(kind=Source.Kind.VIDEO, year=1999, tags=["outside"], themes=[second])

    response = client.get(first.get_absolute_url())

    filters = response.context["filters"]
    assert [value for value, _ in filters.fields["kind"].choices] == ["", "book"]
    assert [value for value, _ in filters.fields["year"].choices] == ["", "2011"]
    assert [value for value, _ in filters.fields["tag"].choices] == ["", "inside"]


def test_the_tag_filter_offers_the_most_used_tags_and_still_takes_any_other(
    client, theme, monkeypatch
):
    monkeypatch.setattr("sources.library.filters.TAG_OPTIONS", 2)
    SourceFactory(title="Common", tags=["common", "usual"], themes=[theme])
    SourceFactory(title="Usual", tags=["common", "usual"], themes=[theme])
    SourceFactory(title="Rare", tags=["rare"], themes=[theme])

    offered = client.get(theme.get_absolute_url()).context["filters"].fields["tag"].choices
    chosen = client.get(theme.get_absolute_url(), {"tag": "rare"})

    assert [value for value, _ in offered] == ["", "common", "usual"]
    assert titles_on(chosen) == ["Rare"]
    assert 'option value="rare" selected' in chosen.content.decode()
    assert not chosen.context["filters"].ignored


@pytest.fixture
def three_sorted_sources(theme):
    now = timezone.now()
    SourceFactory(
        title="Banana", themes=[theme], endorsement_count=5, approved_at=now - datetime.timedelta(2)
    )
    SourceFactory(title="Apple", themes=[theme], endorsement_count=1, approved_at=now)
    SourceFactory(
        title="Cherry", themes=[theme], endorsement_count=9, approved_at=now - datetime.timedelta(5)
    )
    return theme


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", ["Apple", "Banana", "Cherry"]),
        ("newest", ["Apple", "Banana", "Cherry"]),
        ("endorsed", ["Cherry", "Banana", "Apple"]),
        ("", ["Apple", "Banana", "Cherry"]),
    ],
)
def test_theme_page_sorts(client, three_sorted_sources, sort, expected):
    response = client.get(three_sorted_sources.get_absolute_url(), {"sort": sort})

    assert titles_on(response) == expected
    assert_in_order(response.content.decode(), *(f">{title}</a>" for title in expected))


def test_theme_page_newest_first_by_default(client, theme):
    now = timezone.now()
    SourceFactory(title="Old", themes=[theme], approved_at=now - datetime.timedelta(days=30))
    SourceFactory(title="New", themes=[theme], approved_at=now)

    response = client.get(theme.get_absolute_url())

    assert titles_on(response) == ["New", "Old"]


def test_pagination_keeps_the_filters_in_page_links(client, settings, theme):
    settings.LIBRARY_PAGE_SIZE = 2
    SourceFactory.create_batch(5, kind=Source.Kind.BOOK, themes=[theme])
    SourceFactory(kind=Source.Kind.REPORT, themes=[theme])

    first = client.get(theme.get_absolute_url(), {"kind": "book", "sort": "title"})
    second = client.get(theme.get_absolute_url(), {"kind": "book", "sort": "title", "page": "2"})

    assert len(first.context["page"].object_list) == 2
    assert first.context["page"].paginator.num_pages == 3
    assert 'href="?kind=book&amp;sort=title&amp;page=2"' in first.content.decode()
    assert "Page 1 of 3" in first.content.decode()
    assert second.context["page"].number == 2
    assert 'href="?kind=book&amp;sort=title&amp;page=1"' in second.content.decode()
    assert 'href="?kind=book&amp;sort=title&amp;page=3"' in second.content.decode()
    assert "Showing 3–4 of 5 sources" in second.content.decode()
    assert set(first.context["page"].object_list).isdisjoint(second.context["page"].object_list)


@pytest.mark.parametrize(("page", "expected"), [("abc", 1), ("999", 3), ("0", 3), ("-1", 3)])
def test_bad_page_number_gives_a_real_page(client, settings, theme, page, expected):
    settings.LIBRARY_PAGE_SIZE = 2
    SourceFactory.create_batch(5, themes=[theme])

    response = client.get(theme.get_absolute_url(), {"page": page})

    assert response.status_code == 200
    assert response.context["page"].number == expected
    assert f"Page {expected} of 3" in response.content.decode()


def test_unknown_filter_values_are_ignored_with_a_note(client, theme):
    SourceFactory(title="Still listed", themes=[theme])

    response = client.get(
        theme.get_absolute_url(), {"kind": "nonsense", "sort": "zzz", "year": "abc"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert set(response.context["filters"].ignored) == {"Kind", "Year", "Sort by"}
    assert "We ignored an unknown value for: Kind, Year, Sort by." in content
    assert titles_on(response) == ["Still listed"]


def test_filters_that_match_nothing_show_the_empty_state(client, theme):
    SourceFactory(year=2020, kind=Source.Kind.BOOK, themes=[theme])
    SourceFactory(year=2010, kind=Source.Kind.REPORT, themes=[theme])

    response = client.get(theme.get_absolute_url(), {"year": "2020", "kind": "report"})

    assert list(response.context["page"].object_list) == []
    assert EMPTY_STATE in response.content.decode()


# Source page


def test_source_page_shows_everything_about_the_source(client, themes, member):
    first, second, _ = themes
    source = SourceFactory(
        title="Building the foundations for improvement",
        contributors=[
            {"role": "author", "family": "Alderwick", "given": "H."},
            {"role": "author", "family": "Jones", "given": "B."},
        ],
        authors="Alderwick H, Jones B",
        publisher="The Health Foundation",
        year=2015,
        kind=Source.Kind.REPORT,
        stance=Source.Stance.CHALLENGES,
        summary="How five organisations built improvement capability.",
        url="https://example.org/foundations",
        themes=[first, second],
        tags=["capability", "Board leadership"],
        proposer=member,
    )

    response = client.get(source.get_absolute_url())

    content = response.content.decode()
    assert response.context["source"] == source
    assert "<h1>Building the foundations for improvement</h1>" in content
    assert "Alderwick H, Jones B" in content
    assert "The Health Foundation" in content
    assert "<dd>Report</dd>" in content
    assert "<dd>Challenges</dd>" in content
    assert f'href="{first.get_absolute_url()}">{first.title}</a>' in content
    assert f'href="{second.get_absolute_url()}">{second.title}</a>' in content
    assert f'href="{reverse("sources:tag", args=["capability"])}">capability</a>' in content
    assert f'href="{reverse("sources:tag", args=["board-leadership"])}">Board leadership</a>' in (
        content
    )
    assert "How five organisations built improvement capability." in content
    assert (
        "Alderwick, H., &amp; Jones, B. (2015). <i>Building the foundations for improvement</i>. "
        "The Health Foundation. https://example.org/foundations"
    ) in content
    assert "No conflict of interest declared" in content
    assert "Mia Member" in content


def test_source_page_shows_the_declared_conflict_of_interest(client, theme):
    source = SourceFactory(themes=[theme], conflict_of_interest="I co-wrote this report.")

    content = client.get(source.get_absolute_url()).content.decode()

    assert "I co-wrote this report." in content
    assert "No conflict of interest declared" not in content


def test_source_page_links_the_doi(client, theme):
    source = SourceFactory(themes=[theme], doi="10.1000/xyz", url="")

    content = client.get(source.get_absolute_url()).content.decode()

    assert 'href="https://doi.org/10.1000/xyz"' in content


@pytest.mark.parametrize("status", NOT_APPROVED)
def test_source_that_is_not_approved_is_not_found_by_readers(client, theme, status):
    source = SourceFactory(themes=[theme], status=status, title="Hidden from readers")

    response = client.get(source.get_absolute_url())

    assert response.status_code == 404
    assert NOT_FOUND in response.content.decode()
    assert "Hidden from readers" not in response.content.decode()


@pytest.mark.parametrize("status", NOT_APPROVED)
def test_source_that_is_not_approved_is_listed_nowhere(client, theme, status):
    SourceFactory(themes=[theme], tags=["shared"], title="Shown to readers")
    SourceFactory(themes=[theme], tags=["shared"], status=status, title="Hidden from readers")

    pages = [
        reverse("home"),
        theme.get_absolute_url(),
        reverse("sources:list"),
        reverse("sources:list") + "?q=readers",
        reverse("sources:tag", args=["shared"]),
    ]
    for url in pages:
        content = client.get(url).content.decode()
        assert "Shown to readers" in content, url
        assert "Hidden from readers" not in content, url


@pytest.mark.parametrize(
    "url",
    [
        "/themes/no-such-theme/",
        "/tags/no-such-tag/",
        "/sources/no-such-source/",
        "/nowhere-at-all/",
    ],
)
def test_unknown_address_gives_a_friendly_404(client, themes, url):
    response = client.get(url)

    content = response.content.decode()
    assert response.status_code == 404
    assert NOT_FOUND in content
    assert f'href="{reverse("sources:list")}"' in content


# Tag page


def test_tag_page_lists_approved_sources_with_the_tag(client, themes):
    first, second, _ = themes
    SourceFactory(title="Tagged in one theme", tags=["spread", "scale"], themes=[first])
    SourceFactory(title="Tagged in another theme", tags=["spread"], themes=[second])
    SourceFactory(title="Not tagged", tags=["scale"], themes=[first])
    SourceFactory(title="Tagged but proposed", tags=["spread"], status=Source.Status.PROPOSED)

    response = client.get(reverse("sources:tag", args=["spread"]))

    content = response.content.decode()
    assert response.context["tag"].slug == "spread"
    assert set(titles_on(response)) == {"Tagged in one theme", "Tagged in another theme"}
    assert "Sources tagged “spread”" in content
    assert "Not tagged" not in content
    assert "Tagged but proposed" not in content


def test_tag_page_filters_by_kind(client, theme):
    SourceFactory(title="Tagged book", tags=["spread"], kind=Source.Kind.BOOK, themes=[theme])
    SourceFactory(title="Tagged video", tags=["spread"], kind=Source.Kind.VIDEO, themes=[theme])

    response = client.get(reverse("sources:tag", args=["spread"]), {"kind": "video"})

    assert titles_on(response) == ["Tagged video"]


# Browse page


def test_browse_page_lists_every_approved_source(client, themes):
    for theme in themes:
        SourceFactory(title=f"In {theme.slug}", themes=[theme])
    SourceFactory(title="Awaiting a decision", status=Source.Status.PROPOSED)

    response = client.get(reverse("sources:list"))

    assert set(titles_on(response)) == {f"In {theme.slug}" for theme in themes}
    assert "of 3 sources" in response.content.decode()
    assert "Awaiting a decision" not in response.content.decode()


def test_browse_page_filters_by_theme(client, themes):
    first, second, _ = themes
    SourceFactory(title="First theme source", themes=[first])
    SourceFactory(title="Second theme source", themes=[second])

    response = client.get(reverse("sources:list"), {"theme": second.slug})

    assert titles_on(response) == ["Second theme source"]


# Health check and error pages


def test_healthz_answers_ok_with_the_database_up(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


class BrokenConnection:
    """Stands in for django.db.connection when the database is down."""

    def __init__(self, error):
        self.error = error

    def cursor(self):
        raise self.error("could not connect to server")


@pytest.mark.parametrize("error", [DatabaseError, OperationalError])
def test_healthz_answers_503_when_the_database_errors(client, monkeypatch, error):
    monkeypatch.setattr("qlibrary.views.connection", BrokenConnection(error))

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable", "database": "not answering"}


def test_server_error_renders_the_friendly_500_page():
    request = RequestFactory().get("/sources/")

    response = server_error(request)

    content = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in content
    assert 'href="/sources/"' in content


# Escaping and security headers

SCRIPT_TITLE = "<script>alert(1)</script>"


def test_user_text_is_escaped_on_every_page(client, theme):
    source = SourceFactory(
        title=SCRIPT_TITLE,
        authors='"><img src=x onerror=alert(2)>',
        summary="<b>bold</b> claim",
        tags=["<i>tag</i>"],
        themes=[theme],
    )

    for url in [
        source.get_absolute_url(),
        theme.get_absolute_url(),
        reverse("sources:list"),
        reverse("home"),
    ]:
        content = client.get(url).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content, url
        assert "<script>alert(1)" not in content, url
        assert "<img src=x" not in content, url
        assert "<b>bold</b>" not in content, url
        assert "<i>tag</i>" not in content, url


def test_pages_send_a_strict_content_security_policy(client, source):
    for url in [reverse("home"), source.get_absolute_url(), reverse("sources:list")]:
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
        assert "object-src 'none'" in policy


def test_pages_send_security_headers(client, themes):
    response = client.get(reverse("home"))

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_carry_no_inline_script_or_style(client, source):
    for url in [reverse("home"), source.get_absolute_url(), reverse("sources:list")]:
        content = client.get(url).content.decode()
        assert "<script>" not in content, url
        assert "style=" not in content, url
