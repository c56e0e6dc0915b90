"""Writes stay exact under concurrent load: endorsements and comments through real gunicorn workers.

Twelve members hammer a few sources for a few seconds from their own threads (endorse, withdraw,
comment; sometimes the same endorsement twice at once, like a double click) against gunicorn with
three worker processes on the test database. Afterwards every successful comment is exactly one
row, every member's endorsements are what their last answer said, and the stored counts on each
source equal the rows. PostgreSQL only: SQLite has no row locks and serialises writers anyway.
"""

import json
import random
import re
import threading
import time
from collections import Counter, defaultdict
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from comments.models import Comment
from sources.models import Endorsement, Source

from .factories import MemberFactory, ProposalFactory, SourceFactory
from .load import Browser, gunicorn_server

MEMBERS = 12
WORKERS = 3
LOAD_SECONDS = 8
MAX_REQUESTS_PER_MEMBER = 250
DOUBLE_CLICK_SHARE = 0.15
SERVER_CACHE = {
    name: {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": table}
    for name, table in (
        ("default", settings.CACHE_TABLE),
        ("pages", settings.PAGE_CACHE_TABLE),
    )
}
COMMENT_ANCHOR = re.compile(r"#comment-(\d+)$")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (set DATABASE_URL=postgres://...): concurrent writes from several "
            f"gunicorn processes to one database; this run uses {connection.vendor}"
        )


@pytest.fixture
def server(postgresql, tmp_path):
    """gunicorn on the (committed) test database; stopped, and its cache rows removed, after."""
    # Without REDIS_URL the server caches (rate limits, pages) in a database table. Creating
    # the test database makes it only when this process uses that cache too, and flushes
    # between transactional tests leave it alone; make sure it is there (idempotent).
    with override_settings(CACHES=SERVER_CACHE):
        call_command("createcachetable")
    try:
        with gunicorn_server(
            settings_dict=connection.settings_dict,
            secret_key=settings.SECRET_KEY,
            workdir=tmp_path,
            workers=WORKERS,
            extra_env={"COMMENTS_PER_10_MINUTES": "100000"},
        ) as running:
            yield running
    finally:
        for server_cache in SERVER_CACHE.values():
            DatabaseCache(server_cache["LOCATION"], {}).clear()


def session_cookie(member):
    """A committed session for the member, as the server will read it."""
    client = Client()
    client.force_login(member)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def sign_in(server, member, page):
    """The member's browser: session cookie, then a page visit for the CSRF cookie."""
    browser = Browser(server.port, cookies={settings.SESSION_COOKIE_NAME: session_cookie(member)})
    response = browser.get(page)
    assert response.status == 200, (member.username, response.status, server.log_tail())
    assert "csrftoken" in browser.cookies, "the source page set no CSRF cookie for a member"
    return browser


def attempt(record, call):
    """Make one request, noting its status (or the error) and time into `record`."""
    try:
        response = call()
    except Exception as error:  # noqa: BLE001 - every failure is reported, none hides another
        record.update(status=None, error=repr(error))
        return record
    record.update(status=response.status, seconds=response.seconds)
    if record["kind"] == "comment":
        record["location"] = response.header("Location")
    elif response.status == 200:
        try:
            record["answer"] = json.loads(response.body)
        except ValueError:
            record["answer"] = None
    elif response.status >= 400:
        record["error"] = response.body[:300]
    return record


def drive(browser, member, sources, deadline, seed, results):
    """One member's requests, strictly one after another except for the double clicks."""
    rng = random.Random(seed)
    for seq in range(MAX_REQUESTS_PER_MEMBER):
        if time.monotonic() >= deadline:
            return
        source = rng.choice(sources)
        kind = rng.choice(("endorse", "unendorse", "comment"))
        base = {"member": member.pk, "seq": seq, "kind": kind, "source": source.pk}
        if kind == "comment":
            body = f"Load comment {member.pk}-{seq}: this *evidence* matters."
            path = reverse("comments:post_on_source", kwargs={"slug": source.slug})

            def comment(path=path, body=body):
                return browser.post(path, {"body": body})

            results.append(attempt({**base, "body": body}, comment))
            continue
        path = reverse("sources:endorse", kwargs={"slug": source.slug})
        data = {"endorse": "1" if kind == "endorse" else "0"}

        def send(path=path, data=data):
            return browser.post(path, data, headers={"Accept": "application/json"})

        if rng.random() < DOUBLE_CLICK_SHARE:
            # The same request twice at once: both want the same state, so the outcome is
            # still well defined, and the two race for the same (member, source) row.
            clicks = [dict(base, double=True) for _ in range(2)]
            threads = [threading.Thread(target=attempt, args=(c, send)) for c in clicks]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            results.extend(clicks)
        else:
            results.append(attempt(dict(base), send))


def problems(results, check, limit=10):
    found = [(message, r) for r in results if (message := check(r))]
    return [f"{message}: {r}" for message, r in found[:limit]] + (
        [f"... and {len(found) - limit} more"] if len(found) > limit else []
    )


def test_concurrent_endorsements_and_comments_stay_exact(server):
    proposer = MemberFactory(username="load-proposer")
    sources = [SourceFactory(title=f"Load-tested report {n}") for n in range(3)]
    sources.append(ProposalFactory(title="Load-tested proposal", proposer=proposer))
    members = [MemberFactory(username=f"load-member-{n}") for n in range(MEMBERS)]
    browsers = [sign_in(server, member, sources[0].get_absolute_url()) for member in members]

    per_member = [[] for _ in members]
    failures = []
    started = time.monotonic()
    deadline = started + LOAD_SECONDS

    def run(index):
        try:
            drive(browsers[index], members[index], sources, deadline, index, per_member[index])
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(f"{members[index].username}: {error!r}")

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(MEMBERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=LOAD_SECONDS + 30)
    elapsed = time.monotonic() - started
    assert not any(thread.is_alive() for thread in threads), "load threads did not finish"
    assert not failures, failures

    results = [record for records in per_member for record in records]
    kinds = Counter(record["kind"] for record in results)
    statuses = Counter(record["status"] for record in results)
    slowest = max((r.get("seconds", 0) for r in results), default=0)
    print(
        f"\nwrite load: {len(results)} requests in {elapsed:.1f} s "
        f"({len(results) / elapsed:.0f} req/s) from {MEMBERS} members on {WORKERS} workers; "
        f"{dict(kinds)}; statuses {dict(statuses)}; "
        f"{sum(1 for r in results if r.get('double'))} double clicks; slowest {slowest:.2f} s"
    )
    assert kinds["comment"] and kinds["endorse"] and kinds["unendorse"], kinds

    # Every request answered, none with a server error, each with what it should answer.
    def unexpected(record):
        if record["status"] is None:
            return "no answer"
        if record["status"] >= 500:
            return "server error"
        if record["kind"] == "comment":
            location = record.get("location") or ""
            if record["status"] != 302 or not COMMENT_ANCHOR.search(location):
                return "comment not posted"
            return None
        wanted = record["kind"] == "endorse"
        answer = record.get("answer") or {}
        if record["status"] != 200 or answer.get("endorsed") is not wanted:
            return "endorsement not answered"
        if not 0 <= answer.get("count", -1) <= MEMBERS:
            return "impossible count"
        return None

    bad = problems(results, unexpected)
    assert not bad, "\n".join(bad) + "\n--- gunicorn log ---\n" + server.log_tail()

    # Each posted comment is exactly one row, where and by whom it was posted; nothing more.
    by_slug = {source.pk: source.get_absolute_url() for source in sources}
    posted = [r for r in results if r["kind"] == "comment"]
    comments = Comment.objects.in_bulk(
        [int(COMMENT_ANCHOR.search(r["location"])[1]) for r in posted]
    )

    def wrong_comment(record):
        pk = int(COMMENT_ANCHOR.search(record["location"])[1])
        comment = comments.get(pk)
        if urlsplit(record["location"]).path != by_slug[record["source"]]:
            return "redirected to another page"
        if comment is None:
            return "no such comment"
        if (comment.author_id, comment.source_id, comment.body) != (
            record["member"],
            record["source"],
            record["body"],
        ):
            return f"comment {pk} differs"
        return None

    bad = problems(posted, wrong_comment)
    assert not bad, "\n".join(bad)
    assert Comment.objects.count() == len(posted) == len(comments)
    assert Counter(Comment.objects.values_list("body", flat=True)) == Counter(
        r["body"] for r in posted
    ), "a posted comment is stored twice"

    # Each member's endorsements are what the last answer for that source said.
    last_answer = {}
    for record in sorted(
        (r for r in results if r["kind"] != "comment"), key=lambda r: (r["member"], r["seq"])
    ):
        last_answer[(record["member"], record["source"])] = record["answer"]["endorsed"]
    expected = {pair for pair, endorsed in last_answer.items() if endorsed}
    stored = set(Endorsement.objects.values_list("member_id", "source_id"))
    assert stored == expected, {
        "stored but last answer said withdrawn": sorted(stored - expected),
        "last answer said endorsed but not stored": sorted(expected - stored),
    }

    # The stored counts equal the rows behind them.
    for source in Source.objects.filter(pk__in=by_slug):
        endorsements = Endorsement.objects.filter(source=source).count()
        visible = Comment.objects.filter(source=source, status=Comment.Status.VISIBLE).count()
        posted_here = sum(1 for r in posted if r["source"] == source.pk)
        assert (source.endorsement_count, source.comment_count) == (
            endorsements,
            visible,
        ), f"{source.slug}: stored counts differ from the rows"
        assert visible == posted_here, source.slug

    per_source = defaultdict(int)
    for pair in expected:
        per_source[pair[1]] += 1
    print(
        "final endorsements per source:",
        {by_slug[pk]: per_source[pk] for pk in by_slug},
        "comments:",
        {by_slug[pk]: sum(1 for r in posted if r["source"] == pk) for pk in by_slug},
    )
