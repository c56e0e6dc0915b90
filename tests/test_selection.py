"""A reader's selection at /basket/: added from any card or page without an account, cited as
one bibliography in each style's order, downloaded as documents and reference-manager files."""

import json

import bibtexparser
import pytest
import rispy
from django.urls import reverse

from sources.evidence import citations
from sources.lists import bibliography, selection
from sources.models import Source

from .factories import SourceFactory, three_sources_out_of_order


def person(family, given):
    return {"role": "author", "family": family, "given": given}


pytestmark = pytest.mark.django_db

ADD = "/basket/add/"


@pytest.fixture
def three(theme):
    """Three sources whose alphabetical order (by first author) is not the order added."""
    return three_sources_out_of_order(theme)


def add_all(client, sources):
    for source in sources:
        client.post(ADD, {"source": source.slug}, HTTP_ACCEPT="application/json")


def test_a_card_asks_for_the_add_page_and_that_page_posts_back_to_where_it_was(
    client, three, theme
):
    listing = client.get(theme.get_absolute_url()).content.decode()
    assert f'action="{ADD}"' in listing and f'value="{three[0].slug}"' in listing
    assert "csrfmiddlewaretoken" not in listing  # a reader's page stays the same for all

    page = client.get(
        ADD, {"source": three[0].slug}, HTTP_REFERER=f"http://testserver/themes/{theme.slug}/"
    )
    html = page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'name="next" value="/themes/{theme.slug}/"' in html

    response = client.post(ADD, {"source": three[0].slug, "next": f"/themes/{theme.slug}/"})
    assert response.status_code == 302 and response.url == f"/themes/{theme.slug}/"
    assert selection.selected_ids(client.session) == [three[0].pk]
    assert response.cookies[selection.COUNT_COOKIE].value == "1"


def test_adding_twice_keeps_one_and_removing_and_clearing_empty_it(client, three):
    add_all(client, three)
    client.post(ADD, {"source": three[0].slug})
    assert selection.selected_ids(client.session) == [source.pk for source in three]

    client.post("/basket/remove/", {"source": three[1].slug})
    assert selection.selected_ids(client.session) == [three[0].pk, three[2].pk]
    client.post("/basket/clear/")
    assert selection.selected_ids(client.session) == []
    assert "Your selection is empty" in client.get("/basket/").content.decode()


def test_the_script_gets_json_and_the_selected_slugs(client, three):
    response = client.post(ADD, {"source": three[0].slug}, HTTP_ACCEPT="application/json")
    assert response.json() == {"count": 1, "selected": True}
    state = client.get("/basket/state/").json()
    assert state["sources"] == [three[0].slug] and state["count"] == 1 and state["csrf"]


def test_the_post_needs_a_csrf_token(three):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(ADD, {"source": three[0].slug})
    assert response.status_code == 403
    assert selection.selected_ids(strict.session) == []


def test_only_sources_in_the_library_can_be_selected(client, proposal):
    response = client.post(ADD, {"source": proposal.slug})
    assert response.status_code == 404
    assert selection.selected_ids(client.session) == []


def test_a_source_that_leaves_the_library_drops_out_of_the_selection(client, three):
    add_all(client, three)
    assert three[1].title in client.get("/basket/").content.decode()
    Source.objects.filter(pk=three[1].pk).update(status=Source.Status.RETIRED)
    html = client.get("/basket/").content.decode()
    assert three[0].title in html and three[1].title not in html
    assert "2 sources selected" in html


def test_an_edit_to_a_selected_source_shows_on_the_next_read(client, three):
    add_all(client, three)
    assert three[1].title in client.get("/basket/?style=harvard").content.decode()
    Source.objects.filter(pk=three[1].pk).update(title="A corrected title")
    html = client.get("/basket/?style=harvard").content.decode()
    assert html.count("A corrected title") == 3  # its link, its Remove button, its citation


def test_a_full_selection_says_so_and_adds_nothing(client, three, settings, monkeypatch):
    monkeypatch.setattr(selection, "LIMIT", 2)
    add_all(client, three[:2])
    response = client.post(ADD, {"source": three[2].slug}, follow=True)
    assert "Your selection is full" in response.content.decode()
    assert selection.selected_ids(client.session) == [three[0].pk, three[1].pk]


def test_apa_and_harvard_order_by_first_author_vancouver_numbers_in_selection_order(client, three):
    add_all(client, three)
    apa = client.get("/basket/").content.decode()
    positions = [apa.index(name) for name in ("Brown", "Martin", "Young")]
    assert positions == sorted(positions)
    harvard = client.get("/basket/", {"style": "harvard"}).content.decode()
    positions = [harvard.index(name) for name in ("Brown", "Martin", "Young")]
    assert positions == sorted(positions)

    vancouver = client.get("/basket/", {"style": "vancouver"}).content.decode()
    body = vancouver[vancouver.index('id="bibliography-text"') :]
    assert "<ol" in body.split("</div>")[0]
    positions = [body.index(name) for name in ("Young", "Brown", "Martin")]
    assert positions == sorted(positions)


def test_the_bibliography_downloads_as_text_and_html(client, three):
    add_all(client, three)
    text = client.get("/basket/export/text/", {"style": "vancouver"})
    assert text["Content-Disposition"] == 'attachment; filename="my-selection-vancouver.txt"'
    lines = [line for line in text.content.decode().splitlines() if line]
    assert lines[0] == "My selection"
    assert lines[1].startswith("1. Young K") and lines[3].startswith("3. Martin G")
    assert "<" not in text.content.decode()

    html = client.get("/basket/export/html/").content.decode()
    assert html.startswith("<!DOCTYPE html>") and "APA" in html
    assert html.index("Brown") < html.index("Young")


def test_ris_bibtex_and_csl_json_hold_the_same_three_records(client, three):
    add_all(client, three)
    ris = rispy.loads(client.get("/basket/export/ris/").content.decode())
    assert [entry["title"] for entry in ris] == [source.title for source in three]
    bib = bibtexparser.parse_string(client.get("/basket/export/bibtex/").content.decode())
    assert [entry["title"] for entry in bib.entries] == [source.title for source in three]
    items = json.loads(client.get("/basket/export/csl-json/").content)
    assert [item["id"] for item in items] == [source.slug for source in three]
    assert client.get("/basket/export/pdf/").status_code == 404


def test_user_text_in_a_citation_is_escaped(client, theme):
    source = SourceFactory(
        title="<script>alert(1)</script> care",
        contributors=[person("Evil", "E.")],
        authors="Evil E",
        themes=[theme],
    )
    client.post(ADD, {"source": source.slug})
    html = client.get("/basket/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_a_citation_is_rendered_once_and_follows_an_edit(three, monkeypatch):
    calls = []
    real = citations.format_citation
    monkeypatch.setattr(
        citations, "format_citation", lambda item, style: calls.append(1) or real(item, style)
    )
    bibliography.entries(three, "apa")
    bibliography.entries(three, "apa")
    assert len(calls) == 3
    three[0].title = "A new title"
    three[0].save()  # an edit moves updated_at, part of the key
    html = {s.pk: h for s, h in bibliography.entries(three, "apa")}
    assert len(calls) == 4 and "A new title" in html[three[0].pk]


def test_a_bibliography_reads_the_citations_stored_with_its_sources(three, monkeypatch):
    citations.store_citations([source.pk for source in three])
    stored = list(Source.objects.filter(pk__in=[source.pk for source in three]))
    monkeypatch.setattr(citations, "format_citation", lambda item, style: pytest.fail(style))
    html = {s.pk: h for s, h in bibliography.entries(stored, "vancouver")}
    assert html == {s.pk: s.rendered_citations["vancouver"] for s in stored}
    stored[0].title = "A title the stored citations do not have"
    monkeypatch.undo()
    html = {s.pk: h for s, h in bibliography.entries(stored, "vancouver")}
    assert "A title the stored citations do not have" in html[stored[0].pk]


@pytest.mark.parametrize("number", [1, 25])
def test_the_selection_page_runs_the_same_queries_for_few_and_many(
    client, theme, number, assert_db_queries
):
    sources = [SourceFactory(themes=[theme], tags=["t"]) for _ in range(number)]
    add_all(client, sources)
    with assert_db_queries(3):  # the key, the sources (with successor and link check), notices
        first = client.get("/basket/")
    with assert_db_queries(1):  # the key: the list and its bibliography are a fragment
        response = client.get("/basket/")
    for page in (first, response):
        assert page.content.decode().count('class="selection-list__item"') == number


def test_a_member_sees_the_count_in_the_header(client, member, three):
    client.force_login(member)
    add_all(client, three[:2])
    html = client.get(reverse("home")).content.decode()
    assert "data-selection-count>(2)</span>" in html
