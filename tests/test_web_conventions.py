"""The web's conventions that readers' tools rely on: valid dates in pages, feeds, crawlers'
files, compression, caching and policy headers."""

import re

import pytest

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
