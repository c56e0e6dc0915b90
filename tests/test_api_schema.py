"""The API against its own OpenAPI description: every operation, generated inputs, every one of
schemathesis's checks: no 500, every answer matching the schema it promises, every request the
schema allows accepted and every request it forbids refused (its stated bounds are the code's)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks

from sources.lists import services
from sources.models import Endorsement, ModerationEvent, Source

from .factories import MemberFactory, SourceFactory

# The description is read from the app itself; it needs no database.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
load_all_checks()
EVERY_CHECK = CHECKS.get_all()


@pytest.fixture
def test_connection_kept():
    """Requests reach the app through WSGI, not Django's test client, so do as the test client
    does: the request signals must not close the connection that holds the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def library(db, themes, moderator, settings, test_connection_kept):
    settings.API_RATE = "100000/m"
    member = MemberFactory(perspective="clinician")
    for number in range(4):
        source = SourceFactory(
            themes=themes[: number % 3 + 1],
            tags=["networks", "spread"][: number % 2 + 1],
            stance=Source.Stance.values[number % 3],
        )
        Endorsement.objects.create(source=source, member=member)
        if number == 0:
            # A full record, so that its every part is held to the schema too.
            source.set_contributors(
                [
                    {"role": "author", "family": "Dixon-Woods", "given": "Mary"},
                    {"role": "author", "literal": "NHS England"},
                    {"role": "editor", "family": "van der Berg", "suffix": "Jr."},
                ],
                et_al=True,
            )
            source.container_title, source.volume, source.issue = "BMJ Qual Saf", "23", "2"
            source.page_first, source.page_last, source.issued_month = "106", "115", 2
            source.save()
        ModerationEvent.objects.create(
            source=source, actor=moderator, action="approve", reason="Fits."
        )
    # Decisions on reading lists: one featured and public, one hidden, whose slug is left out.
    featured, hidden = (
        services.create_list(owner=member, title=title, visibility="public")
        for title in ("Start here", "Spam")
    )
    services.feature_list(reading_list=featured, theme=themes[0], moderator=moderator)
    services.hide_list(reading_list=hidden, moderator=moderator, reason="Advertising.")


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_keeps_to_its_description(case, library):
    # In-process WSGI calls do not undo the compression the site applies for readers.
    case.call_and_validate(headers={"Accept-Encoding": "identity"}, checks=EVERY_CHECK)
