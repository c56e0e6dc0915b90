"""Public reading lists in the API: listed newest first, one with its items in order; private,
shared and hidden lists never appear."""

import json
from datetime import date

import pytest

from sources.lists import services
from sources.models import Source
from sources.opendata import open_data

from .factories import MemberFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(theme):
    owner = MemberFactory(username="owner", display_name="Olive Owner")
    sources = [SourceFactory(title=f"Source {n}", themes=[theme]) for n in range(3)]
    public = services.create_list(
        owner=owner, title="Public path", visibility="public", sources=sources
    )
    services.create_list(owner=owner, title="Private", sources=sources)
    services.create_list(owner=owner, title="By link", visibility="link", sources=sources)
    return public, sources


def test_the_api_lists_public_lists_only(client, lists):
    data = client.get("/api/lists/").json()
    assert [entry["title"] for entry in data] == ["Public path"]
    assert data[0]["owner"] == "Olive Owner" and data[0]["url"] == "/lists/public-path/"


def test_one_list_with_its_items_in_order_and_a_departed_source_as_a_note(client, lists):
    public, sources = lists
    Source.objects.filter(pk=sources[1].pk).update(status=Source.Status.RETIRED)
    data = client.get("/api/lists/public-path/").json()
    assert [item["title"] for item in data["items"]] == ["Source 0", "Source 1", "Source 2"]
    assert data["items"][1]["in_library"] is False and data["items"][1]["source"] is None
    assert data["items"][0]["source"]["url"] == sources[0].get_absolute_url()
    assert client.get("/api/lists/private/").status_code == 404
    assert client.get("/api/lists/by-link/").status_code == 404


def test_the_schema_describes_the_lists(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/lists/" in schema["paths"] and "/api/lists/{slug}/" in schema["paths"]


def test_the_open_data_download_holds_the_public_lists(lists, settings, tmp_path):
    settings.OPEN_DATA_DIR = tmp_path
    open_data.write(tmp_path, today=date(2026, 12, 1))
    written = json.loads((tmp_path / "q-library-2026-12-01.json").read_text())
    assert [entry["title"] for entry in written["reading_lists"]] == ["Public path"]
    assert [item["title"] for item in written["reading_lists"][0]["items"]] == [
        "Source 0",
        "Source 1",
        "Source 2",
    ]


def test_the_api_log_names_a_decided_list_with_its_slug_while_it_is_public(
    client, lists, theme, moderator
):
    public, _ = lists
    services.feature_list(reading_list=public, theme=theme, moderator=moderator, note="Begin.")
    services.hide_list(reading_list=public, moderator=moderator, reason="Spam")

    log = client.get("/api/moderation-log/").json()["results"]
    assert [
        (e["action"], e["decision"], e["reading_list"], e["theme"], e["reason"], e["moderator"])
        for e in log
    ] == [
        (
            "hide_list",
            "Hid a reading list",
            {"title": "Public path", "slug": None},
            None,
            "Spam",
            moderator.public_name,
        ),
        (
            "feature_list",
            "Featured a reading list",
            {"title": "Public path", "slug": None},
            {"slug": theme.slug, "title": theme.title},
            "Begin.",
            moderator.public_name,
        ),
    ]

    services.restore_list(reading_list=public, moderator=moderator)
    log = client.get("/api/moderation-log/").json()["results"]
    assert log[0]["decision"] == "Restored a reading list"
    assert {e["reading_list"]["slug"] for e in log} == {"public-path"}
