"""Moderators bring a reading list in: preview, then one confirmed import of proposals."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from sources.evidence import imports
from sources.models import ModerationEvent, Source

from .factories import ProposalFactory, SourceFactory

pytestmark = pytest.mark.django_db

# The record's fields an export carries and an import reads back (sources/evidence/ris.py,
# sources/evidence/biblatex.py); a report's ISBN has no place in biblatex's @report.
COMPARED = (
    "title",
    "year",
    "issued_month",
    "doi",
    "url",
    "kind",
    "contributors",
    "container_title",
    "volume",
    "issue",
    "page_first",
    "page_last",
    "publisher",
    "pmid",
    "language",
)


def upload(client, content, themes, *, name="list.ris", stance="refines"):
    return client.post(
        "/moderation/import/",
        {
            "import-file": SimpleUploadedFile(
                name, content.encode() if isinstance(content, str) else content
            ),
            "import-themes": [theme.pk for theme in themes],
            "import-stance": stance,
        },
    )


def confirm(client, preview_response):
    token = preview_response.context["token"]
    return client.post("/moderation/import/", {"confirm": "1", "token": token}, follow=True)


def starter_export(client, format="ris"):
    call_command("seed_library", stdout=io.StringIO())
    response = client.get(f"/sources/export/{format}/")
    text = b"".join(response.streaming_content).decode()
    library = {source.slug: source for source in Source.objects.prefetch_related("themes", "tags")}
    Source.objects.all().delete()
    return text, library


@pytest.mark.parametrize("format", ["ris", "bibtex"])
def test_an_exported_library_imports_back_as_proposals_with_the_same_fields(
    client, moderator, themes, format
):
    text, original = starter_export(client, format)
    client.force_login(moderator)

    preview = upload(client, text, themes[1:2], name=f"library.{format}")

    assert preview.status_code == 200
    assert len(preview.context["preview"].new) == 23
    assert "23</strong> new proposals to import" in preview.content.decode()
    assert not Source.objects.exists()  # nothing saved by the preview

    page = confirm(client, preview).content.decode()

    assert "Imported 23 of 23 entries from library." in page
    assert page.count('<span class="badge">Imported</span>') == 20  # the queue's first page
    imported = Source.objects.prefetch_related("themes", "tags")
    assert imported.count() == 23
    by_title = {source.title: source for source in imported}
    for before in original.values():
        after = by_title[before.title]
        assert [getattr(after, f) for f in COMPARED] == [getattr(before, f) for f in COMPARED]
        assert after.authors == before.authors or (format == "ris" and before.et_al)
        assert after.isbn == before.isbn or (format == "bibtex" and before.kind != "book")
        assert {tag.name for tag in after.tags.all()} == {tag.name for tag in before.tags.all()}
        assert (after.status, after.proposer, after.imported) == ("proposed", moderator, True)
        assert after.stance == "refines"
        assert [theme.pk for theme in after.themes.all()] == [themes[1].pk]
        assert after.url_key == before.url_key and after.doi_key == before.doi_key
    assert ModerationEvent.objects.filter(action="submit", actor=moderator).count() == 23


def test_importing_the_same_file_twice_reports_every_entry_as_a_duplicate(
    client, moderator, themes
):
    text, _ = starter_export(client)
    client.force_login(moderator)
    confirm(client, upload(client, text, themes[:1]))

    second = upload(client, text, themes[:1])

    checked = second.context["preview"]
    assert (len(checked.new), len(checked.duplicates), len(checked.malformed)) == (0, 23, 0)
    content = second.content.decode()
    assert "There is nothing new to import" in content
    assert "already in the library or the queue" in content
    assert 'name="confirm"' not in content
    assert Source.objects.count() == 23


def test_malformed_entries_are_listed_with_their_reason_and_the_rest_imported(
    client, moderator, themes
):
    ris = (
        "TY  - RPRT\nTI  - A good report\nPY  - 2019\nUR  - https://example.org/good\nER  - \n"
        "TY  - RPRT\nAU  - Nobody, N.\nER  - \n"
        "TY  - JOUR\nTI  - Dated oddly\nPY  - soon\nER  - \n"
        "TY  - ELEC\nTI  - Odd address\nUR  - ftp://example.org/file\nER  - \n"
        "TY  - JOUR\nTI  - Odd DOI\nDO  - 11.1/abc\nER  - \n"
        "TY  - RPRT\nTI  - The good report again\nUR  - http://www.example.org/good/\nER  - \n"
    )
    client.force_login(moderator)

    preview = upload(client, ris, themes[:1])

    checked = preview.context["preview"]
    assert [entry.fields["title"] for entry in checked.new] == ["A good report", "Dated oddly"]
    # A year that is not one is left out and said so; the rest of its entry is imported.
    assert checked.new[1].dropped == ["PY “soon” (not a date)"]
    assert checked.new[1].fields["year"] is None
    problems = {entry.number: entry.problem for entry in checked.malformed}
    assert problems == {
        2: "it has no title.",
        4: "URL: Enter a valid URL.",
        5: "its DOI “11.1/abc” is not a DOI.",
    }
    [duplicate] = checked.duplicates
    assert duplicate.duplicate_of == "entry 1 of this list, “A good report”"
    content = preview.content.decode()
    assert "Entry 2</strong>: it has no title." in content
    assert "Left out, as the record has no place for it: PY “soon” (not a date)." in content
    page = confirm(client, preview).content.decode()
    assert (
        "Imported 2 of 6 entries from list.ris as proposals; 1 duplicate and 3 malformed "
        "entries skipped." in page
    )
    assert sorted(Source.objects.values_list("title", flat=True)) == [
        "A good report",
        "Dated oddly",
    ]


def test_duplicates_of_the_library_and_the_queue_are_skipped(client, moderator, member, themes):
    SourceFactory(title="In the library", url="https://example.org/library", doi="")
    ProposalFactory(
        title="In the queue",
        url="",
        doi="10.1000/queued",
        doi_key="10.1000/queued",
        proposer=member,
    )
    SourceFactory(title="No address at all", url="", url_key="")
    bib = (
        "@techreport{a, title = {Same page}, url = {https://www.example.org/library/}}\n"
        "@article{b, title = {Same DOI}, doi = {https://doi.org/10.1000/QUEUED}}\n"
        "@book{c, title = {no address AT ALL}}\n"
        "@book{d, title = {Something new}, author = {Heimans, Jeremy and Timms, Henry},\n"
        "  year = {2018}}\n"
    )
    client.force_login(moderator)

    checked = upload(client, bib, themes[:1], name="list.bib").context["preview"]

    assert [entry.fields["title"] for entry in checked.new] == ["Something new"]
    assert checked.new[0].fields["authors"] == "Heimans J, Timms H"
    assert checked.new[0].fields["contributors"] == [
        {"role": "author", "family": "Heimans", "given": "Jeremy"},
        {"role": "author", "family": "Timms", "given": "Henry"},
    ]
    assert checked.new[0].fields["kind"] == Source.Kind.BOOK
    assert {entry.title: entry.duplicate_of for entry in checked.duplicates} == {
        "Same page": "“In the library”, already in the library or the queue",
        "Same DOI": "“In the queue”, already in the library or the queue",
        "no address AT ALL": "“No address at all”, already in the library or the queue",
    }


def test_pasted_dois_become_proposals_holding_the_doi_with_a_note(client, moderator, themes):
    client.force_login(moderator)

    preview = client.post(
        "/moderation/import/",
        {
            "import-dois": (
                "10.1136/bmj.k3617\nhttps://doi.org/10.1186/S13012-018-0784-Z\nnot a doi\n"
            ),
            "import-themes": [themes[0].pk],
            "import-stance": "reinforces",
        },
    )

    checked = preview.context["preview"]
    assert [entry.fields["doi"] for entry in checked.new] == [
        "10.1136/bmj.k3617",
        "10.1186/s13012-018-0784-z",
    ]
    assert checked.malformed[0].problem.startswith("“not a doi” is not a DOI")
    confirm(client, preview)
    source = Source.objects.get(doi="10.1136/bmj.k3617")
    assert (source.title, source.imported, source.doi_key) == (
        "10.1136/bmj.k3617",
        True,
        "10.1136/bmj.k3617",
    )
    assert source.summary == ""


def test_a_failure_during_the_import_leaves_nothing_half_imported(
    client, moderator, themes, monkeypatch
):
    client.force_login(moderator)
    ris = "".join(f"TY  - RPRT\nTI  - Report {n}\nKW  - spread\nER  - \n" for n in range(5))
    preview = upload(client, ris, themes[:1])

    def broken(*args, **kwargs):
        from django.db import IntegrityError

        raise IntegrityError("UNIQUE constraint failed: sources_source.url_key")

    monkeypatch.setattr(imports, "_tag", broken)
    page = confirm(client, preview).content.decode()

    assert "Nothing was imported" in page
    assert not Source.objects.exists()
    assert not ModerationEvent.objects.exists()


def test_an_entry_taken_between_preview_and_import_is_skipped_as_a_duplicate(
    client, moderator, member, themes
):
    client.force_login(moderator)
    ris = (
        "TY  - RPRT\nTI  - First\nUR  - https://example.org/first\nER  - \n"
        "TY  - RPRT\nTI  - Second\nER  - \n"
    )
    preview = upload(client, ris, themes[:1])
    ProposalFactory(title="Someone else's", url="https://example.org/first", proposer=member)

    page = confirm(client, preview).content.decode()

    assert "Imported 1 of 2 entries from list.ris as proposals; 1 duplicate" in page
    assert Source.objects.filter(imported=True).get().title == "Second"


def test_a_preview_that_is_no_longer_current_imports_nothing(client, moderator, themes):
    client.force_login(moderator)
    upload(client, "TY  - RPRT\nTI  - First\nER  - \n", themes[:1])

    page = client.post(
        "/moderation/import/", {"confirm": "1", "token": "stale"}, follow=True
    ).content.decode()

    assert "That preview is no longer current" in page
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"import-file": b"\xff\xfe\x00T\x00Y"}, "The file is not UTF-8 text."),
        ({"import-file": b"Just some notes, no references."}, "is not a DOI"),
        ({"import-file": b"Notes", "name": "list.ris"}, "list.ris holds no RIS records"),
        ({"import-file": b"TY  - JOUR", "name": "list.bib"}, "list.bib holds no BibTeX records"),
        ({"import-file": b"   \n"}, "No entries were found."),
        ({}, "Upload a RIS or BibTeX file, or paste DOIs: one of them."),
    ],
)
def test_an_unreadable_upload_gets_a_clear_message_and_saves_nothing(
    client, moderator, themes, data, message
):
    client.force_login(moderator)
    post = {"import-themes": [themes[0].pk], "import-stance": "reinforces"}
    if "import-file" in data:
        name = data.get("name", "list.txt")
        post["import-file"] = SimpleUploadedFile(name, data["import-file"])

    response = client.post("/moderation/import/", post)

    assert message in response.content.decode()
    assert not Source.objects.exists()


def test_only_moderators_may_import(client, member, themes):
    anonymous = client.get("/moderation/import/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]

    client.force_login(member)
    post = {
        "import-dois": "10.1136/bmj.k3617",
        "import-themes": [themes[0].pk],
        "import-stance": "reinforces",
    }
    assert client.post("/moderation/import/", post).status_code == 403
    assert client.post("/moderation/import/", {"confirm": "1", "token": "x"}).status_code == 403
    assert not Source.objects.exists()


def test_the_import_form_asks_for_a_list_themes_and_a_stance(client, moderator, themes):
    client.force_login(moderator)

    page = client.get("/moderation/import/").content.decode()

    assert 'enctype="multipart/form-data"' in page
    assert 'name="import-file"' in page and 'name="import-dois"' in page
    assert page.count('name="import-themes"') == 3
    assert 'aria-current="page">Import a list</a>' in page


def test_invisible_characters_in_a_file_never_reach_the_library(themes, moderator):
    from sources.evidence.imports import import_entries
    from sources.text import has_forbidden

    ris = (
        "TY  - RPRT\nTI  - Spread\x00 of \u202eimprovement\x07\nAU  - Doe, Jane\x01\n"
        "PY  - 2019\nUR  - https://example.org/spread\nKW  - net\x0bworks\nER  - \n"
    )
    import_entries(text=ris, moderator=moderator, themes=themes[:1], stance="reinforces")

    source = Source.objects.get(url="https://example.org/spread")
    assert source.title == "Spread of improvement"
    for value in (source.title, source.authors, *source.tags.names()):
        assert not has_forbidden(value), value
