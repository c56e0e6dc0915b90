"""Readers find things: the header search, relevance order, the stance filter, visible feeds,
the theme page's actions and a moderation log that reads on a phone."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sources.models import Source
from sources.proposals import moderation

from .factories import CommentFactory, ProposalFactory, SourceFactory

pytestmark = pytest.mark.django_db


def titles_on(response):
    return [source.title for source in response.context["page"].object_list]


@pytest.mark.parametrize("path", ["/", "/sources/", "/moderation/log/", "/no-such-page/"])
def test_every_page_has_the_header_search_box(client, themes, path):
    html = client.get(path).content.decode()

    header = html.split('<main id="main"', 1)[0]
    assert '<form class="site-search" method="get" action="/sources/" role="search"' in header
    assert '<label for="site-search-q" class="visually-hidden">Search the library</label>' in header
    assert 'name="q"' in header


def test_a_search_is_ordered_by_relevance_unless_another_order_is_chosen(client, theme):
    now = timezone.now()
    SourceFactory(
        title="Huddles at the front line",
        themes=[theme],
        approved_at=now - timedelta(days=30),
    )
    SourceFactory(
        title="Newest report",
        summary="Mentions huddles in passing.",
        themes=[theme],
        approved_at=now,
    )

    by_relevance = client.get(reverse("sources:list"), {"q": "huddles"})
    by_date = client.get(reverse("sources:list"), {"q": "huddles", "sort": "newest"})

    assert titles_on(by_relevance) == ["Huddles at the front line", "Newest report"]
    assert titles_on(by_date) == ["Newest report", "Huddles at the front line"]
    # The order the page shows as chosen (a select's first option, when none is selected).
    sort_select = by_relevance.content.decode().split('name="sort"', 1)[1]
    assert re.match(r'[^>]*>\s*<option value="relevance">Relevance</option>', sort_select)


def test_best_match_without_search_words_lists_newest_first(client, theme):
    now = timezone.now()
    SourceFactory(title="Older", themes=[theme], approved_at=now - timedelta(days=3))
    SourceFactory(title="Newer", themes=[theme], approved_at=now)

    response = client.get(reverse("sources:list"), {"sort": "relevance"})

    assert titles_on(response) == ["Newer", "Older"]
    assert "We ignored" not in response.content.decode()


@pytest.fixture
def stances(theme):
    for stance in Source.Stance:
        SourceFactory(
            title=f"A source that {stance.value}", stance=stance, themes=[theme], tags=["spread"]
        )


@pytest.mark.parametrize(
    "url",
    [
        lambda theme: reverse("sources:list"),
        lambda theme: theme.get_absolute_url(),
        lambda theme: reverse("sources:tag", args=["spread"]),
    ],
    ids=["browse", "theme", "tag"],
)
def test_listings_filter_by_stance(client, theme, stances, url):
    response = client.get(url(theme), {"stance": "challenges"})

    assert titles_on(response) == ["A source that challenges"]
    html = response.content.decode()
    assert '<label for="id_stance">Stance</label>' in html
    assert '<option value="challenges" selected>Challenges</option>' in html


def test_open_proposals_filter_by_stance(login, member, theme, proposer):
    ProposalFactory(title="Refining", stance="refines", proposer=proposer, themes=[theme])
    ProposalFactory(title="Challenging", stance="challenges", proposer=proposer, themes=[theme])

    response = login(member).get(reverse("sources:proposals"), {"stance": "refines"})

    assert titles_on(response) == ["Refining"]
    assert '<option value="refines" selected>Refines</option>' in response.content.decode()


@pytest.mark.parametrize(
    ("url", "feed"),
    [
        (lambda theme: "/", "/feeds/sources/"),
        (lambda theme: "/sources/", "/feeds/sources/"),
        (lambda theme: theme.get_absolute_url(), None),
    ],
    ids=["home", "browse", "theme"],
)
def test_pages_with_a_feed_show_a_subscribe_link_and_its_address(
    client, settings, theme, source, url, feed
):
    settings.SITE_URL = "https://library.example.org"
    feed = feed or reverse("feed_theme", args=[theme.slug])

    html = client.get(url(theme)).content.decode()

    assert re.search(rf'<a class="subscribe__link" href="{feed}">.*Subscribe to ', html)
    assert f"https://library.example.org{feed}</code>" in html


def test_theme_page_offers_to_propose_for_it_and_leads_to_its_discussion(client, theme):
    CommentFactory(theme=theme, body="Where do we start?")

    html = client.get(theme.get_absolute_url()).content.decode()

    propose = f'href="/sources/propose/?theme={theme.slug}">Propose a source for this theme</a>'
    assert propose in html
    discussion_link = html.index('href="#discussion"')
    assert discussion_link < html.index('id="sources-heading"') < html.index('id="discussion"')


def test_proposal_form_opens_with_the_theme_chosen(login, member, themes):
    chosen = themes[1]

    response = login(member).get(reverse("sources:propose"), {"theme": chosen.slug})

    assert response.context["form"]["themes"].value() == [chosen.pk]
    assert f'value="{chosen.pk}" id="id_themes_1" checked' in response.content.decode()


def test_proposal_form_ignores_an_unknown_theme(login, member, themes):
    response = login(member).get(reverse("sources:propose"), {"theme": "no-such-theme"})

    assert response.status_code == 200
    assert response.context["form"]["themes"].value() == []


def test_moderation_log_is_a_list_with_every_reason_and_links_the_rules(
    client, proposal, moderator
):
    moderation.decline(
        source=proposal, moderator=moderator, reason="It breaks the rules on advertising."
    )

    html = client.get(reverse("sources:moderation_log")).content.decode()

    assert "<table" not in html
    assert '<ol class="log-list"' in html
    assert 'It breaks <a href="/guidelines/">the rules</a> on advertising.' in html, (
        "the reason cites the rules, so it links to them"
    )
