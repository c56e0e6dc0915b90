"""Readers' pages from the page cache: what is stored, under which key, for whom, until when.

Each write shows on the very next read of every page that shows it, and leaves the pages that do
not show it in the cache; members always get a fresh, private page; conditional requests get 304.
"""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from taggit.models import Tag

from comments import discussion, flags
from qlibrary.cache import cached_page, fragment
from sources.library import page_keys
from sources.models import Endorsement, LinkHealth, Source
from sources.proposals import moderation
from sources.proposals.endorsements import set_endorsement

from .factories import (
    MemberFactory,
    ModeratorFactory,
    ProposalFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def read(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.content.decode()


def stored_pages():
    """How many pages the page cache holds (a table in the database in the test settings)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {connection.ops.quote_name(django_settings.PAGE_CACHE_TABLE)} "  # noqa: S608
            "WHERE cache_key LIKE %s",
            ["%:page:%"],
        )
        return cursor.fetchone()[0]


# What is cached, and for whom


def test_a_readers_second_visit_is_the_stored_page(client, theme, django_assert_num_queries):
    SourceFactory(title="Cached once", themes=[theme])
    first = read(client, "/")

    with django_assert_num_queries(1):  # the page's key; the page from this process's copy
        second = read(client, "/")

    assert second == first
    assert "Cached once" in second


def test_unknown_query_parameters_share_one_stored_page(client, theme):
    SourceFactory(title="One copy", themes=[theme])
    read(client, "/sources/?kind=report")
    before = stored_pages()

    for number in range(5):
        page = read(client, f"/sources/?kind=report&cachebust={number}&utm_source=x")
        assert "cachebust" not in page  # links on the page carry only what it reads

    assert stored_pages() == before


def test_made_up_session_cookies_get_the_readers_page_and_store_nothing(client, source):
    read(client, source.get_absolute_url())
    before = stored_pages()

    for number in range(5):
        stranger = Client()
        stranger.cookies[django_settings.SESSION_COOKIE_NAME] = f"madeupsessionkey{number:020d}"
        page = read(stranger, source.get_absolute_url())
        assert "Log in" in page

    assert stored_pages() == before


def test_a_members_page_is_rendered_afresh_private_and_never_stored(client, source, member):
    read(client, source.get_absolute_url())  # the readers' copy
    before = stored_pages()
    client.force_login(member)

    response = client.get(source.get_absolute_url())

    page = response.content.decode()
    assert "Endorse this source" in page
    assert "Mia Member" in page
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    assert stored_pages() == before


def test_a_session_cookie_replayed_after_log_out_sees_no_members_page(client, source, member):
    client.force_login(member)
    assert "Mia Member" in read(client, source.get_absolute_url())
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    client.post(reverse("account_logout"))

    replay = Client()
    replay.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
    page = read(replay, source.get_absolute_url())

    assert "Mia Member" not in page
    assert "Log out" not in page
    assert "csrfmiddlewaretoken" not in page


def test_readers_pages_vary_on_the_cookie_and_carry_no_form_token(client, source, theme):
    for url in ("/", "/sources/", theme.get_absolute_url(), source.get_absolute_url()):
        response = client.get(url)
        assert "Cookie" in response["Vary"]
        assert b"csrfmiddlewaretoken" not in response.content
        assert not response.cookies


def test_a_missing_page_is_not_stored(client, theme):
    assert client.get("/sources/not-yet-here/").status_code == 404
    SourceFactory(slug="not-yet-here", themes=[theme])

    assert client.get("/sources/not-yet-here/").status_code == 200


def test_a_page_showing_a_message_is_neither_served_from_nor_stored_in_the_cache(
    client, source, member
):
    read(client, source.get_absolute_url())
    client.force_login(member)
    client.post(reverse("account_logout"))  # "You are logged out." waits for the next page

    page = read(client, source.get_absolute_url())

    assert "You are logged out" in page
    assert "You are logged out" not in read(Client(), source.get_absolute_url())


def counted_view(make_response):
    """A page behind the page cache that counts its renders."""
    renders = []

    @cached_page(page_key=lambda: ())
    def view(request):
        renders.append(1)
        return make_response(request)

    return view, renders


def test_a_page_holding_a_form_token_is_not_stored(rf):
    def with_token(request):
        return HttpResponse(
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{get_token(request)}">'
        )

    view, renders = counted_view(with_token)
    for _ in range(2):
        request = rf.get("/token/")
        request.user = AnonymousUser()
        view(request)

    assert len(renders) == 2


def test_a_page_that_sets_a_cookie_is_not_stored(rf):
    def with_cookie(request):
        response = HttpResponse("cookie")
        response.set_cookie("chosen", "1")
        return response

    view, renders = counted_view(with_cookie)
    for _ in range(2):
        request = rf.get("/cookie/")
        request.user = AnonymousUser()
        view(request)

    assert len(renders) == 2


def test_a_page_showing_a_message_it_added_is_not_stored(client):
    def with_message(request):
        messages.info(request, "Only for this visit")
        return HttpResponse("".join(str(message) for message in messages.get_messages(request)))

    view, renders = counted_view(with_message)
    for _ in range(2):
        request = client.get("/no-such-page/").wsgi_request  # through the middleware
        request.method = "GET"
        view(request)

    assert len(renders) == 2


def test_a_plain_readers_page_is_stored_once(rf):
    view, renders = counted_view(lambda request: HttpResponse("same for everyone"))
    for _ in range(2):
        request = rf.get("/plain/")
        request.user = AnonymousUser()
        view(request)

    assert len(renders) == 1


# Where the cache lives


def test_pages_live_in_their_own_cache_apart_from_rate_limits_and_sessions(settings):
    assert settings.CACHES["pages"] != settings.CACHES["default"]
    assert settings.CACHES["pages"]["OPTIONS"]["MAX_ENTRIES"] == settings.PAGE_CACHE_MAX_ENTRIES
    # Sessions are kept in the database and read through the pages' cache: never lost, and never
    # beside the counters, whose Redis must not fill up.
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    assert settings.SESSION_CACHE_ALIAS == "pages"


def test_a_session_the_pages_cache_dropped_is_read_from_the_database(client, member):
    client.force_login(member)
    caches["pages"].clear()

    response = client.get(reverse("sources:following"))  # members only

    assert response.status_code == 200
    assert response.wsgi_request.user == member


def test_a_full_page_cache_never_evicts_a_rate_limit_counter(client, settings, member, source):
    caches_settings = {name: dict(value) for name, value in settings.CACHES.items()}
    # Both small: were pages stored beside the counters, the counters would be culled.
    caches_settings["pages"]["OPTIONS"] = {"MAX_ENTRIES": 5}
    caches_settings["default"]["OPTIONS"] = {"MAX_ENTRIES": 20}
    settings.CACHES = caches_settings
    login = reverse("account_login")
    for _ in range(5):  # the most wrong passwords one address may try in five minutes
        client.post(login, {"login": member.email, "password": "not-the-password"})

    for number in range(30):
        read(client, f"/sources/?q=word{number}")
    response = client.post(login, {"login": member.email, "password": "a-long-test-password"})

    # The five failures still count: even the right password is refused for now.
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()
    assert stored_pages() <= 5  # and the page cache stays within its bound


def settings_with(**variables):
    """Import the settings module in a fresh interpreter with these environment variables."""
    env = {**os.environ, **variables, "DJANGO_SETTINGS_MODULE": "qlibrary.settings"}
    return subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-c", "from django.conf import settings; print(settings.CACHES)"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_with_redis_pages_and_counters_need_two_instances():
    same = settings_with(
        REDIS_URL="redis://cache:6379/0", PAGE_CACHE_REDIS_URL="redis://cache:6379/0"
    )
    apart = settings_with(
        REDIS_URL="redis://counters:6379/0", PAGE_CACHE_REDIS_URL="redis://pages:6379/0"
    )

    assert same.returncode != 0
    assert "different Redis instances" in same.stderr
    assert apart.returncode == 0, apart.stderr
    assert "redis://counters:6379/0" in apart.stdout
    assert "redis://pages:6379/0" in apart.stdout


# Every kind of write shows on the very next read of each page that shows it


@pytest.fixture
def scene(themes):
    """Two themes; A (tag alpha) and B (tag beta) approved in each; C waits in the queue."""
    first, second = themes[0], themes[1]
    proposer = MemberFactory(username="pat", display_name="Pat Proposer")
    commenter = MemberFactory(username="mia", display_name="Mia Commenter")
    a = SourceFactory(title="Alpha evidence", themes=[first], tags=["alpha"], proposer=proposer)
    b = SourceFactory(
        title="Beta evidence",
        themes=[second],
        tags=["beta"],
        endorsement_count=5,
        comment_count=5,
    )
    c = ProposalFactory(
        title="Candidate evidence", themes=[first], tags=["alpha"], proposer=proposer
    )
    comment = discussion.post(author=commenter, target=a, body="First thought on alpha")
    return {
        "first": first,
        "second": second,
        "proposer": proposer,
        "commenter": commenter,
        "moderator": ModeratorFactory(),
        "a": a,
        "b": b,
        "c": c,
        "comment": comment,
    }


def pages_showing_a(scene):
    """Every page that shows source A (its page, each listing it is on, the feeds)."""
    first = scene["first"]
    return {
        "source page": scene["a"].get_absolute_url(),
        "home": "/",
        "browse": "/sources/",
        "search": "/sources/?q=improvement",
        "theme page": first.get_absolute_url(),
        "tag page": "/tags/alpha/",
        "proposer's profile": "/members/pat/",
        "new-sources feed": "/feeds/sources/",
        "theme feed": f"/themes/{first.slug}/feed/",
        "evidence map": "/map/",
        "API sources": "/api/sources/",
    }


def approve(scene):
    moderation.approve(source=scene["c"], moderator=scene["moderator"])


def endorse(scene):
    set_endorsement(source=scene["a"], member=scene["commenter"], endorse=True)


def comment(scene):
    discussion.post(author=scene["proposer"], target=scene["a"], body="A second angle on alpha")


def edit_comment(scene):
    discussion.edit(comment=scene["comment"], author=scene["commenter"], body="Rethought alpha")


def hide_comment(scene):
    flags.hide(comment=scene["comment"], moderator=scene["moderator"], reason="Off-topic")


def edit_source(scene):
    moderation.edit(
        source=scene["a"],
        editor=scene["moderator"],
        fields={"title": "Alpha revised"},
        themes=[scene["first"]],
        tags=["alpha"],
    )


def rename_proposer(scene):
    proposer = scene["proposer"]
    proposer.display_name = "Pat Renamed"
    proposer.save()


def rename_commenter(scene):
    commenter = scene["commenter"]
    commenter.display_name = "Mia Renamed"
    commenter.save()


def retag_source(scene):
    moderation.edit(
        source=scene["a"],
        editor=scene["moderator"],
        fields={},
        themes=[scene["first"]],
        tags=["gamma"],
    )


# (write, the pages that must show it, what they show before, what they show after)
WRITES = [
    (
        approve,
        [
            "home",
            "browse",
            "search",
            "theme page",
            "tag page",
            "proposer's profile",
            "new-sources feed",
            "theme feed",
            "API sources",
        ],
        None,
        "Candidate evidence",
    ),
    (
        endorse,
        ["source page", "home", "browse", "search", "theme page", "tag page", "proposer's profile"],
        "0 endorsements",
        "1 endorsement",
    ),
    (endorse, ["evidence map"], None, "Endorsed by 1 "),
    (endorse, ["API sources"], '"endorsement_count": 0', '"endorsement_count": 1'),
    (approve, ["evidence map"], "2 sources on the map", "3 sources on the map"),
    (approve, ["home"], None, "2 sources</span>"),  # the first theme's card
    (
        comment,
        ["source page", "theme feed"],
        None,
        "A second angle on alpha",
    ),
    (
        comment,
        ["home", "browse", "search", "theme page", "tag page", "proposer's profile"],
        "1 comment",
        "2 comments",
    ),
    (comment, ["API sources"], '"comment_count": 1', '"comment_count": 2'),
    (edit_comment, ["source page", "theme feed"], "First thought on alpha", "Rethought alpha"),
    (hide_comment, ["source page"], "First thought on alpha", "hidden by a moderator"),
    (
        hide_comment,
        ["home", "browse", "search", "theme page", "tag page", "proposer's profile"],
        "1 comment",
        None,
    ),
    (
        edit_source,
        [
            "source page",
            "home",
            "browse",
            "search",
            "theme page",
            "tag page",
            "proposer's profile",
            "new-sources feed",
            "theme feed",
            "API sources",
        ],
        "Alpha evidence",
        "Alpha revised",
    ),
    (rename_proposer, ["source page", "proposer's profile"], "Pat Proposer", "Pat Renamed"),
    (rename_commenter, ["source page", "theme feed"], "Mia Commenter", "Mia Renamed"),
    (retag_source, ["source page", "API sources"], None, "gamma"),
    (retag_source, ["tag page"], "Alpha evidence", None),
]


# With the page cache off, pages are rendered from fragments in the same cache (cards, filter
# bars, counts, search results, readers' discussions): a write must reach those as well.
CACHING = pytest.mark.parametrize(
    "page_cache", [True, False], ids=["whole pages cached", "parts cached"]
)


@CACHING
@pytest.mark.parametrize(
    ("write", "shown_on", "before", "after"),
    WRITES,
    ids=[f"{write.__name__}-{index}" for index, (write, *_) in enumerate(WRITES)],
)
def test_each_write_shows_on_the_next_read_of_each_page_that_shows_it(
    client, scene, settings, page_cache, write, shown_on, before, after
):
    settings.PAGE_CACHE = page_cache
    urls = pages_showing_a(scene)
    for name in shown_on:  # every page read (and stored) before the write
        page = read(client, urls[name])
        assert before is None or before in page, name
        assert after is None or after not in page, name

    write(scene)

    for name in shown_on:
        page = read(client, urls[name])
        assert after is None or after in page, name
        assert before is None or before not in page, name


def test_a_new_tag_page_shows_the_source_on_the_first_read(client, scene):
    assert client.get("/tags/gamma/").status_code == 404

    retag_source(scene)

    assert "Alpha evidence" in read(client, "/tags/gamma/")


@CACHING
def test_a_comment_on_a_theme_shows_on_its_page_feed_and_the_home_cards(
    client, scene, settings, page_cache
):
    settings.PAGE_CACHE = page_cache
    first = scene["first"]
    urls = [first.get_absolute_url(), f"/themes/{first.slug}/feed/", "/"]
    for url in urls:
        read(client, url)

    discussion.post(author=scene["commenter"], target=first, body="On the theme itself")

    assert "On the theme itself" in read(client, urls[0])
    assert "On the theme itself" in read(client, urls[1])
    assert "1 comment" in read(client, urls[2])


def test_a_count_moved_by_update_shows_on_the_next_read(client, scene):
    # adjust_count() writes through update(), which sends no signal.
    url = scene["a"].get_absolute_url()
    assert "1 comment" in read(client, url)

    discussion.adjust_count(scene["a"], +2)

    assert "3 comments" in read(client, url)


def test_a_save_outside_the_services_shows_too(client, scene):
    # What the admin or a shell does: a plain save() of the row.
    read(client, "/sources/")
    read(client, scene["a"].get_absolute_url())
    source = Source.objects.get(pk=scene["a"].pk)
    source.title = "Alpha saved directly"
    source.save()

    assert "Alpha saved directly" in read(client, "/sources/")
    assert "Alpha saved directly" in read(client, scene["a"].get_absolute_url())


def test_a_theme_edited_in_the_admin_shows_everywhere(client, scene):
    first = scene["first"]
    read(client, "/")
    read(client, scene["a"].get_absolute_url())
    read(client, "/api/sources/")
    admin = MemberFactory(username="admin", is_staff=True, is_superuser=True)
    admin_client = Client()
    admin_client.force_login(admin)

    response = admin_client.post(
        reverse("admin:sources_theme_change", args=[first.pk]),
        {
            "slug": first.slug,
            "title": "A theme renamed in the admin",
            "summary": first.summary,
            "body": first.body,
            "display_order": first.display_order,
        },
    )

    assert response.status_code == 302
    assert "A theme renamed in the admin" in read(client, "/")
    assert "A theme renamed in the admin" in read(client, scene["a"].get_absolute_url())
    assert "A theme renamed in the admin" in read(client, "/api/sources/")


def test_a_migration_invalidates_every_page(client, scene):
    read(client, "/sources/")
    # A data migration writes through historical models, which send no signal of their own.
    Source.objects.filter(pk=scene["b"].pk).update(title="Beta migrated")

    call_command("migrate", verbosity=0)

    assert "Beta migrated" in read(client, "/sources/")


def test_a_renamed_source_address_is_not_served_from_the_cache(client, scene):
    old_url = scene["a"].get_absolute_url()
    read(client, old_url)
    source = Source.objects.get(pk=scene["a"].pk)
    source.slug = "alpha-moved"
    source.save()

    assert client.get(old_url).status_code == 404


# Invalidation is local: a write leaves the pages that do not show it in the cache


@CACHING
def test_a_successor_renamed_shows_on_the_older_sources_page(client, settings, page_cache):
    """The older source's page names its successor, which a change of its own does not move."""
    settings.PAGE_CACHE = page_cache
    newer = SourceFactory(title="The newer source")
    older = SourceFactory(title="The older source", superseded_by=newer)
    assert "The newer source" in read(client, older.get_absolute_url())

    newer.title = "The newer source, revised"
    newer.save()

    assert "The newer source, revised" in read(client, older.get_absolute_url())


def test_a_link_check_deleted_in_the_admin_takes_its_notice_off(client, settings, source):
    settings.PAGE_CACHE = False
    LinkHealth.objects.create(
        source=source,
        checked_url=source.url,
        checked_at=timezone.now(),
        outcome="failed",
        error="404 Not Found",
        failures=5,
        failing_since=timezone.now() - timedelta(days=30),
        broken=True,
    )
    assert "This link may be broken" in read(client, source.get_absolute_url())

    LinkHealth.objects.filter(source=source).delete()

    assert "This link may be broken" not in read(client, source.get_absolute_url())


def test_a_comment_on_one_source_leaves_other_sources_pages_cached(
    client, scene, django_assert_num_queries
):
    """A source's page is keyed by its own row; the listings, keyed by the newest change to any
    source, are rendered again (from their fragments: the other cards stay)."""
    untouched = [scene["b"].get_absolute_url()]
    for url in untouched:
        read(client, url)

    discussion.post(author=scene["proposer"], target=scene["a"], body="Only about alpha")
    endorse(scene)

    for url in untouched:
        with django_assert_num_queries(1):  # the page's key; the page from this process's copy
            read(client, url)


def test_a_comment_on_a_theme_leaves_the_evidence_map_cached(
    client, scene, django_assert_num_queries
):
    read(client, "/map/")

    discussion.post(author=scene["commenter"], target=scene["first"], body="Theme talk")

    with django_assert_num_queries(1):  # the page's key; the page from this process's copy
        read(client, "/map/")


def test_a_comment_on_a_theme_leaves_the_listings_cached(client, scene, django_assert_num_queries):
    for url in ("/sources/", scene["a"].get_absolute_url(), scene["second"].get_absolute_url()):
        read(client, url)

    discussion.post(author=scene["commenter"], target=scene["first"], body="Theme talk")

    for url in ("/sources/", scene["a"].get_absolute_url(), scene["second"].get_absolute_url()):
        with django_assert_num_queries(1):  # the page's key; the page from this process's copy
            read(client, url)


def test_a_comment_on_a_source_draws_only_its_own_card_again(
    client, scene, settings, assert_db_queries
):
    """Rendered afresh after the write, a search reads its key and its results again (the
    library changed: one key for all its listings, read from an index) and its page's rows
    (with what a card shows), and draws A's card alone from its row, with its new count (then its
    themes and its tags): the other cards are fragments keyed by their own rows. Its filter
    options follow the sources' records, which a comment does not change: not read again."""
    settings.PAGE_CACHE = False
    read(client, "/sources/?q=improvement")

    comment(scene)

    with assert_db_queries(5):
        assert "2 comments" in read(client, "/sources/?q=improvement")


@CACHING
def test_an_endorsement_reorders_the_most_endorsed_lists_on_the_next_read(
    client, scene, settings, page_cache
):
    """An endorsement sets its source's `updated_at`, so the library's key: the "most
    endorsed" orders are worked out again on the next read."""
    settings.PAGE_CACHE = page_cache
    SourceFactory(title="Delta evidence", themes=[scene["first"]], endorsement_count=1)
    listings = [
        "/sources/?sort=endorsed",
        "/sources/?q=improvement&sort=endorsed",
        f"{scene['first'].get_absolute_url()}?sort=endorsed",
    ]

    def alpha_before_delta(page):
        return page.index("Alpha evidence") < page.index("Delta evidence")

    def most_endorsed_row(page):
        return page[
            page.index('id="endorsed-heading"') : page.index(
                "</section>", page.index('id="endorsed-heading"')
            )
        ]

    for url in listings:
        assert not alpha_before_delta(read(client, url)), url
    assert "Alpha evidence" not in most_endorsed_row(read(client, "/"))  # none yet

    set_endorsement(source=scene["a"], member=scene["commenter"], endorse=True)
    set_endorsement(source=scene["a"], member=MemberFactory(), endorse=True)

    for url in listings:
        assert alpha_before_delta(read(client, url)), url
    assert alpha_before_delta(most_endorsed_row(read(client, "/")))


@pytest.mark.parametrize(
    ("url", "queries"),
    [("/sources/?sort=endorsed", 1), ("theme", 1), ("/tags/alpha/?sort=endorsed", 2)],
)
def test_a_listing_rendered_again_reads_its_key(
    client, scene, settings, assert_db_queries, url, queries
):
    """Rendered again with nothing changed, such a page reads its key (and a tag page its tag):
    its options, count, rows and cards (and a theme's row) are fragments under it."""
    settings.PAGE_CACHE = False
    if url == "theme":
        url = f"{scene['first'].get_absolute_url()}?sort=endorsed"
    read(client, url)

    with assert_db_queries(queries):
        read(client, url)


@CACHING
def test_an_endorsement_written_outside_the_service_shows_on_the_next_read(
    client, scene, settings, page_cache
):
    """An Endorsement row saved or deleted as the admin or a shell does (no service around it)
    moves the pages through its own signal: the map counts the rows by perspective."""
    settings.PAGE_CACHE = page_cache
    assert "Endorsed by 1 " not in read(client, "/map/")

    Endorsement.objects.create(source=scene["a"], member=scene["commenter"])
    assert "Endorsed by 1 " in read(client, "/map/")

    Endorsement.objects.filter(source=scene["a"]).delete()
    assert "Endorsed by 1 " not in read(client, "/map/")


def test_an_endorsement_draws_only_the_endorsed_card_again(
    client, scene, settings, assert_db_queries
):
    settings.PAGE_CACHE = False
    read(client, "/sources/?q=improvement")

    endorse(scene)

    with assert_db_queries(5):  # as after a comment: key, search, rows, A's card
        assert "1 endorsement" in read(client, "/sources/?q=improvement")


def test_sessions_are_deleted_without_loading_them(member, django_assert_num_queries):
    # No receiver listens to every model's deletes, so `clearsessions` stays one DELETE.
    for _ in range(3):
        Client().force_login(member)

    with django_assert_num_queries(1):
        Session.objects.all().delete()


def test_a_write_moves_the_key_of_the_pages_that_show_it(scene):
    """No version to move: an endorsement sets its source's `updated_at` (the counter's update
    and the row's own `touches`), which the source's page key and the library's hold."""
    slug = scene["b"].slug
    before = page_keys.source(slug), page_keys.library()

    set_endorsement(source=scene["b"], member=scene["commenter"], endorse=True)

    assert page_keys.source(slug) != before[0]
    assert page_keys.library() != before[1]


def test_a_comment_or_an_endorsement_leaves_the_records_key(scene):
    """Counters and touches move a source's `updated_at`, not its record's time: what the
    listings are filtered and counted by, and the map's sources, stay under their key."""
    library = page_keys.library()

    comment(scene)
    endorse(scene)

    assert page_keys.library() != library
    assert page_keys.records(page_keys.library()) == page_keys.records(library)


def test_a_sources_record_time_moves_with_every_change_but_its_counters(scene):
    source = scene["a"]

    def record_time():
        return Source.objects.values_list("record_updated_at", flat=True).get(pk=source.pk)

    before = record_time()
    Source.objects.filter(pk=source.pk).update(endorsement_count=F("endorsement_count") + 1)
    assert record_time() == before

    Source.objects.filter(pk=source.pk).update(year=2019)
    assert record_time() > before

    before = record_time()
    source.refresh_from_db()
    source.save(update_fields=["alert", "updated_at"])
    assert record_time() > before


@CACHING
def test_a_tag_added_to_a_source_is_offered_on_the_next_read(client, scene, settings, page_cache):
    """Tags change through their link table, without a save of the source: the source's record
    changes all the same, so the filter bars offer the new tag."""
    settings.PAGE_CACHE = page_cache
    Tag.objects.create(name="freshly-filed")  # a new tag's name starts a new generation
    urls = ["/sources/", scene["first"].get_absolute_url(), "/map/"]
    for url in urls:
        assert 'value="freshly-filed"' not in read(client, url)

    scene["a"].tags.add("freshly-filed")

    for url in urls:
        assert 'value="freshly-filed"' in read(client, url), url


@CACHING
def test_a_source_filed_under_a_theme_from_its_side_shows_on_the_next_read(
    client, scene, settings, page_cache
):
    settings.PAGE_CACHE = page_cache
    url = scene["second"].get_absolute_url()
    assert "Alpha evidence" not in read(client, url)

    scene["second"].sources.add(scene["a"])

    assert "Alpha evidence" in read(client, url)


def test_a_comment_leaves_the_maps_counts(client, scene, settings, assert_db_queries):
    """Rendered afresh after a comment on a source, the map reads its key and the endorsements'
    (their number and the newest): its counts and its drawing are a fragment under them."""
    settings.PAGE_CACHE = False
    read(client, "/map/")

    comment(scene)

    with assert_db_queries(2):
        read(client, "/map/")


# Conditional requests


def test_a_reader_revisiting_an_unchanged_page_gets_304(client, scene):
    url = scene["a"].get_absolute_url()
    first = client.get(url)
    etag = first["ETag"]

    again = client.get(url, headers={"if-none-match": etag})

    assert again.status_code == 304
    assert again.content == b""

    endorse(scene)
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "1 endorsement" in changed.content.decode()


@pytest.mark.parametrize("feed", ["/feeds/sources/", "theme"])
def test_a_feed_reader_polling_an_unchanged_feed_gets_304(client, scene, feed):
    url = f"/themes/{scene['first'].slug}/feed/" if feed == "theme" else feed
    client.get(url)  # the rows the feed shows were written at some earlier time
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        first = client.get(url)
        etag, modified = first["ETag"], first["Last-Modified"]

        assert client.get(url, headers={"if-none-match": etag}).status_code == 304
        assert client.get(url, headers={"if-modified-since": modified}).status_code == 304

        approve(scene)  # within the same second as the last answer

        after_etag = client.get(url, headers={"if-none-match": etag})
        after_date = client.get(url, headers={"if-modified-since": modified})
    assert after_etag.status_code == 200
    assert after_date.status_code == 200
    assert "Candidate evidence" in after_date.content.decode()


def test_a_retired_source_leaves_the_feed_although_no_entry_is_newer(client, scene):
    # The feed's own Last-Modified (its newest entry) would not move: its key does.
    client.get("/feeds/sources/")
    later = timezone.now() + timedelta(seconds=5)
    with time_machine.travel(later, tick=False):
        modified = client.get("/feeds/sources/")["Last-Modified"]
    with time_machine.travel(later + timedelta(seconds=5), tick=False):
        moderation.retire(source=scene["a"], moderator=scene["moderator"], reason="Superseded")
    with time_machine.travel(later + timedelta(seconds=10), tick=False):
        response = client.get("/feeds/sources/", headers={"if-modified-since": modified})

    assert response.status_code == 200
    assert "Alpha evidence" not in response.content.decode()


def test_if_modified_since_a_later_date_gets_304_for_a_page(client, scene):
    url = "/sources/"
    client.get(url)  # the rows the page shows were written at some earlier time
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        response = client.get(url)
        assert response.has_header("Last-Modified")
        later = http_date(timezone.now().timestamp() + 1)

        assert client.get(url, headers={"if-modified-since": later}).status_code == 304


def test_no_last_modified_within_the_second_of_a_change(client, scene):
    # Last-Modified has whole seconds: given in the second of a change, a second change in the
    # same second would leave it as it was, and If-Modified-Since would get a stale 304.
    client.get("/feeds/sources/")
    second = timezone.now().replace(microsecond=0) + timedelta(seconds=5)
    with time_machine.travel(second, tick=False):
        approve(scene)
        response = client.get("/feeds/sources/")
        assert not response.has_header("Last-Modified")
    # Later in the same second: a key made of the rows' `updated_at` moves with each write.
    with time_machine.travel(second + timedelta(milliseconds=500), tick=False):
        moderation.retire(source=scene["a"], moderator=scene["moderator"], reason="Superseded")
        again = client.get(
            "/feeds/sources/", headers={"if-modified-since": http_date(second.timestamp())}
        )

    assert again.status_code == 200
    assert "Alpha evidence" not in again.content.decode()


def test_members_pages_carry_no_shared_validators(client, scene, member):
    client.force_login(member)

    response = client.get("/sources/")

    assert "private" in response["Cache-Control"]
    assert not response.has_header("Last-Modified")


def test_a_site_page_edited_in_the_admin_shows_on_the_next_read(client):
    from qlibrary.models import SitePage

    page = SitePage.objects.get(slug=SitePage.Slug.ABOUT)
    read(client, f"/{page.slug}/")
    page.title = "About this library, reworded"
    page.save()

    assert "About this library, reworded" in read(client, f"/{page.slug}/")


class MovedAway:
    """A class a cached fragment holds, which the next version of the code moves."""


@pytest.mark.django_db
def test_a_fragment_written_by_other_code_is_worked_out_again(monkeypatch):
    """After a deploy that moved a class, its pickled fragments cannot be read: each is a miss,
    never an error page."""
    assert isinstance(fragment("moved", ("key",), MovedAway), MovedAway)
    monkeypatch.delattr(sys.modules[__name__], "MovedAway")

    assert fragment("moved", ("key",), lambda: "worked out again") == "worked out again"
    assert fragment("moved", ("key",), lambda: "not asked") == "worked out again"


@CACHING
@pytest.mark.parametrize("listing", ["browse", "theme page"])
def test_a_deep_page_of_a_listing_shows_the_next_read_after_an_approval(
    client, themes, settings, page_cache, listing
):
    """Pages past the first few slice the listing's ids, a fragment under the library's key:
    an approval moves every source down one place on the next read, as on the first pages."""
    settings.PAGE_CACHE = page_cache
    settings.LIBRARY_PAGE_SIZE = 1
    now = timezone.now()
    for number in range(8):  # newest first: "Source 0" on page 1, "Source 7" on the 8th
        SourceFactory(
            title=f"Source {number}", themes=[themes[0]], approved_at=now - timedelta(days=number)
        )
    url = "/sources/" if listing == "browse" else themes[0].get_absolute_url()
    deep, deeper = 7, 8  # beyond SHALLOW_PAGES
    assert "Source 6" in read(client, f"{url}?page={deep}")
    assert "Source 7" in read(client, f"{url}?page={deeper}")

    proposal = ProposalFactory(title="Newest evidence", themes=[themes[0]])
    moderation.approve(source=proposal, moderator=ModeratorFactory())

    assert "Source 5" in read(client, f"{url}?page={deep}")
    assert "Source 6" in read(client, f"{url}?page={deeper}")
    assert "Source 7" in read(client, f"{url}?page=9")
