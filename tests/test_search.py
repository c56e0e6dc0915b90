"""Search on the browse page: the same behaviour on SQLite and PostgreSQL, plus ranking,
stemming and web-search syntax where PostgreSQL's full-text search is available."""

import pytest
from django.db import connection
from django.urls import reverse

from sources.models import Source

from .factories import SourceFactory

pytestmark = pytest.mark.django_db

EMPTY_STATE = "No sources match these filters."
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="ranking, stemming and web-search syntax need PostgreSQL full-text search",
)


def search(client, q, **params):
    return client.get(reverse("sources:list"), {"q": q, **params})


def titles_on(response):
    return [source.title for source in response.context["page"].object_list]


@pytest.fixture
def library(themes):
    """Sources each holding one rare word in a different field."""
    SourceFactory(title="Kaizen in the ward", themes=[themes[0]])
    SourceFactory(title="By author", authors="Deming W E", themes=[themes[0]])
    SourceFactory(title="By organisation", organisation="Nuffield Trust", themes=[themes[1]])
    SourceFactory(
        title="By summary", summary="Clinical microsystems at the front line.", themes=[themes[1]]
    )
    SourceFactory(title="By tag", tags=["Huddles"], themes=[themes[2]])
    SourceFactory(title="Plain", themes=[themes[2]])


@pytest.mark.parametrize(
    ("word", "title"),
    [
        ("kaizen", "Kaizen in the ward"),
        ("Deming", "By author"),
        ("nuffield", "By organisation"),
        ("microsystems", "By summary"),
        ("huddles", "By tag"),
    ],
)
def test_search_finds_a_word_in_each_field(client, library, word, title):
    response = search(client, word)

    assert titles_on(response) == [title]
    assert f"Results for “{word}”" in response.content.decode()


def test_search_for_a_word_found_nowhere_shows_the_empty_state(client, library):
    response = search(client, "zeppelin")

    assert titles_on(response) == []
    assert EMPTY_STATE in response.content.decode()


def test_every_word_must_match(client, library):
    assert titles_on(search(client, "kaizen ward")) == ["Kaizen in the ward"]
    assert titles_on(search(client, "kaizen deming")) == []


def test_search_finds_only_approved_sources(client, theme):
    SourceFactory(title="Approved kaizen", themes=[theme])
    for status in Source.Status:
        if status != Source.Status.APPROVED:
            SourceFactory(title=f"Kaizen {status}", themes=[theme], status=status)

    response = search(client, "kaizen")

    assert titles_on(response) == ["Approved kaizen"]
    assert "Kaizen proposed" not in response.content.decode()


def test_search_combines_with_theme_and_kind(client, themes):
    first, second, _ = themes
    SourceFactory(title="Kaizen book", kind=Source.Kind.BOOK, themes=[first])
    SourceFactory(title="Kaizen report", kind=Source.Kind.REPORT, themes=[first])
    SourceFactory(title="Kaizen book elsewhere", kind=Source.Kind.BOOK, themes=[second])
    SourceFactory(title="Unrelated book", kind=Source.Kind.BOOK, themes=[first])

    assert set(titles_on(search(client, "kaizen", theme=first.slug))) == {
        "Kaizen book",
        "Kaizen report",
    }
    assert titles_on(search(client, "kaizen", theme=first.slug, kind="book")) == ["Kaizen book"]
    assert set(titles_on(search(client, "kaizen", kind="book"))) == {
        "Kaizen book",
        "Kaizen book elsewhere",
    }


def test_search_with_a_sort_uses_that_order(client, theme):
    SourceFactory(title="Kaizen B", themes=[theme])
    SourceFactory(title="Kaizen A", themes=[theme])
    SourceFactory(title="Kaizen C", themes=[theme])

    response = search(client, "kaizen", sort="title")

    assert titles_on(response) == ["Kaizen A", "Kaizen B", "Kaizen C"]


def test_pagination_links_keep_the_query(client, settings, theme):
    settings.LIBRARY_PAGE_SIZE = 2
    SourceFactory.create_batch(3, title="Kaizen study", themes=[theme])
    SourceFactory.create_batch(3, title="Something else", themes=[theme])

    first = search(client, "kaizen")
    second = client.get(reverse("sources:list"), {"q": "kaizen", "page": "2"})

    assert first.context["page"].paginator.count == 3
    assert 'href="?q=kaizen&amp;page=2"' in first.content.decode()
    assert titles_on(second) == ["Kaizen study"]
    assert 'href="?q=kaizen&amp;page=1"' in second.content.decode()


def test_the_search_box_keeps_the_query(client, library):
    content = search(client, "kaizen").content.decode()

    assert 'value="kaizen"' in content


@pytest.mark.parametrize(
    "q", ["'", '"', "&|!", "!!", "()", ":*", "-", "or", "kaizen -", '"unclosed', "%", "_", "\\"]
)
def test_odd_input_never_breaks_the_page(client, library, q):
    response = search(client, q)

    assert response.status_code == 200
    assert "Browse the library" in response.content.decode()


@pytest.mark.parametrize("q", ["a" * 201, "a" * 300, "kaizen\x00"])
def test_invalid_query_is_ignored_with_a_note(client, library, q):
    response = search(client, q)

    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["filters"].ignored == ["Search"]
    assert "We ignored an unknown value for: Search." in content
    assert len(titles_on(response)) == 6


def test_query_of_exactly_the_maximum_length_is_searched(client, library):
    response = search(client, "a" * 200)

    assert response.context["filters"].ignored == []
    assert titles_on(response) == []
    assert EMPTY_STATE in response.content.decode()


def test_search_vector_follows_tags_changed_after_creation(client, theme):
    source = SourceFactory(title="Retagged", themes=[theme])
    source.tags.set(["telehealth"])
    Source.objects.filter(pk=source.pk).refresh_search_vectors()

    assert titles_on(search(client, "telehealth")) == ["Retagged"]


@postgresql_only
def test_title_match_ranks_above_summary_only_match(client, theme):
    SourceFactory(title="An overview", summary="It mentions resilience once.", themes=[theme])
    SourceFactory(title="Resilience in health care", summary="About teams.", themes=[theme])
    SourceFactory(title="A third", summary="Nothing to see.", themes=[theme])

    response = search(client, "resilience")

    # The summary-only match is the newer, higher-pk one too, so ranking must do the ordering.
    assert titles_on(response) == ["Resilience in health care", "An overview"]


@postgresql_only
def test_stemming_finds_other_forms_of_a_word(client, theme):
    SourceFactory(title="The network effect", themes=[theme])
    SourceFactory(title="Organising for improvement", themes=[theme])

    assert titles_on(search(client, "networks")) == ["The network effect"]
    assert titles_on(search(client, "networking")) == ["The network effect"]
    assert titles_on(search(client, "organise")) == ["Organising for improvement"]


@postgresql_only
def test_web_search_syntax_with_quotes_and_minus(client, theme):
    SourceFactory(title="Peer network learning", summary="In hospital.", themes=[theme])
    SourceFactory(title="Peer network learning", summary="In primary care.", themes=[theme])
    SourceFactory(title="Network of peers", summary="In primary care.", themes=[theme])

    phrase = search(client, '"peer network"')
    excluded = search(client, '"peer network" -hospital')
    either = search(client, "hospital or peers")

    assert len(titles_on(phrase)) == 2
    assert [source.summary for source in excluded.context["page"].object_list] == [
        "In primary care."
    ]
    assert titles_on(excluded) == ["Peer network learning"]
    assert len(titles_on(either)) == 3


def test_searches_share_the_filter_bar_and_a_note_about_ignored_words_is_their_own(client, library):
    first = search(client, "kaizen")
    other_words = search(client, "lean")
    ignored = search(client, "a" * 201)
    valid_again = search(client, "flow")

    def bar_rendered(response):
        return "includes/filters.html" in [template.name for template in response.templates]

    # The bar shows no search words (the page's search box does): every search of the library
    # shares one, rendered once.
    assert bar_rendered(first)
    assert not bar_rendered(other_words)
    assert not bar_rendered(valid_again)
    assert 'id="id_kind"' in other_words.content.decode()
    assert "We ignored an unknown value for: Search." in ignored.content.decode()
    assert "We ignored" not in valid_again.content.decode()
