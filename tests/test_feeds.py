"""Atom feeds of new sources and of each theme's sources and comments."""

import re
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.core.cache import caches
from django.utils import timezone

from comments import discussion, flags
from sources.models import Source

from .factories import MemberFactory, ModeratorFactory, SourceFactory

ATOM = "{http://www.w3.org/2005/Atom}"


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own feed)
    assert root.tag == f"{ATOM}feed"
    return root


def entries(root):
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary"),
            "id": entry.findtext(f"{ATOM}id"),
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


def test_new_sources_feed_lists_approved_sources_with_absolute_links(client, theme):
    SourceFactory(title="Approved one", themes=[theme])
    SourceFactory(title="Still a proposal", status=Source.Status.PROPOSED, themes=[theme])

    items = entries(parse(client.get("/feeds/sources/")))

    titles = [item["title"] for item in items]
    assert "Approved one" in titles
    assert "Still a proposal" not in titles
    approved = next(item for item in items if item["title"] == "Approved one")
    assert approved["link"].startswith("http://testserver/sources/")


def test_feed_summaries_keep_member_text_as_text(client, theme):
    SourceFactory(title="Escaped", summary="<script>alert(1)</script>", themes=[theme])

    items = entries(parse(client.get("/feeds/sources/")))

    summary = next(item for item in items if item["title"] == "Escaped")["summary"]
    # Atom readers decode the summary as HTML: the tag must arrive escaped, as text.
    assert "<script>" not in summary
    assert "&lt;script&gt;" in summary


def test_theme_feed_has_its_sources_and_visible_comments_only(client, themes):
    first, second = themes[0], themes[1]
    member = MemberFactory()
    moderator = ModeratorFactory()
    in_theme = SourceFactory(title="In the theme", themes=[first])
    SourceFactory(title="In another theme", themes=[second])
    discussion.post(author=member, target=first, body="A **theme** comment")
    discussion.post(author=member, target=in_theme, body="A source comment")
    hidden = discussion.post(author=member, target=first, body="Soon hidden")
    flags.hide(comment=hidden, moderator=moderator, reason="Off-topic")
    discussion.post(author=member, target=second, body="Elsewhere")

    items = entries(parse(client.get(f"/themes/{first.slug}/feed/")))

    titles = [item["title"] for item in items]
    summaries = " ".join(item["summary"] or "" for item in items)
    assert "In the theme" in titles
    assert "In another theme" not in titles
    assert sum("commented on" in title for title in titles) == 2
    assert "<strong>theme</strong>" in summaries
    assert "A source comment" in summaries
    assert "Soon hidden" not in summaries
    assert "Elsewhere" not in summaries
    assert all(item["link"].startswith("http://testserver/") for item in items)


def test_unknown_theme_feed_is_a_404(client, db):
    assert client.get("/themes/no-such-theme/feed/").status_code == 404


@pytest.mark.parametrize("path", ["/", "/sources/"])
def test_pages_link_the_new_sources_feed(client, db, path):
    page = client.get(path).content.decode()

    assert 'type="application/atom+xml"' in page
    assert 'href="/feeds/sources/"' in page


def test_theme_page_links_its_own_feed(client, theme):
    page = client.get(theme.get_absolute_url()).content.decode()

    assert f'href="/themes/{theme.slug}/feed/"' in page


RFC3339 = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"


def assert_valid_atom(root):
    """What RFC 4287 requires of a feed and of each entry: an id (an IRI), a title and an
    updated date (4.1.1, 4.1.2), an author somewhere, and ids unique within the feed."""
    for element in (root, *root.findall(f"{ATOM}entry")):
        assert re.fullmatch(r"[a-z][a-z0-9+.-]*:\S+", element.findtext(f"{ATOM}id") or "")
        assert element.findtext(f"{ATOM}title")
        assert re.fullmatch(RFC3339, element.findtext(f"{ATOM}updated") or "")
        assert len(element.findall(f"{ATOM}id")) == 1
        assert len(element.findall(f"{ATOM}updated")) == 1
        if element is not root:
            assert element.find(f"{ATOM}author") is not None or root.find(f"{ATOM}author")
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    ids = [entry.findtext(f"{ATOM}id") for entry in root.findall(f"{ATOM}entry")]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("kind", ["new sources", "theme"])
def test_feeds_are_valid_atom_with_an_updated_date_on_every_entry(client, theme, kind):
    source = SourceFactory(title="In the theme", themes=[theme], authors="")
    discussion.post(author=MemberFactory(), target=theme, body="A theme comment")
    discussion.post(author=MemberFactory(), target=source, body="A source comment")
    url = "/feeds/sources/" if kind == "new sources" else f"/themes/{theme.slug}/feed/"

    root = parse(client.get(url))

    assert root.findall(f"{ATOM}entry")
    assert_valid_atom(root)


def test_entry_ids_are_tag_uris_that_outlive_slugs_and_addresses(client, theme, settings):
    settings.FEED_ID_AUTHORITY = "library.example.org"
    settings.ALLOWED_HOSTS = ["testserver", "new.example.org"]
    source = SourceFactory(title="Renamed later", themes=[theme], slug="first-slug")
    comment = discussion.post(author=MemberFactory(), target=theme, body="A comment")
    approved_on = timezone.localtime(source.approved_at).date().isoformat()
    commented_on = timezone.localtime(comment.created_at).date().isoformat()

    before = {
        url: entries(parse(client.get(url)))
        for url in ("/feeds/sources/", f"/themes/{theme.slug}/feed/")
    }
    Source.objects.filter(pk=source.pk).update(slug="second-slug")
    caches["pages"].clear()
    after = {url: entries(parse(client.get(url, HTTP_HOST="new.example.org"))) for url in before}

    source_id = f"tag:library.example.org,{approved_on}:source/{source.pk}"
    comment_id = f"tag:library.example.org,{commented_on}:comment/{comment.pk}"
    for url in before:
        assert source_id in [item["id"] for item in before[url]]
        assert [item["id"] for item in before[url]] == [item["id"] for item in after[url]]
        assert any("second-slug" in item["link"] for item in after[url])
    assert comment_id in [item["id"] for item in after[f"/themes/{theme.slug}/feed/"]]


PRISM = "{http://prismstandard.org/namespaces/basic/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"


@pytest.mark.parametrize("kind", ["new sources", "theme"])
def test_a_source_entry_carries_its_bibliographic_record(client, theme, kind):
    source = SourceFactory(
        title="Culture and behaviour",
        kind=Source.Kind.JOURNAL_ARTICLE,
        themes=[theme],
        doi="10.1136/bmjqs-2013-001947",
        container_title="BMJ Quality & Safety",
        volume="23",
        issue="2",
        page_first="106",
        page_last="115",
        edition="",
        publisher="BMJ",
        pmid="24019507",
        pmcid="PMC3913222",
        issn="2044-5415",
        year=2014,
        issued_month=2,
        language="en",
    )
    source.set_contributors(
        [
            {"role": "author", "family": "Dixon-Woods", "given": "Mary"},
            {"role": "author", "literal": "Sustainable Improvement Team, NHS England"},
            {"role": "editor", "family": "van der Berg", "given": "J.", "suffix": "Jr."},
        ]
    )
    source.save()
    url = "/feeds/sources/" if kind == "new sources" else f"/themes/{theme.slug}/feed/"

    root = parse(client.get(url))

    assert_valid_atom(root)
    (entry,) = root.findall(f"{ATOM}entry")
    assert [a.findtext(f"{ATOM}name") for a in entry.findall(f"{ATOM}author")] == [
        "Mary Dixon-Woods",
        "Sustainable Improvement Team, NHS England",
    ]
    assert [c.findtext(f"{ATOM}name") for c in entry.findall(f"{ATOM}contributor")] == [
        "J. van der Berg Jr."
    ]
    record = {
        child.tag: child.text
        for child in entry
        if child.tag.startswith((PRISM, DC)) and child.tag != f"{DC}identifier"
    }
    assert record == {
        f"{PRISM}publicationName": "BMJ Quality & Safety",
        f"{PRISM}volume": "23",
        f"{PRISM}number": "2",
        f"{PRISM}startingPage": "106",
        f"{PRISM}endingPage": "115",
        f"{PRISM}publicationDate": "2014-02",
        f"{PRISM}doi": "10.1136/bmjqs-2013-001947",
        f"{PRISM}issn": "2044-5415",
        f"{DC}publisher": "BMJ",
        f"{DC}language": "en",
    }
    assert [identifier.text for identifier in entry.findall(f"{DC}identifier")] == [
        "info:pmid/24019507",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC3913222/",
    ]
    described = entry.find(f"{ATOM}link[@rel='describedby']")
    assert described.get("type") == "application/vnd.citationstyles.csl+json"
    exported = client.get(urlsplit(described.get("href")).path)
    (item,) = exported.json()
    assert (item["container-title"], item["volume"]) == ("BMJ Quality & Safety", "23")


def test_a_report_gives_its_number_and_an_editor_only_record_its_author_line(client, theme):
    source = SourceFactory(title="Edited report", themes=[theme], report_number="QS-7")
    source.set_contributors([{"role": "editor", "family": "Berwick", "given": "Donald M."}])
    source.save()

    (entry,) = parse(client.get("/feeds/sources/")).findall(f"{ATOM}entry")

    assert entry.findtext(f"{PRISM}number") == "QS-7"
    assert [a.findtext(f"{ATOM}name") for a in entry.findall(f"{ATOM}author")] == [
        "Berwick DM (ed.)"
    ]
    assert entry.find(f"{ATOM}contributor").findtext(f"{ATOM}name") == "Donald M. Berwick"
