"""Crawl the site as each kind of visitor: every page reachable by following links must answer
without a server error. A small library gives the crawler something of everything to follow."""

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import reverse

from comments import discussion, flags
from comments.models import Flag
from sources.models import Theme
from sources.proposals import moderation
from sources.proposals.endorsements import set_endorsement

from .factories import MemberFactory, ProposalFactory, SourceFactory

pytestmark = pytest.mark.django_db

MAX_PAGES = 300
ROLES = ["anonymous", "unverified", "member", "proposer", "moderator", "staff"]


@pytest.fixture
def small_library(themes, member, proposer, other_member, moderator, staff, unverified):
    """Approved sources with tags in every theme, proposals in each open state, a discussion
    with a reply, a flag and a hidden comment, endorsements and decisions in the log."""
    first, second = themes[0], themes[1]
    sources = [
        SourceFactory(
            title="Skilled for improvement",
            slug="skilled-for-improvement",
            proposer=proposer,
            themes=[first],
            tags=["skills", "networks"],
            year=2017,
        ),
        SourceFactory(
            title="The spread of good ideas",
            slug="the-spread-of-good-ideas",
            themes=[first, second],
            tags=["spread"],
            kind="book",
            url="",
            year=2020,
        ),
        SourceFactory(
            title="Learning health systems",
            slug="learning-health-systems",
            proposer=member,
            themes=themes,
            tags=["learning", "networks"],
            kind="journal_article",
            doi="10.1136/bmjqs-2015-004315",
        ),
    ]
    proposal = ProposalFactory(
        title="Networks that spread improvement",
        slug="networks-that-spread-improvement",
        proposer=proposer,
        themes=[first],
        tags=["networks"],
    )
    asked = ProposalFactory(title="Needs more work", proposer=proposer, themes=[second])
    moderation.request_changes(source=asked, moderator=moderator, reason="Add a DOI, please.")
    declined = ProposalFactory(title="Off topic", proposer=proposer, themes=[second])
    moderation.decline(source=declined, moderator=moderator, reason="Not about improvement.")
    approved_now = ProposalFactory(title="Approved today", proposer=proposer, themes=[first])
    moderation.approve(source=approved_now, moderator=moderator, reason="")

    set_endorsement(source=sources[0], member=member, endorse=True)
    set_endorsement(source=proposal, member=member, endorse=True)
    set_endorsement(source=sources[0], member=other_member, endorse=True)

    on_source = discussion.post(author=member, target=sources[0], body="Worth reading.")
    discussion.post(author=proposer, target=sources[0], body="Thank you!", parent=on_source)
    on_theme = discussion.post(author=other_member, target=first, body="What about *patients*?")
    discussion.post(author=member, target=first, body="A reply on the theme.", parent=on_theme)
    discussion.post(author=proposer, target=proposal, body="Why I proposed it.")
    flagged = discussion.post(author=other_member, target=sources[0], body="Buy things here.")
    flags.flag(comment=flagged, member=member, reason=Flag.Reason.SPAM)
    hidden = discussion.post(author=other_member, target=first, body="Rude remark.")
    flags.hide(comment=hidden, moderator=moderator, reason="Abusive")
    deleted = discussion.post(author=member, target=first, body="Oops.")
    discussion.delete(comment=deleted, author=member)
    MemberFactory(username="quiet", display_name="Quiet Member")
    return {"sources": sources, "proposal": proposal}


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def same_site_links(content, base):
    """Paths on this site linked from the page (relative links resolved against base)."""
    parser = Links()
    parser.feed(content)
    found = []
    for href in parser.hrefs:
        href = urldefrag(href.strip())[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            if parts.netloc != "testserver":
                continue
            href = parts.path + (f"?{parts.query}" if parts.query else "")
        if not href:
            continue
        if href.startswith("?"):
            href = urlsplit(base).path + href
        if not href.startswith("/"):
            continue
        found.append(href)
    return found


def should_follow(url, role):
    path = urlsplit(url).path
    if path.startswith(("/static/", "/media/")):
        return False
    if "logout" in path:
        return False
    return not (path.startswith("/admin/") and role != "staff")


def crawl(client, role, start="/"):
    """Breadth-first over same-site links; returns the pages seen and every failure."""
    seen = {start}
    queue = deque([start])
    failures = []
    visited = {}
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        visited[url] = response.status_code
        if response.status_code >= 500:
            failures.append((role, url, response.status_code))
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        for link in same_site_links(response.content.decode(), url):
            if link not in seen and should_follow(link, role):
                seen.add(link)
                queue.append(link)
    return visited, failures


@pytest.mark.parametrize("role", ROLES)
def test_every_linked_page_answers_without_a_server_error(client, small_library, role, request):
    client.raise_request_exception = False
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))

    visited, failures = crawl(client, role)

    assert not failures, failures
    reached = {urlsplit(url).path for url, status in visited.items() if status == 200}
    expected = {
        "/",
        reverse("sources:list"),
        small_library["sources"][0].get_absolute_url(),
        reverse("sources:tag", args=["networks"]),
        reverse("sources:moderation_log"),
        *(theme.get_absolute_url() for theme in Theme.objects.all()),
    }
    if role in ("member", "proposer", "moderator", "staff"):
        expected |= {
            reverse("sources:proposals"),
            reverse("sources:my_proposals"),
            reverse("sources:propose"),
            small_library["proposal"].get_absolute_url(),
        }
    if role == "moderator":
        expected |= {
            reverse("sources:moderation"),
            reverse("sources:review", args=[small_library["proposal"].slug]),
        }
    missing = expected - reached
    assert not missing, (sorted(missing), len(visited))
    if role != "moderator":
        assert reverse("sources:moderation") not in reached


def test_the_crawler_finds_links_it_is_meant_to_follow():
    html = (
        '<a href="/a/">a</a><a href="b/">b</a><a href="?page=2#top">p</a>'
        '<a href="https://elsewhere.example/">x</a><a href="http://testserver/c/">c</a>'
        '<a href="mailto:x@example.org">m</a><a href="#main">skip</a>'
    )

    assert same_site_links(html, "/sources/") == ["/a/", "/sources/?page=2", "/c/"]
