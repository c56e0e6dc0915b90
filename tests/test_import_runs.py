"""A short reading list is previewed in the request and imported once confirmed; a long one is
an ImportRun that the task worker carries out in batches, while the moderator follows its
progress on a page that refreshes itself until it says the import is done."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone

from sources.evidence import imports
from sources.models import ImportRun, ModerationEvent, Source

from .factories import ModeratorFactory, SourceFactory
from .test_import_limits import upload

pytestmark = pytest.mark.django_db


def test_a_short_list_keeps_its_text_out_of_the_session(client, moderator, themes):
    client.force_login(moderator)
    ris = "TY  - RPRT\nTI  - First\nER  - \n"

    preview = upload(client, ris, themes[:1], name="list.ris")

    run = ImportRun.objects.get()
    assert (run.status, run.text, run.total) == ("previewed", ris, 1)
    assert preview.context["token"] == run.pk
    assert all(ris not in str(value) for value in client.session.values())
    client.post("/moderation/import/", {"confirm": "1", "token": run.pk})
    run.refresh_from_db()
    assert (run.status, run.imported, run.text) == ("done", 1, "")


def long_list(count):
    """A RIS list longer than a request previews: `count` new reports."""
    return "".join(
        f"TY  - RPRT\nTI  - Report {n}\nUR  - https://example.org/{n}\nKW  - spread\nER  - \n"
        for n in range(count)
    )


def test_a_long_list_is_imported_in_the_background_and_the_moderator_sees_it_done(
    client, moderator, themes
):
    SourceFactory(title="Already here", url="https://example.org/3")
    text = long_list(imports.IN_REQUEST_ENTRIES + 20) + "TY  - RPRT\nAU  - Nobody\nER  - \n"
    client.force_login(moderator)

    response = upload(client, text, themes[1:2], name="long.ris")

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/moderation/import/{run.pk}/"
    # The test task backend runs the task at once: the page shows it finished.
    page = client.get(response["Location"]).content.decode()
    assert "Done: 119 new proposals imported from 121 entries; 1 duplicate and 1 malformed" in page
    assert 'http-equiv="refresh"' not in page
    assert 'href="/moderation/">Review them in the moderation queue' in page
    assert "<strong>Report 3</strong>: the same source as “Already here”" in page
    assert "it has no title." in page
    imported = Source.objects.filter(imported=True)
    assert imported.count() == 119
    assert set(imported.values_list("themes", flat=True)) == {themes[1].pk}
    assert ModerationEvent.objects.filter(action="submit", actor=moderator).count() == 119
    run.refresh_from_db()
    assert (run.status, run.done, run.total, run.text) == ("done", 121, 121, "")
    form = client.get("/moderation/import/").content.decode()
    assert f'<a href="/moderation/import/{run.pk}/">long.ris</a>' in form
    assert "done, 119 imported" in form


# Real transactions, as the database task worker has them. After another transactional test's
# flush the data migration's themes are gone: `live_themes` makes them again.
@pytest.mark.django_db(transaction=True)
def test_a_long_list_waits_for_the_worker_and_its_page_refreshes_until_done(
    client, settings, live_themes
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    moderator = ModeratorFactory()
    client.force_login(moderator)

    location = upload(client, long_list(300), live_themes[:1], name="long.ris")["Location"]

    waiting = client.get(location).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in waiting
    assert "Waiting to start" in waiting
    assert '<progress max="300" value="0"' in waiting
    assert f'<a href="{location}">Refresh now</a>' in waiting
    assert not Source.objects.exists()

    call_command(
        "db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0
    )

    done = client.get(location).content.decode()
    assert "Done: 300 new proposals imported from 300 entries" in done
    assert 'http-equiv="refresh"' not in done
    assert Source.objects.filter(imported=True, proposer=moderator).count() == 300


def test_a_run_that_stops_keeps_the_batches_before_and_says_what_to_do(
    moderator, themes, monkeypatch
):
    monkeypatch.setattr(imports, "BATCH", 2)
    create = imports._create
    calls = []

    def failing_second_batch(entries, **kwargs):
        calls.append(len(entries))
        if len(calls) == 2:
            raise IntegrityError("UNIQUE constraint failed: sources_source.url_key")
        return create(entries, **kwargs)

    monkeypatch.setattr(imports, "_create", failing_second_batch)
    run = ImportRun.objects.create(
        moderator=moderator, text=long_list(5), label="long.ris", name="long.ris", stance="refines"
    )
    run.themes.set(themes[:1])

    imports.run_import(run.pk)

    run.refresh_from_db()
    assert (run.status, run.imported, run.done, run.total) == ("failed", 2, 2, 5)
    assert "Import the list again: what is already imported is skipped." in run.error
    assert sorted(Source.objects.values_list("title", flat=True)) == ["Report 0", "Report 1"]


def test_a_run_is_carried_out_once(moderator, themes):
    run = ImportRun.objects.create(
        moderator=moderator, text=long_list(3), label="l", stance="refines"
    )
    run.themes.set(themes[:1])

    imports.run_import(run.pk)
    imports.run_import(run.pk)  # a second delivery of the same task

    assert Source.objects.count() == 3


def test_only_the_moderator_who_imports_sees_the_progress(client, moderator, member, themes):
    run = ImportRun.objects.create(
        moderator=moderator, label="mine.ris", stance="refines", total=10
    )
    path = f"/moderation/import/{run.pk}/"

    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(member)
    assert client.get(path).status_code == 403
    client.force_login(ModeratorFactory())
    assert client.get(path).status_code == 404
    client.force_login(moderator)
    page = client.get(path).content.decode()
    assert "Import of mine.ris" in page and "0 of 10 entries settled" in page


@pytest.mark.parametrize("skipped", [1, 500])
def test_the_progress_page_runs_the_same_queries_however_many_entries_were_skipped(
    client, moderator, django_assert_num_queries, skipped
):
    run = ImportRun.objects.create(
        moderator=moderator,
        label="list.ris",
        stance="refines",
        status=ImportRun.Status.DONE,
        total=skipped,
        done=skipped,
        malformed=skipped,
        skipped=[[n, f"Entry {n}", "it has no title."] for n in range(skipped)],
    )
    client.force_login(moderator)

    with django_assert_num_queries(3):
        page = client.get(f"/moderation/import/{run.pk}/").content.decode()

    assert page.count("it has no title.") == skipped


def test_a_bibtex_file_too_large_to_decode_in_the_request_goes_to_the_background(
    client, moderator, themes
):
    # Few entries, but LaTeX in them all: decoding it is the slow part, so it waits for the worker.
    title = "Caf\\'e " * 30
    bib = "".join(
        f"@book{{k{n}, title = {{{title}{n}}}, abstract = {{{title * 10}}}}}\n" for n in range(60)
    )
    assert len(bib.encode()) > imports.IN_REQUEST_BYTES
    client.force_login(moderator)

    response = upload(client, bib, themes[:1], name="list.bib")

    run = ImportRun.objects.get()
    assert response["Location"] == f"/moderation/import/{run.pk}/"
    assert (run.status, run.imported) == ("done", 60)
    assert Source.objects.filter(title__startswith="Café Café").count() == 60


def test_a_run_the_worker_never_took_stops_refreshing_and_says_why(client, moderator):
    run = ImportRun.objects.create(moderator=moderator, label="list.bib", stance="refines", total=9)
    client.force_login(moderator)
    fresh = client.get(f"/moderation/import/{run.pk}/").content.decode()
    assert 'http-equiv="refresh"' in fresh and "has not moved" not in fresh

    ImportRun.objects.filter(pk=run.pk).update(
        updated_at=timezone.now() - ImportRun.STALLED_AFTER - timedelta(seconds=1)
    )

    stalled = client.get(f"/moderation/import/{run.pk}/").content.decode()
    assert "This import has not moved for ten minutes" in stalled
    assert "<code>manage.py db_worker</code>" in stalled
    assert 'http-equiv="refresh"' not in stalled
