"""The web's conventions that readers' tools rely on: valid dates in pages, feeds, crawlers'
files, compression, caching and policy headers."""

import gzip
import re

import pytest

try:
    import brotli
except ImportError:
    brotli = None

from .factories import CommentFactory

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

