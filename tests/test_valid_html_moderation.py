"""The pages of the moderators' and members' journeys in the states the site-wide check does not
reach (a link table with rows, a successor search, a resubmission's word-level diff with the
ready-made reasons, a comment's preview) are valid HTML, as the Nu HTML checker judges it."""

import json
import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sources.models import LinkHealth, Source
from sources.proposals import moderation

from .factories import ProposalFactory, SourceFactory
from .test_valid_html import vnu_command

pytestmark = pytest.mark.django_db


def test_the_journeys_pages_are_valid_html(client, moderator, proposer, member, theme, tmp_path):
    command = vnu_command()
    now = timezone.now()
    broken = SourceFactory(title="Gone report", themes=[theme], review_by=timezone.localdate())
    LinkHealth.objects.create(
        source=broken,
        checked_url=broken.url,
        checked_at=now,
        outcome="failed",
        error="404 Not Found",
        failures=9,
        failing_since=now - timedelta(days=9),
        broken=True,
        archive_url="https://web.archive.org/web/2026/https://example.org/gone",
    )
    moved = SourceFactory(title="Moved report", themes=[theme])
    LinkHealth.objects.create(
        source=moved,
        checked_url=moved.url,
        checked_at=now,
        outcome="ok",
        redirects=[[moved.url, 301]],
        moved_to="https://example.org/new",
    )
    proposal = ProposalFactory(proposer=proposer, themes=[theme], summary="One two three.")
    moderation.request_changes(source=proposal, moderator=moderator, reason="Add the year.")
    moderation.edit(
        source=proposal,
        editor=proposer,
        fields={"summary": "One 2 three, <four>."},
        themes=[theme],
        tags=[],
        resubmit=True,
    )
    documents = {}
    client.force_login(moderator)
    documents["link health"] = client.get(reverse("sources:link_health"))
    documents["successor search"] = client.get(
        reverse("sources:record_review", args=[broken.slug]), {"successor_q": "report"}
    )
    documents["review with a diff"] = client.get(reverse("sources:review", args=[proposal.slug]))
    documents["review with a reason added"] = client.post(
        reverse("sources:review", args=[proposal.slug]),
        {"saved_reason": "summary", "add_reason": "1", "decision-reason": ""},
    )
    client.force_login(member)
    documents["comment preview"] = client.post(
        reverse("comments:post_on_theme", args=[theme.slug]),
        {"body": "A *preview*.\n\n- one", "preview": "1"},
    )
    assert Source.objects.filter(superseded_by__isnull=False).count() == 0

    names = {}
    for number, (name, response) in enumerate(documents.items()):
        assert response.status_code == 200, name
        path = tmp_path / f"page-{number}.html"
        path.write_text(response.content.decode(), encoding="utf-8")
        names[str(path)] = name
    result = subprocess.run(  # noqa: S603  (the checker, on files this test wrote)
        [*command, "--errors-only", "--format", "json", *names],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    errors = [
        f"{names.get(m.get('url', '').removeprefix('file:'), m.get('url'))}: {m['message']}"
        for m in json.loads(result.stderr)["messages"]
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert not errors, "\n".join(errors)
