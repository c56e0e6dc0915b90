"""E-mails about comments carry the comment as readable plain text (no Markdown signs), with
absolute links built from SITE_URL."""

import pytest
from django.urls import reverse

from comments.models import Comment
from qlibrary.markdown import plain_text, render

from .factories import SourceFactory

pytestmark = pytest.mark.django_db


def test_plain_text_reads_like_the_comment_without_markdown_signs():
    html = render(
        "Thanks **Pat**, *really* useful: [the guide](/sources/flow-guide/) and "
        "<https://example.org/x>.\n\n> Quoted `code`\n\n- one\n- two\n\n1. first\n2. second"
    )

    assert plain_text(html, base_url="https://library.example.org/") == (
        "Thanks Pat, really useful: the guide (https://library.example.org/sources/flow-guide/) "
        "and https://example.org/x.\n\n"
        "    Quoted code\n\n"
        "- one\n- two\n\n"
        "1. first\n2. second"
    )


def test_a_comment_email_is_plain_text_with_absolute_links(
    client, member, proposer, theme, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://library.example.org"
    source = SourceFactory(proposer=proposer, themes=[theme])
    client.force_login(member)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("comments:post_on_source", args=[source.slug]),
            {"body": "Read **this** [part](/sources/other/) first."},
        )

    body = mailoutbox[0].body
    assert "Read this part (https://library.example.org/sources/other/) first." in body
    assert "**" not in body and "](" not in body
    comment = Comment.objects.get()
    assert f"https://library.example.org{comment.get_page_url()}" in body
