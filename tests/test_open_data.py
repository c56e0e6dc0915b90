"""The dated full download of the library, made by a command and served with its licence."""

import csv
import hashlib
import io
import json
from datetime import date

import pytest
import rispy
from django.core.management import call_command
from django.urls import reverse

from sources.models import Source
from sources.opendata import open_data

from .factories import ProposalFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(tmp_path, settings):
    settings.OPEN_DATA_DIR = tmp_path / "open-data"
    return settings.OPEN_DATA_DIR


@pytest.fixture
def library(themes):
    approved = [
        SourceFactory(title="Teams that learn, together", themes=[themes[0]], tags=["teams"]),
        SourceFactory(title="Networks, spread and \u201cscale\u201d", themes=themes[1:], year=None),
    ]
    ProposalFactory(title="Not yet decided", themes=[themes[0]])
    return approved


def test_the_command_writes_json_and_csv_of_the_approved_library(data_dir, library, themes):
    out = io.StringIO()
    call_command("export_open_data", stdout=out)

    day = date.today().isoformat()
    written = json.loads((data_dir / f"q-library-{day}.json").read_text())
    assert written["licence"] == "CC BY 4.0"
    assert written["licence_url"] == open_data.LICENCE_URL
    assert [t["slug"] for t in written["themes"]] == [t.slug for t in themes]
    assert {s["title"] for s in written["sources"]} == {s.title for s in library}
    rows = list(csv.DictReader((data_dir / f"q-library-{day}.csv").open(encoding="utf-8")))
    assert {row["title"] for row in rows} == {s.title for s in library}
    ris = rispy.loads((data_dir / f"q-library-{day}.ris").read_text(encoding="utf-8"))
    assert {record["title"] for record in ris} == {s.title for s in library}
    networks = next(row for row in rows if row["title"].startswith("Networks"))
    assert networks["themes"] == f"{themes[1].slug}; {themes[2].slug}"
    assert networks["year"] == ""
    assert "CC BY 4.0" in out.getvalue()


def test_only_the_last_week_of_downloads_is_kept(data_dir, library):
    for day in range(1, 10):
        open_data.write(today=date(2026, 11, day))

    days = sorted({download.day.day for download in open_data.downloads()})
    assert days == [3, 4, 5, 6, 7, 8, 9]
    assert {download.format for download in open_data.downloads()} == {"json", "csv", "ris"}


def test_the_page_lists_the_latest_downloads_with_the_licence(client, data_dir, library):
    open_data.write(today=date(2026, 11, 1))
    open_data.write(today=date(2026, 11, 2))

    page = client.get(reverse("sources:open_data")).content.decode()

    assert 'rel="license"' in page
    assert "CC BY 4.0" in page
    assert page.index("q-library-2026-11-02.json") < page.index("q-library-2026-11-01.json")
    assert reverse("api:openapi-json") in page


def test_the_page_without_downloads_says_so_until_the_first_is_made(client, data_dir, db):
    page = client.get(reverse("sources:open_data")).content.decode()
    assert "No download has been made yet" in page

    open_data.write(today=date(2026, 11, 2))

    page = client.get(reverse("sources:open_data")).content.decode()
    assert "q-library-2026-11-02.csv" in page


def test_a_download_is_an_attachment_with_its_type_and_licence(client, data_dir, library):
    open_data.write(today=date(2026, 11, 2))

    response = client.get(reverse("sources:download", args=["q-library-2026-11-02.csv"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="q-library-2026-11-02.csv"'
    assert open_data.LICENCE_URL in response["Link"]
    body = b"".join(response.streaming_content).decode()
    assert "Teams that learn, together" in body
    assert "Not yet decided" not in body


@pytest.mark.parametrize(
    "name", ["q-library-2026-11-03.csv", "..%2F..%2Fsettings.py", "secrets.txt", "q-library-x.json"]
)
def test_anything_else_is_not_found(client, data_dir, library, name):
    open_data.write(today=date(2026, 11, 2))
    (data_dir / "secrets.txt").write_text("not for download")

    assert client.get(f"/data/{name}").status_code == 404


def test_the_download_matches_the_api(client, data_dir, library):
    open_data.write(today=date(2026, 11, 2))
    written = json.loads((data_dir / "q-library-2026-11-02.json").read_text())

    from_api = client.get("/api/sources/", {"page_size": 100}).json()["results"]
    assert sorted(written["sources"], key=lambda s: s["slug"]) == sorted(
        from_api, key=lambda s: s["slug"]
    )
    assert Source.objects.approved().count() == len(written["sources"])


def test_a_data_package_describes_the_files_with_their_licence_and_schema(data_dir, library):
    open_data.write(today=date(2026, 11, 2))

    package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))

    assert package["name"] == "q-library"
    assert package["licenses"] == [
        {"name": "CC-BY-4.0", "title": open_data.LICENCE_NAME, "path": open_data.LICENCE_URL}
    ]
    resources = {resource["format"]: resource for resource in package["resources"]}
    assert set(resources) == {"json", "csv", "ris", "txt"}
    for resource in package["resources"]:
        content = (data_dir / resource["path"]).read_bytes()
        assert resource["bytes"] == len(content)
        assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
        assert resource["encoding"] == "utf-8"
        assert resource["licenses"][0]["path"] == open_data.LICENCE_URL
    table = resources["csv"]
    assert table["path"] == "q-library-2026-11-02.csv"
    assert table["profile"] == "tabular-data-resource"
    with (data_dir / table["path"]).open(encoding="utf-8", newline="") as file:
        header = next(csv.reader(file))
    fields = {field["name"]: field for field in table["schema"]["fields"]}
    assert [field["name"] for field in table["schema"]["fields"]] == header
    assert fields["year"]["type"] == "integer"
    assert fields["endorsement_count"]["type"] == "integer"
    assert fields["approved_at"]["type"] == "datetime"
    assert set(fields["kind"]["constraints"]["enum"]) == set(Source.Kind.values)
    assert fields["page"]["description"] == "The source's page in the library."
    assert table["schema"]["primaryKey"] == ["slug"]


def test_the_schema_follows_the_csv_columns(data_dir, library, monkeypatch):
    monkeypatch.setattr(open_data, "CSV_COLUMNS", [*open_data.CSV_COLUMNS, "a_new_column"])

    open_data.write(today=date(2026, 11, 2))

    package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    table = next(resource for resource in package["resources"] if resource["format"] == "csv")
    assert table["schema"]["fields"][-1] == {"name": "a_new_column", "type": "string"}
    with (data_dir / table["path"]).open(encoding="utf-8", newline="") as file:
        assert next(csv.reader(file))[-1] == "a_new_column"


def test_the_package_and_readme_are_served_with_the_licence(client, data_dir, library):
    open_data.write(today=date(2026, 11, 2))

    package = client.get("/data/datapackage.json")
    readme = client.get("/data/README.txt")
    page = client.get(reverse("sources:open_data")).content.decode()

    assert package["Content-Type"] == "application/json"
    assert "attachment" not in package["Content-Disposition"]
    described = json.loads(b"".join(package.streaming_content))
    assert described["licenses"][0]["name"] == "CC-BY-4.0"
    assert readme["Content-Type"] == "text/plain; charset=utf-8"
    text = b"".join(readme.streaming_content).decode()
    assert open_data.LICENCE_NAME in text
    assert "q-library-2026-11-02.csv" in text
    assert "q-library-2026-11-02.ris" in text
    assert open_data.LICENCE_URL in readme["Link"]
    assert 'href="/data/datapackage.json"' in page
    assert 'href="/data/README.txt"' in page


@pytest.mark.parametrize("encoding", ["", "gzip"])
@pytest.mark.parametrize("name", ["q-library-2026-11-02.csv", "datapackage.json"])
def test_downloads_answer_conditional_requests(client, data_dir, library, name, encoding):
    open_data.write(today=date(2026, 11, 2))
    first = client.get(f"/data/{name}", HTTP_ACCEPT_ENCODING=encoding)
    assert first.status_code == 200
    assert first.get("Content-Encoding", "") == encoding
    assert first["ETag"]
    assert first["Last-Modified"]

    by_tag = client.get(
        f"/data/{name}", HTTP_IF_NONE_MATCH=first["ETag"], HTTP_ACCEPT_ENCODING=encoding
    )
    by_date = client.get(f"/data/{name}", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert by_tag.status_code == 304
    assert by_date.status_code == 304
    open_data.write(today=date(2026, 11, 2))
    (data_dir / name).touch()
    changed = client.get(f"/data/{name}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_the_files_carry_each_source_s_record_and_named_citation(data_dir, themes):
    source = SourceFactory(
        title="Culture and behaviour",
        kind=Source.Kind.JOURNAL_ARTICLE,
        themes=themes[:1],
        container_title="BMJ Quality & Safety",
        volume="23",
        issue="2",
        page_first="106",
        page_last="115",
        pmid="24019507",
        issn="2044-5415",
        year=2014,
        issued_month=2,
        language="en",
    )
    contributors = [
        {"role": "author", "family": "Dixon-Woods", "given": "Mary"},
        {"role": "author", "literal": "Sustainable Improvement Team, NHS England"},
    ]
    source.set_contributors(contributors)
    source.save()

    open_data.write(today=date(2026, 11, 2))

    (from_json,) = json.loads((data_dir / "q-library-2026-11-02.json").read_text())["sources"]
    with (data_dir / "q-library-2026-11-02.csv").open(encoding="utf-8", newline="") as file:
        (row,) = csv.DictReader(file)
    record = {
        "container_title": "BMJ Quality & Safety",
        "volume": "23",
        "issue": "2",
        "page_first": "106",
        "page_last": "115",
        "pmid": "24019507",
        "issn": "2044-5415",
        "language": "en",
    }
    assert {field: from_json[field] for field in record} == record
    assert from_json["contributors"] == contributors
    assert (from_json["year"], from_json["issued_month"]) == (2014, 2)
    assert {field: row[field] for field in record} == record
    assert json.loads(row["contributors"]) == contributors
    assert (row["year"], row["issued_month"], row["issued_day"]) == ("2014", "2", "")
    assert row["citation_style"] == from_json["citation"]["style"] == "apa"
    assert row["citation"] == from_json["citation"]["text"]
    package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    table = next(resource for resource in package["resources"] if resource["format"] == "csv")
    fields = {field["name"]: field for field in table["schema"]["fields"]}
    assert fields["contributors"]["type"] == "array"
    assert fields["et_al"]["type"] == "boolean"
    assert fields["accessed_on"]["type"] == "date"
    assert fields["issued_month"]["type"] == "integer"
    assert "citation_style" in fields["citation"]["description"]
