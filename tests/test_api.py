"""The read-only JSON API: what it shows, what it never shows, paging, ETags and its rate."""

import json

import pytest
from django.urls import reverse

from sources.models import Endorsement, ModerationEvent, Source

from .factories import MemberFactory, ProposalFactory, SourceFactory

pytestmark = pytest.mark.django_db

SECRET_BITS = [
    "secret-proposer@example.org",
    "secret-endorser@example.org",
    "I wrote it myself (undeclared in public)",
    "Hidden proposal title",
    "Declined proposal title",
]


@pytest.fixture
def library(themes):
    proposer = MemberFactory(username="prop", email="secret-proposer@example.org")
    endorser = MemberFactory(username="endo", email="secret-endorser@example.org")
    first, second, _ = themes
    approved = [
        SourceFactory(
            title=f"Approved {n}",
            themes=[first if n % 2 else second],
            stance=Source.Stance.CHALLENGES if n == 3 else Source.Stance.REINFORCES,
            kind=Source.Kind.BOOK if n == 4 else Source.Kind.REPORT,
            year=2000 + n,
            tags=["networks"] if n < 2 else [],
            proposer=proposer,
        )
        for n in range(7)
    ]
    Endorsement.objects.create(source=approved[0], member=endorser)
    ProposalFactory(title="Hidden proposal title", proposer=proposer, themes=[first])
    SourceFactory(
        title="Declined proposal title",
        status=Source.Status.DECLINED,
        approved_at=None,
        conflict_of_interest="I wrote it myself (undeclared in public)",
        proposer=proposer,
        themes=[first],
    )
    return approved


def get(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_sources_are_the_approved_ones_only(client, library):
    data = get(client, "/api/sources/", page_size=100)

    assert sorted(row["title"] for row in data["results"]) == sorted(s.title for s in library)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"stance": "challenges"}, {"Approved 3"}),
        ({"kind": "book"}, {"Approved 4"}),
        ({"year": 2005}, {"Approved 5"}),
        ({"tag": "networks"}, {"Approved 0", "Approved 1"}),
        ({"q": "Approved 6"}, {"Approved 6"}),
    ],
)
def test_sources_take_the_listing_filters(client, library, params, expected):
    data = get(client, "/api/sources/", **params)

    assert {row["title"] for row in data["results"]} == expected


def test_theme_filter(client, library, themes):
    data = get(client, "/api/sources/", theme=themes[0].slug)

    assert {row["title"] for row in data["results"]} == {"Approved 1", "Approved 3", "Approved 5"}


def test_an_unknown_filter_value_is_a_clear_422_not_a_500(client, library):
    response = client.get("/api/sources/", {"stance": "<script>", "year": "soon"})

    assert response.status_code == 422
    assert "stance" in response.content.decode()


def test_the_cursor_walks_every_source_once(client, library):
    seen, cursor = [], None
    while True:
        params = {"page_size": 3, **({"cursor": cursor} if cursor else {})}
        data = get(client, "/api/sources/", **params)
        seen += [row["slug"] for row in data["results"]]
        if not data["next"]:
            break
        cursor = data["next"].split("cursor=")[1].split("&")[0]
    assert sorted(seen) == sorted(source.slug for source in library)


def test_one_source_with_its_citation_fields(client, library):
    source = library[0]
    data = get(client, f"/api/sources/{source.slug}/")

    assert data["title"] == source.title
    assert data["year"] == source.year
    assert data["url"] == source.url
    assert data["citation"] == source.citation()
    assert data["endorsements_by_perspective"] == {"": 1}
    assert data["page"].endswith(source.get_absolute_url())


@pytest.mark.parametrize("title", ["Hidden proposal title", "Declined proposal title"])
def test_sources_not_in_the_library_are_not_found(client, library, title):
    slug = Source.objects.get(title=title).slug

    assert client.get(f"/api/sources/{slug}/").status_code == 404


def test_themes_tags_and_the_public_log(client, library, themes, moderator):
    ModerationEvent.objects.create(
        source=library[0],
        actor=moderator,
        action=ModerationEvent.Action.APPROVE,
        reason="Fits the first theme well.",
    )
    ModerationEvent.objects.create(
        source=library[0], actor=moderator, action=ModerationEvent.Action.SUBMIT
    )

    assert [t["slug"] for t in get(client, "/api/themes/")] == [t.slug for t in themes]
    assert get(client, f"/api/themes/{themes[0].slug}/")["source_count"] == 3
    tags = get(client, "/api/tags/")["results"]
    assert [(t["name"], t["source_count"]) for t in tags] == [("networks", 2)]
    log = get(client, "/api/moderation-log/")["results"]
    assert [(e["decision"], e["reason"], e["moderator"]) for e in log] == [
        ("Approved", "Fits the first theme well.", moderator.public_name)
    ]


def test_no_field_a_reader_may_not_see_comes_out(client, library, themes):
    """Every operation, every page: no e-mail, no proposal, no private declaration."""
    slug = library[0].slug
    paths = [
        "/api/sources/?page_size=200",
        f"/api/sources/{slug}/",
        "/api/themes/",
        f"/api/themes/{themes[0].slug}/",
        "/api/tags/",
        "/api/moderation-log/",
    ]
    for path in paths:
        body = client.get(path).content.decode()
        for secret in SECRET_BITS:
            assert secret not in body, (path, secret)
        assert "@" not in body.replace("mailto", ""), path
    source_fields = set(get(client, f"/api/sources/{slug}/"))
    assert not source_fields & {"proposer", "conflict_of_interest", "status", "decision_reason"}


def test_a_repeated_request_with_the_etag_costs_a_304(client, library):
    first = client.get("/api/sources/")
    again = client.get("/api/sources/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first["ETag"]
    assert again.status_code == 304
    SourceFactory(title="Newly approved")
    changed = client.get("/api/sources/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200


def test_each_client_is_rate_limited(client, library, settings):
    settings.API_RATE = "3/m"

    codes = [client.get("/api/themes/").status_code for _ in range(4)]
    other = client.get("/api/themes/", REMOTE_ADDR="10.0.0.9").status_code
    # A client cannot escape its limit by naming another address in a header.
    spoofed = client.get("/api/themes/", HTTP_X_FORWARDED_FOR="10.0.0.10").status_code

    assert spoofed == 429
    assert codes == [200, 200, 200, 429]
    assert other == 200


def test_the_openapi_description_is_served_and_names_every_operation(client):
    spec = json.loads(client.get(reverse("api:openapi-json")).content)

    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {
        "/api/sources/",
        "/api/sources/{slug}/",
        "/api/themes/",
        "/api/themes/{slug}/",
        "/api/tags/",
        "/api/moderation-log/",
    }
    assert client.get(reverse("api:openapi-view")).status_code == 200
