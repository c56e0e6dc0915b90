"""The read-only JSON API: what it shows, what it never shows, paging, ETags and its rate."""

import json
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from sources.evidence.citations import as_plain_text, csl_item, format_citation
from sources.models import Endorsement, LinkHealth, ModerationEvent, Source

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
    assert data["citation"]["style"] == "apa"
    assert data["citation"]["html"] == str(format_citation(csl_item(source), "apa"))
    assert data["endorsements_by_perspective"] == {"": 1}
    assert data["page"].endswith(source.get_absolute_url())


CONTRIBUTORS = [
    {"role": "author", "family": "Dixon-Woods", "given": "Mary"},
    {"role": "author", "literal": "Sustainable Improvement Team, NHS England"},
    {"role": "editor", "family": "van der Berg", "given": "J.", "suffix": "Jr."},
]
RECORD = {
    "container_title": "BMJ Quality & Safety",
    "volume": "23",
    "issue": "2",
    "page_first": "106",
    "page_last": "115",
    "publisher": "BMJ Publishing Group",
    "publisher_place": "London",
    "edition": "2",
    "report_number": "QS-7",
    "pmid": "24019507",
    "pmcid": "PMC3913222",
    "isbn": "9780306406157",
    "issn": "2044-5415",
    "year": 2014,
    "issued_month": 2,
    "issued_day": 1,
    "language": "en-GB",
}


@pytest.fixture
def article(themes):
    source = SourceFactory(
        title="Culture and behaviour in the English National Health Service",
        kind=Source.Kind.JOURNAL_ARTICLE,
        doi="10.1136/bmjqs-2013-001947",
        themes=themes[:1],
        **RECORD,
    )
    source.set_contributors(CONTRIBUTORS, et_al=True)
    source.save()
    LinkHealth.objects.create(
        source=source,
        checked_url=source.url,
        checked_at=datetime(2026, 12, 1, 12, tzinfo=UTC),
        answered_at=datetime(2026, 12, 1, 12, tzinfo=UTC),
        outcome=LinkHealth.Outcome.OK,
    )
    return source


def test_a_source_gives_its_whole_bibliographic_record(client, article):
    data = get(client, f"/api/sources/{article.slug}/")
    (listed,) = get(client, "/api/sources/")["results"]

    assert {field: data[field] for field in RECORD} == RECORD
    assert data["contributors"] == CONTRIBUTORS
    assert data["et_al"] is True
    assert data["authors"] == "Dixon-Woods M, Sustainable Improvement Team, NHS England, et al."
    assert data["accessed_on"] == "2026-12-01"
    assert listed == {field: data[field] for field in listed}


def test_the_citation_names_its_style_and_is_that_style(client, article):
    citation = get(client, f"/api/sources/{article.slug}/")["citation"]

    assert citation["style"] == "apa"
    assert citation["html"] == str(format_citation(csl_item(article), "apa"))
    # The text is the HTML's words: no markup, nothing escaped.
    assert "<i>" in citation["html"] and "&amp;" in citation["html"]
    html_words = citation["html"].replace("<i>", "").replace("</i>", "").replace("&amp;", "&")
    assert citation["text"] == html_words
    assert citation["text"].startswith("Dixon-Woods, M.")
    assert "BMJ Quality & Safety" in citation["text"]
    assert citation["text"] == as_plain_text(citation["html"])  # what the page's button copies


def test_the_schema_describes_the_record_and_the_citation(client):
    spec = json.loads(client.get(reverse("api:openapi-json")).content)
    schemas = spec["components"]["schemas"]
    source = schemas["SourceOut"]["properties"]

    assert set(RECORD) | {"contributors", "et_al", "accessed_on", "citation"} <= set(source)
    person, organisation = source["contributors"]["items"]["oneOf"]
    assert person["required"] == ["role", "family"]
    assert organisation["required"] == ["role", "literal"]
    assert not person["additionalProperties"] and not organisation["additionalProperties"]
    citation = schemas[source["citation"]["$ref"].rsplit("/", 1)[1]]["properties"]
    assert (
        citation["style"] == {**citation["style"], "enum": ["apa"]}
        or citation["style"]["const"] == "apa"
    )
    assert {"text", "html"} <= set(citation)
    assert set(schemas["SourceDetailOut"]["properties"]) >= set(source)


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
        "/api/lists/",
        "/api/lists/{slug}/",
    }
    assert client.get(reverse("api:openapi-view")).status_code == 200


# Each list, with the most items a page of it may hold.
LARGEST_PAGE = {"/api/sources/": 200, "/api/moderation-log/": 200, "/api/tags/": 500}
LISTS = list(LARGEST_PAGE)


@pytest.fixture
def logged(library, moderator):
    for number, source in enumerate(library):
        source.tags.add(f"theme {number}")
        ModerationEvent.objects.create(
            source=source, actor=moderator, action=ModerationEvent.Action.APPROVE, reason="Fits."
        )
    return library


def cursor_of(link):
    return parse_qs(urlsplit(link).query)["cursor"][0]


@pytest.mark.parametrize("path", LISTS)
def test_the_cursors_walk_each_list_there_and_back(client, logged, path):
    first = get(client, path, page_size=2)
    pages, link = [first["results"]], first["next"]
    while link:
        page = get(client, path, page_size=2, cursor=cursor_of(link))
        pages.append(page["results"])
        link = page["next"]
    back, link = [page["results"]], page["previous"]
    while link:
        page = get(client, path, page_size=2, cursor=cursor_of(link))
        back.insert(0, page["results"])
        link = page["previous"]

    assert len(pages) > 1
    assert [row for rows in back for row in rows] == [row for rows in pages for row in rows]
    everything = get(client, path, page_size=100)["results"]
    assert [row for rows in pages for row in rows] == everything


# Cursors as the API gave them before (base64 of a query string), tampered with: a position that
# is not a date, a negative offset, a huge one, a reverse flag that is not a boolean.
OLD_STYLE_TAMPERED = [
    "cD1nYXJiYWdl",
    "cD0yMDI2LTAxLTAxKzAwJTNBMDAlM0EwMCUyQjAwJTNBMDAmbz0tMQ==",
    "cD0yMDI2LTAxLTAxKzAwJTNBMDAlM0EwMCUyQjAwJTNBMDAmbz05OTk5OTk5OTk5OTk5OTk5OTk5OQ==",
    "cD0yMDI2LTAxLTAxKzAwJTNBMDAlM0EwMCUyQjAwJTNBMDAmcj1tYXliZQ==",
]
# Today's cursors tampered with: no position, a negative or a huge offset, an unknown
# direction, a NUL, too long.
TAMPERED = [
    "n0.",
    "n-1.1764979200000000",
    "n99999999999999999999.1764979200000000",
    "x0.1764979200000000",
    "n0.17649\x00",
    "n0." + "1" * 200,
]
# On the lists in date order: a position that is not a time, or beyond what a date can hold.
DATE_TAMPERED = ["n0.garbage", "n0.2026-01-01", "n0.99999999999999999999999"]


@pytest.mark.parametrize(
    ("path", "cursor"),
    [
        *((path, cursor) for path in LISTS for cursor in OLD_STYLE_TAMPERED + TAMPERED),
        *((path, cursor) for path in LISTS[:2] for cursor in DATE_TAMPERED),
    ],
)
def test_a_tampered_cursor_is_refused_with_a_clear_422(client, logged, path, cursor):
    response = client.get(path, {"cursor": cursor})

    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/json")
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", "cursor"]
    assert "Not a cursor of this list" in error["msg"]


def test_any_name_is_a_position_among_the_tags_but_nul(client, logged):
    response = client.get("/api/tags/", {"cursor": "n0.p\x00"})

    assert response.status_code == 422
    assert "Not a cursor of this list" in response.json()["detail"][0]["msg"]
    after_p = get(client, "/api/tags/", cursor="n0.p")["results"]
    assert [tag["name"] for tag in after_p] == [f"theme {number}" for number in range(7)]


@pytest.mark.parametrize(("path", "largest"), LARGEST_PAGE.items())
def test_page_sizes_outside_their_bounds_are_refused(client, logged, path, largest):
    for size in [-5, 0, largest + 1, "many"]:
        response = client.get(path, {"page_size": size})

        assert response.status_code == 422, (size, response.content)
        (error,) = response.json()["detail"]
        assert error["loc"] == ["query", "page_size"]
    assert get(client, path, page_size=largest)["next"] is None
    assert len(get(client, path, page_size=1)["results"]) == 1


def test_the_openapi_description_states_the_bounds_it_enforces(client):
    spec = json.loads(client.get(reverse("api:openapi-json")).content)

    def parameter(path, name):
        (found,) = [p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == name]
        schema = found["schema"]
        return next(iter(s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"))

    for path, largest in LARGEST_PAGE.items():
        size = parameter(path, "page_size")
        assert (size["type"], size["minimum"], size["maximum"]) == ("integer", 1, largest)
        cursor = parameter(path, "cursor")
        assert cursor["pattern"].startswith("^") and cursor["pattern"].endswith("$")
        assert cursor["maxLength"] <= 106
    dated = parameter("/api/sources/", "cursor")["pattern"]
    assert re.fullmatch(dated, "n0.1764979200000000")
    assert not re.fullmatch(dated, "n0.garbage")
    assert re.fullmatch(parameter("/api/tags/", "cursor")["pattern"], "p3.networks")


def test_every_text_parameter_says_that_it_refuses_nul(client, library, themes):
    spec = json.loads(client.get(reverse("api:openapi-json")).content)
    texts = {
        (path, parameter["name"]): schema["pattern"]
        for path, operations in spec["paths"].items()
        for parameter in operations["get"]["parameters"]
        for schema in parameter["schema"].get("anyOf", [parameter["schema"]])
        if schema.get("type") == "string"
    }

    assert set(texts) >= {
        ("/api/sources/", "theme"),
        ("/api/sources/", "tag"),
        ("/api/sources/", "q"),
        ("/api/sources/{slug}/", "slug"),
        ("/api/themes/{slug}/", "slug"),
    }
    assert not [name for name, pattern in texts.items() if re.fullmatch(pattern, "a\x00b")]
    for name in ["theme", "tag", "q"]:
        response = client.get("/api/sources/", {name: "a\x00b"})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", name]
    response = client.get(f"/api/themes/{themes[0].slug}%00/")
    assert response.status_code == 422
    assert "Null characters are not allowed" in response.json()["detail"][0]["msg"]
