"""A source's citations are rendered when it is approved or edited, and stored with it: its
page's first visit runs no citation processor (sources/evidence/citations.py)."""

import pytest
from django.core.management import call_command

from sources.evidence import citations
from sources.models import Source
from sources.proposals import moderation

from .factories import ModeratorFactory, ProposalFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_an_approved_source_s_page_shows_its_stored_citations(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    # Tags in an order their names do not sort in: the page reads them sorted.
    proposal = ProposalFactory(
        title="Stored citations of a report", year=2019, tags=["zeta", "alpha", "mid"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve(source=proposal, moderator=ModeratorFactory())
    stored = Source.objects.get(pk=proposal.pk).rendered_citations
    assert set(stored) == {"digest", *citations.STYLES}
    assert "Stored citations of a report" in stored["apa"]

    monkeypatch.setattr(citations, "format_citation", _refuse)
    page = client.get(proposal.get_absolute_url()).content.decode()

    assert stored["vancouver"] in page


def test_an_edit_stores_citations_of_the_new_record(django_capture_on_commit_callbacks):
    source = SourceFactory(title="Before the edit")
    with django_capture_on_commit_callbacks(execute=True):
        moderation.edit(
            source=source,
            editor=ModeratorFactory(),
            fields={"title": "After the edit"},
            themes=list(source.themes.all()),
            tags=[],
        )

    stored = Source.objects.get(pk=source.pk).rendered_citations
    assert "After the edit" in stored["apa"]
    assert "Before the edit" not in stored["harvard"]


def test_citations_stored_for_an_older_record_are_not_shown(client):
    source = SourceFactory(title="The first title")
    call_command("store_citations", verbosity=0)
    Source.objects.filter(pk=source.pk).update(title="A title changed in bulk")

    page = client.get(source.get_absolute_url()).content.decode()

    assert "A title changed in bulk" in page.split('id="cite-heading"')[1]
    assert "The first title" not in page


def test_storing_leaves_the_source_s_key_as_it_was():
    source = SourceFactory()
    before = Source.objects.get(pk=source.pk).updated_at

    call_command("store_citations", verbosity=0)

    assert Source.objects.get(pk=source.pk).updated_at == before
    assert Source.objects.get(pk=source.pk).rendered_citations["digest"]


def _refuse(item, style_key):
    raise AssertionError("citeproc ran on a page's visit")
