"""The community's rules and the site's promises: guidelines, about, privacy and contact pages,
with first versions from a data migration and text that staff edit without a deploy."""

import pytest
from django.urls import reverse

from qlibrary.models import SitePage

from .factories import CommentFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "/guidelines/": ("Community guidelines", "patient-identifiable information"),
    "/about/": ("About Q Library", "reading list"),
    "/privacy/": ("Privacy", "Download my data"),
    "/contact/": ("Contact", "Flag"),
}


@pytest.mark.parametrize("path", PAGES)
def test_each_page_has_a_sensible_first_version(client, path):
    title, words = PAGES[path]

    html = client.get(path).content.decode()

    assert f"<h1>{title}</h1>" in html
    assert words in html


def test_footer_links_every_page(client, themes):
    html = client.get("/").content.decode()

    footer = html.split('<footer class="site-footer">', 1)[1]
    for path in PAGES:
        assert f'href="{path}"' in footer


def test_guidelines_say_what_a_flag_is_for_and_what_moderators_do(client):
    html = client.get("/guidelines/").content.decode()

    assert '<h2 id="what-a-flag-is-for">What a flag is for</h2>' in html
    assert '<h2 id="what-moderators-do">What moderators do</h2>' in html
    assert "A single flag for patient-identifiable information hides the comment at once" in html


def test_staff_edits_show_on_the_next_request(client):
    client.get("/about/")  # now in the page cache
    page = SitePage.objects.get(slug="about")
    page.body = "We moved the library to a **new home**."
    page.save()

    html = client.get("/about/").content.decode()

    assert "We moved the library to a <strong>new home</strong>." in html


def test_page_text_cannot_carry_markup_or_script(client):
    SitePage.objects.filter(slug="contact").update(
        body='<script>alert("x")</script> [click](javascript:alert(1))'
    )

    html = client.get("/contact/").content.decode()

    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript:' not in html


def test_contact_page_gives_the_library_address(client, settings):
    settings.DEFAULT_FROM_EMAIL = "Q Library <team@library.example.org>"

    html = client.get("/contact/").content.decode()

    assert '<a href="mailto:team@library.example.org">team@library.example.org</a>' in html


def test_flag_form_links_the_guidelines(login, member, theme, other_member):
    comment = CommentFactory(theme=theme, author=other_member)

    html = login(member).get(reverse("comments:flag", args=[comment.pk])).content.decode()

    assert 'href="/guidelines/#what-a-flag-is-for">community guidelines</a>' in html


def test_a_reason_citing_the_rules_links_them_on_my_proposals(login, proposal, moderator):
    from sources.proposals import moderation

    moderation.request_changes(
        source=proposal,
        moderator=moderator,
        reason="Please declare your interest, as the community guidelines ask.",
    )

    html = login(proposal.proposer).get(reverse("sources:my_proposals")).content.decode()

    assert 'as <a href="/guidelines/">the community guidelines</a> ask.' in html


def test_a_decision_e_mail_citing_the_rules_gives_their_address(
    proposal, moderator, mailoutbox, settings, django_capture_on_commit_callbacks
):
    from sources.proposals import moderation

    settings.SITE_URL = "https://library.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        moderation.decline(source=proposal, moderator=moderator, reason="Against the rules.")

    assert "The community guidelines: https://library.example.org/guidelines/" in (
        mailoutbox[-1].body
    )
