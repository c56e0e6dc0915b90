"""The web's conventions that readers' tools rely on: valid dates in pages, feeds, crawlers'
files, compression, caching and policy headers."""

import gzip
import re
from xml.etree import ElementTree

import pytest

try:
    import brotli
except ImportError:
    brotli = None

from sources.lists.models import ReadingList
from sources.models import Source

from .factories import CommentFactory, MemberFactory, SourceFactory

pytestmark = pytest.mark.django_db

# HTML's global date and time: seconds with at most three digits of fraction, then the offset.
HTML_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:?\d\d)")


def test_time_elements_carry_dates_html_accepts(client, theme, source):
    CommentFactory(theme=theme, body="On the theme.")
    CommentFactory(source=source, body="On the source.", edited_at=source.approved_at)

    for page in (theme.get_absolute_url(), source.get_absolute_url(), "/privacy/"):
        html = client.get(page).content.decode()
        values = re.findall(r'<time datetime="([^"]*)"', html)
        assert values, page
        for value in values:
            assert HTML_DATETIME.fullmatch(value), (page, value)


def test_sign_up_password_help_is_a_list_outside_any_paragraph(client):
    html = client.get("/accounts/signup/").content.decode()

    help_block = re.search(r'<(\w+) class="field__help" id="id_password1_helptext">', html)
    assert help_block and help_block.group(1) == "div"
    assert 'aria-describedby="id_password1_helptext"' in html
    assert 'aria-describedby=""' not in html


def _decoded(response):
    encoding = response.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(response.content).decode()
    if encoding == "br":
        return brotli.decompress(response.content).decode()
    return response.content.decode()


@pytest.mark.parametrize("page", ["theme", "feed", "api"])
def test_readers_pages_feeds_and_api_are_compressed(client, theme, source, page):
    url = {
        "theme": theme.get_absolute_url(),
        "feed": f"/themes/{theme.slug}/feed/",
        "api": "/api/sources/",
    }[page]

    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")

    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert source.title in _decoded(response)
    assert int(response["Content-Length"]) == len(response.content)


def test_brotli_is_used_where_the_browser_takes_it(client, theme, source):
    pytest.importorskip("brotli")

    response = client.get(theme.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip, br")

    assert response["Content-Encoding"] == "br"
    assert source.title in _decoded(response)


def test_a_compressed_page_still_answers_conditional_requests(client, theme, source):
    first = client.get(theme.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip"

    again = client.get(
        theme.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"]
    )

    assert again.status_code == 304
    assert again.content == b""


def test_no_page_for_a_signed_in_member_is_compressed(client, member, theme, source):
    client.force_login(member)

    response = client.get(theme.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip, br")

    assert not response.has_header("Content-Encoding")
    assert source.title in response.content.decode()


def test_no_page_holding_a_csrf_token_is_compressed(client, db):
    response = client.get("/accounts/login/", HTTP_ACCEPT_ENCODING="gzip, br")

    assert not response.has_header("Content-Encoding")
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


@pytest.mark.parametrize(
    "persona, url",
    [
        ("moderator", "/moderation/"),
        ("member", "/members/member/"),
        ("member", "/sources/propose/"),
        ("member", "/me/profile/"),
        ("member", "/map/"),
    ],
)
def test_every_signed_in_page_is_private_to_caches(client, request, persona, url):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(url)

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_readers_pages_may_be_kept_by_shared_caches(client, theme):
    response = client.get(theme.get_absolute_url())

    assert theme.title in response.content.decode()
    assert "private" not in response.get("Cache-Control", "")


def test_every_response_switches_off_features_the_site_never_uses(client, db):
    response = client.get("/")

    policy = response["Permissions-Policy"]
    assert "camera=()" in policy
    assert "geolocation=()" in policy
    assert "microphone=()" in policy


def test_robots_txt_keeps_crawlers_to_readers_pages_and_names_the_sitemap(client, db):
    response = client.get("/robots.txt")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for private in ("/moderation/", "/accounts/", "/me/", "/admin/", "/api/", "/*/export/"):
        assert f"Disallow: {private}" in lines
    assert "Allow: /moderation/log/" in lines
    assert "Allow: /accounts/signup/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_sitemap_lists_themes_approved_sources_tags_and_site_pages(client, themes, proposal):
    approved = SourceFactory(title="In the library", themes=[themes[0]], tags=["networks"])
    SourceFactory(title="Retired", status=Source.Status.RETIRED, tags=["retired-only"])
    public_list = ReadingList.objects.create(
        owner=proposal.proposer, title="Shared", slug="shared", visibility="public"
    )
    private_list = ReadingList.objects.create(
        owner=proposal.proposer, title="Mine", slug="mine-only", visibility="private"
    )

    response = client.get("/sitemap.xml")

    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own sitemap)
    entries = {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in root.findall(f"{SITEMAP}url")
    }
    site = "http://testserver"
    assert entries[site + approved.get_absolute_url()] == approved.updated_at.date().isoformat()
    assert site + proposal.get_absolute_url() not in entries
    for theme in themes:
        assert site + theme.get_absolute_url() in entries
    assert site + "/tags/networks/" in entries
    assert site + "/tags/retired-only/" not in entries
    for page in ("/", "/sources/", "/map/", "/data/", "/lists/", "/about/", "/privacy/"):
        assert site + page in entries
    assert site + public_list.get_absolute_url() in entries
    assert site + private_list.get_absolute_url() not in entries


def test_sitemap_queries_do_not_grow_with_the_library(client, themes, assert_db_queries):
    owner = MemberFactory()
    for number in range(3):
        SourceFactory(themes=[themes[0]], tags=[f"tag-{number}"])
        ReadingList.objects.create(owner=owner, title="A list", slug=f"list-{number}")
    ReadingList.objects.filter(slug="list-0").update(visibility="public")
    with assert_db_queries(9):
        client.get("/sitemap.xml")
    for number in range(3, 9):
        SourceFactory(themes=[themes[1]], tags=[f"tag-{number}"])
        ReadingList.objects.create(owner=owner, title="A list", slug=f"list-{number}")
    ReadingList.objects.update(visibility="public")
    with assert_db_queries(9):
        client.get("/sitemap.xml")


def _meta(html, attribute, name):
    found = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    return found and found.group(1)


def test_readers_pages_name_their_canonical_address_and_how_they_are_shared(
    client, settings, theme
):
    settings.SITE_URL = "https://library.example.org"
    source = SourceFactory(
        title="Skilled & ready", summary="Why skills matter.", themes=[theme], slug="skilled"
    )

    html = client.get("/sources/skilled/?from=search").content.decode()

    assert '<link rel="canonical" href="https://library.example.org/sources/skilled/">' in html
    assert _meta(html, "property", "og:url") == "https://library.example.org/sources/skilled/"
    assert _meta(html, "property", "og:title") == "Skilled &amp; ready"
    assert _meta(html, "property", "og:description") == source.summary
    assert _meta(html, "name", "description") == source.summary
    assert _meta(html, "property", "og:type") == "article"

    theme_page = client.get(theme.get_absolute_url()).content.decode()
    assert _meta(theme_page, "property", "og:title") == theme.title
    assert _meta(theme_page, "property", "og:description") == theme.summary
    assert _meta(theme_page, "property", "og:type") == "website"

    listing = client.get("/sources/?page=2&sort=title").content.decode()
    assert '<link rel="canonical" href="https://library.example.org/sources/?page=2">' in listing


@pytest.mark.parametrize("url", ["/", "/sources/", "/map/", "/data/", "/tags/skills/", "/about/"])
def test_every_readers_page_has_open_graph_tags(client, source, url):
    html = client.get(url).content.decode()

    assert html.count('<link rel="canonical"') == 1
    for name in ("og:title", "og:description", "og:url", "og:type"):
        assert _meta(html, "property", name), (url, name)


def test_api_docs_are_a_page_of_the_site(client, db):
    html = client.get("/api/docs").content.decode()

    assert '<html lang="en-GB">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<a class="api-docs__home" href="/">' in html
    assert 'href="/data/"' in html
    assert "css/api-docs.css" in html
    assert "<main" in html
    assert "<script>" not in html  # the strict CSP allows no inline script
    # The operations are on the page itself; Swagger UI is loaded only when asked for.
    assert "<code>/api/sources/{slug}/</code>" in html
    assert "A theme&#x27;s slug." in html
    assert "swagger-ui-bundle.js" not in html.split("</head>")[0]
