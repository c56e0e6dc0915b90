from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sources.models import Theme

from .browser import (  # noqa: F401  (fixtures for browser tests)
    browser_page,
    live_site_pages,
    live_themes,
)
from .factories import (
    MemberFactory,
    ModeratorFactory,
    ProposalFactory,
    SourceFactory,
    UserFactory,
)
from .outside_services import httpserver_listen_address, outside  # noqa: F401  (fixtures)
from .permission_matrix import client_as  # noqa: F401  (a fixture for the permission matrices)


@pytest.fixture
def themes(db):
    """The three themes the data migration creates, in display order."""
    return list(Theme.objects.all())


@pytest.fixture
def theme(themes):
    return themes[0]


@pytest.fixture
def member(db):
    """A member: active, with a verified e-mail address; not the proposer of anything here."""
    return MemberFactory(username="member", display_name="Mia Member")


@pytest.fixture
def staff(db):
    """A plain staff user (verified, not superuser, not in Moderators): no moderator rights."""
    return MemberFactory(username="staff", is_staff=True)


@pytest.fixture
def anonymous(client):
    return client


@pytest.fixture
def unverified(db):
    """Signed up but never verified the e-mail address: no more rights than a reader."""
    return UserFactory(username="unverified", display_name="Una Unverified")


@pytest.fixture
def proposer(db):
    return MemberFactory(username="proposer", display_name="Pat Proposer")


@pytest.fixture
def other_member(db):
    return MemberFactory(username="other", display_name="Olu Other")


@pytest.fixture
def moderator(db):
    return ModeratorFactory(username="moderator", display_name="Mo Moderator")


@pytest.fixture
def login(client):
    """Sign a user in on the test client (None stays anonymous) and return the client."""

    def sign_in(user):
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def proposal(theme, proposer):
    """An open proposal by `proposer`, filed under the first theme."""
    return ProposalFactory(
        title="Networks that spread improvement",
        slug="networks-that-spread-improvement",
        proposer=proposer,
        themes=[theme],
        tags=["networks"],
    )


@pytest.fixture
def source(theme):
    return SourceFactory(title="Skilled for improvement", themes=[theme], tags=["skills"])


@pytest.fixture
def make_source(theme):
    def make(**kwargs):
        kwargs.setdefault("themes", [theme])
        return SourceFactory(**kwargs)

    return make


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hash test passwords with a fast hasher: the real one costs ~0.5 s per user created."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Run background tasks as they are queued, so a test sees their effect at once; the tests
    of the worker itself switch back to the database backend (tests/test_outbox.py)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def no_archive_requests(settings):
    """Approving a source asks the Internet Archive to save it; tests that want it say where."""
    settings.WAYBACK_SAVE_URL = ""
    settings.WAYBACK_AVAILABILITY_URL = ""


DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_serialized_rollback"}


@pytest.fixture(autouse=True)
def empty_cache(request, django_db_blocker):
    """Start every database test with empty caches (rate-limit counters, pages).

    The caches (database tables by default, Redis when set) are not part of the tables a test
    rolls back or flushes, so what one test cached must not leak into the next.
    """
    uses_database = request.node.get_closest_marker("django_db") or (
        DATABASE_FIXTURES & set(request.fixturenames)
    )
    if not uses_database:
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        for cache in caches.all():
            cache.clear()


def _is_cache_storage(sql):
    tables = (django_settings.CACHE_TABLE, django_settings.PAGE_CACHE_TABLE)
    return sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")) or any(
        f'"{table}"' in sql for table in tables
    )


@pytest.fixture
def assert_db_queries():
    """`with assert_db_queries(n):` the block makes exactly n database queries, not counting
    the reads and writes of the cache tables (nor the savepoints around those writes): they
    stand in for Redis, which production uses, and the database cache's own cost grows with the
    number of entries written at once."""

    @contextmanager
    def expect(count):
        with CaptureQueriesContext(connection) as context:
            yield context
        made = [query["sql"] for query in context.captured_queries]
        counted = [sql for sql in made if not _is_cache_storage(sql)]
        assert len(counted) == count, (
            f"Expected {count} database queries, {len(counted)} were done:\n" + "\n".join(counted)
        )

    return expect
