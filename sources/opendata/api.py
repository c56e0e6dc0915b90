"""The library as open data: a read-only JSON API under /api/, described at /api/openapi.json.

It shows exactly what a reader without an account may see on the site: approved sources, the
themes, the tags in use and the public moderation log. The schemas below list every field that
leaves; nothing else does (no e-mail address, no private field, no proposal still in the queue).
Every answer carries an ETag, and each client is rate-limited.
"""

from datetime import date, datetime
from functools import wraps
from typing import Annotated, Literal

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response, set_response_etag
from ninja import Field, NinjaAPI, Query, Schema
from ninja.decorators import decorate_view
from ninja.pagination import paginate
from ninja.throttling import SimpleRateThrottle
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, WithJsonSchema
from taggit.models import Tag

from qlibrary.cache import fragment, fragments
from sources.evidence.citations import as_plain_text, csl_item, format_citation
from sources.evidence.contributors import ROLES
from sources.library import page_keys
from sources.models import ModerationEvent, Source, Theme
from sources.opendata.api_cursors import DatePositions, NamePositions, StatedCursorPagination
from sources.text import clean_text


class PerClientThrottle(SimpleRateThrottle):
    """API_RATE requests per client address, signed in or not."""

    scope = "api"

    def __init__(self):
        super().__init__(settings.API_RATE)

    def allow_request(self, request):
        # The rate is read on each request, so a change of the setting applies at once.
        self.rate = settings.API_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_ident(self, request):
        # The client's address as the log-in's rate limits read it: from the proxy's header only
        # as far as TRUSTED_PROXY_COUNT or TRUSTED_CLIENT_IP_HEADER say, never as a client says.
        # A request with no address to read (no configured header) shares one bucket.
        try:
            return get_adapter(request).get_client_ip(request)
        except PermissionDenied:
            return "unknown"

    def get_cache_key(self, request):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def with_etag(view):
    """Give a successful answer an ETag of its body and answer a matching If-None-Match
    with 304, so a client polling for changes costs almost nothing."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            set_response_etag(response)
            return get_conditional_response(request, etag=response["ETag"], response=response)
        return response

    return wrapper


api = NinjaAPI(
    title="Q Library API",
    version="1",
    description=(
        "Read-only open data of Q Library, the community-curated library of evidence for "
        "health-care improvement: its approved sources, themes, tags and public moderation log. "
        "The data are shared under the Creative Commons Attribution 4.0 licence (CC BY 4.0)."
    ),
    urls_namespace="api",
    throttle=[PerClientThrottle()],
)

Kind = Source.Kind
Stance = Source.Stance


def _as_forms_take_it(value):
    # As on the site's forms: invisible characters go, NUL is refused (PostgreSQL cannot
    # compare text with NUL in it, so it would otherwise be a server error).
    if "\x00" in value:
        raise ValueError("Null characters are not allowed.")
    return clean_text(value)


NO_NUL = "^[^\\x00]*$"
Text = Annotated[
    str,
    AfterValidator(_as_forms_take_it),
    WithJsonSchema({"type": "string", "pattern": NO_NUL}),
]
# The length is checked on what the client sent, before invisible characters are taken out.
SearchWords = Annotated[
    str,
    StringConstraints(max_length=200),
    AfterValidator(_as_forms_take_it),
    WithJsonSchema({"type": "string", "maxLength": 200, "pattern": NO_NUL}),
]


class ErrorOut(Schema):
    detail: str | list[dict] = Field(description="What was wrong with the request.")


# What any operation may answer besides its result: a request it could not read (422), and a
# client over its rate (429); operations on one item add "not found" (404).
ERRORS = {422: ErrorOut, 429: ErrorOut}
ITEM_ERRORS = {404: ErrorOut, **ERRORS}


class Data(BaseModel):
    """A plain pydantic schema, for data made ready before it is answered (the sources' data,
    kept): validating it is pydantic's own work, without the per-field getters that a ninja
    Schema wraps each object in (most of a page of sources' time when they were used)."""

    model_config = ConfigDict(from_attributes=True)


class ThemeRef(Data):
    slug: str
    title: str


ROLE = {"enum": list(ROLES), "description": "author or editor"}
CONTRIBUTOR = {
    "oneOf": [
        {
            "title": "Person",
            "type": "object",
            "properties": {
                "role": ROLE,
                "family": {"type": "string", "description": "With its particles: van der Berg."},
                "given": {"type": "string"},
                "suffix": {"type": "string", "description": "Jr., III ..."},
            },
            "required": ["role", "family"],
            "additionalProperties": False,
        },
        {
            "title": "Organisation",
            "type": "object",
            "properties": {
                "role": ROLE,
                "literal": {"type": "string", "description": "The body's name, never split."},
            },
            "required": ["role", "literal"],
            "additionalProperties": False,
        },
    ]
}
# A contributor exactly as the library holds it: a CSL-JSON name with a role.
Contributor = Annotated[dict[str, str], WithJsonSchema(CONTRIBUTOR)]
CITATION_STYLE = "apa"


class CitationOut(Data):
    style: Literal["apa"] = Field(
        description="The citation style: APA 7 (the source page also offers Vancouver and Harvard)."
    )
    text: str = Field(description="The reference in plain text.")
    html: str = Field(description="The same reference as HTML, with the style's italics.")


class SourceOut(Data):
    slug: str
    title: str
    url: str = Field(description="The source's own address; empty when the library has none.")
    doi: str = Field(description="Bare and lower-case: 10.1136/bmj.k3617.")
    contributors: list[Contributor] = Field(
        description="The people and organisations who wrote (author) or edited (editor) it, in "
        "order, as CSL-JSON names."
    )
    et_al: bool = Field(description="The contributors are only the first of more.")
    authors: str = Field(description="The contributors as one line, as the site's cards show.")
    organisation: str = Field(
        description="What one field held before contributors, publisher and journal were told "
        "apart; kept for older clients."
    )
    container_title: str = Field(
        description="Where it was published: the journal of an article, the book of a "
        "chapter, the website or series."
    )
    volume: str
    issue: str
    page_first: str = Field(description="The first page, or an article number (k3617).")
    page_last: str
    publisher: str
    publisher_place: str
    edition: str
    report_number: str
    pmid: str = Field(description="The PubMed id.")
    pmcid: str = Field(description="The PubMed Central id: PMC123456.")
    isbn: str = Field(description="ISBN-13, digits only.")
    issn: str = Field(description="0959-8138.")
    year: int | None
    issued_month: int | None = Field(ge=1, le=12)
    issued_day: int | None = Field(ge=1, le=31)
    language: str = Field(description="A language code (en, en-GB); empty when not known.")
    accessed_on: date | None = Field(
        description="The day the library last saw the address answer: what a citation of a "
        "web source gives as accessed."
    )
    kind: Kind
    stance: Stance
    summary: str
    themes: list[ThemeRef]
    tags: list[str]
    approved_at: datetime
    endorsement_count: int
    comment_count: int
    page: str = Field(description="The source's page in the library.")
    citation: CitationOut = Field(description="How to cite it, in the style it names.")


class SourceDetailOut(SourceOut):
    rationale: str
    endorsements_by_perspective: dict[str, int] = Field(
        description="How many endorsers bring each perspective ('' when not given)."
    )


# The fields of SourceOut that source_data() works out; the others are read off the source.
WORKED_OUT = {"themes", "tags", "page", "citation"}


def citation_data(source):
    """The source cited in CITATION_STYLE, as CitationOut shows it."""
    html = str(format_citation(csl_item(source), CITATION_STYLE))
    return {"style": CITATION_STYLE, "text": as_plain_text(html), "html": html}


def source_data(source):
    """What SourceOut shows of a source (its themes and tags prefetched, as `for_listing`;
    its accessed date annotated, as `with_accessed_on`)."""
    read_off = [name for name in SourceOut.model_fields if name not in WORKED_OUT]
    return {
        **{name: getattr(source, name) for name in read_off},
        "themes": [{"slug": theme.slug, "title": theme.title} for theme in source.themes.all()],
        "tags": [tag.name for tag in source.tag_list],
        "page": f"{settings.SITE_URL}{source.get_absolute_url()}",
        "citation": citation_data(source),
    }


def cached_source_data(sources, common):
    """source_data of each of `sources` (which need only `pk` and `updated_at`), in their order,
    each a fragment keyed by its row and `common` (the start of every page key) as the site's
    cards are: a page of the list costs one cache round trip when nothing on it changed."""
    by_name = {f"api-source:{source.pk}": source for source in sources}
    data = fragments(
        {name: (*common, source.updated_at) for name, source in by_name.items()},
        lambda wanted: _source_data({by_name[name].pk: name for name in wanted}),
    )
    return [data[name] for name in by_name if name in data]  # none for a source just deleted


def _source_data(names):
    rows = (
        Source.objects.filter(pk__in=list(names))
        .for_listing()
        .select_related(None)
        .with_accessed_on()
    )
    return {names[source.pk]: source_data(source) for source in rows}


class CachedSourcesPagination(StatedCursorPagination):
    """Cursor pagination over the sources' ids and positions only, each source's data then coming
    from cached_source_data; the whole page is a fragment for each address, keyed by the library
    (every change to a source moves it, a comment included)."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        find_page = super().paginate_queryset
        page_key = page_keys.library()

        def page():
            found = find_page(
                queryset.only("pk", "slug", "approved_at", "updated_at"),
                pagination,
                request,
                **params,
            )
            found[self.items_attribute] = cached_source_data(
                found[self.items_attribute], page_key[:1]
            )
            return found

        return fragment("api-sources-page", (request.build_absolute_uri(), *page_key), page)


class ThemeOut(Schema):
    slug: str
    title: str
    summary: str
    body: str
    source_count: int
    page: str

    @staticmethod
    def resolve_page(theme):
        return f"{settings.SITE_URL}{theme.get_absolute_url()}"


class TagOut(Schema):
    slug: str
    name: str
    source_count: int


class ListRef(Schema):
    title: str = Field(description="The list's title when the decision was made.")
    slug: str | None = Field(description="The list's slug, while the list is public.")


class LogEntryOut(Schema):
    id: int
    created_at: datetime
    action: str
    decision: str
    source: ThemeRef | None = Field(description="The source decided on (title and slug).")
    theme: ThemeRef | None = Field(
        description="The theme whose discussion was moderated, or on which a list was featured."
    )
    reading_list: ListRef | None = Field(
        description="The reading list featured, no longer featured, hidden or restored."
    )
    moderator: str
    reason: str

    @staticmethod
    def resolve_decision(event):
        return event.get_action_display()

    @staticmethod
    def resolve_reading_list(event):
        if not event.is_about_list:
            return None
        reading_list = event.reading_list
        readable = reading_list is not None and reading_list.is_public
        return {"title": event.reading_list_title, "slug": reading_list.slug if readable else None}

    @staticmethod
    def resolve_moderator(event):
        return event.actor.public_name if event.actor else "a former moderator"


class SourceFilters(Schema):
    theme: Text | None = Field(None, description="A theme's slug.")
    stance: Stance | None = None
    kind: Kind | None = None
    tag: Text | None = Field(None, description="A tag's slug.")
    year: int | None = Field(None, ge=0, le=9999)
    q: SearchWords | None = Field(None, description="Words to search for.")


def _approved_sources():
    # As the listings read them, less the proposer: no field of the API shows who proposed.
    return Source.objects.approved().for_listing().select_related(None).with_accessed_on()


@api.get("/sources/", response={200: list[SourceOut], **ERRORS}, tags=["sources"])
@paginate(
    CachedSourcesPagination,
    positions=DatePositions,
    ordering=("-approved_at", "-pk"),
    page_size=50,
    max_page_size=200,
)
@decorate_view(with_etag)
def list_sources(request, filters: Query[SourceFilters]):
    """Approved sources, newest first, narrowed as on the site's listings."""
    sources = Source.objects.approved().filter_by(
        stance=filters.stance or "",
        kind=filters.kind or "",
        tag=filters.tag or "",
        year=filters.year,
    )
    if filters.theme:
        sources = sources.filter(themes__slug=filters.theme)
    if filters.q and filters.q.strip():
        sources = sources.filter(pk__in=Source.objects.approved().search(filters.q).values("pk"))
    return sources


@api.get("/sources/{slug}/", response={200: SourceDetailOut, **ITEM_ERRORS}, tags=["sources"])
@decorate_view(with_etag)
def get_source(request, slug: Text):
    """One approved source with its citation fields."""
    source = get_object_or_404(_approved_sources(), slug=slug)
    return {
        **source_data(source),
        "rationale": source.rationale,
        "endorsements_by_perspective": source.perspective_counts(),
    }


def _themes():
    return Theme.objects.with_source_counts()


@api.get("/themes/", response={200: list[ThemeOut], **ERRORS}, tags=["themes"])
@decorate_view(with_etag)
def list_themes(request):
    """The library's priority themes, in their display order."""
    return list(_themes())


@api.get("/themes/{slug}/", response={200: ThemeOut, **ITEM_ERRORS}, tags=["themes"])
@decorate_view(with_etag)
def get_theme(request, slug: Text):
    return get_object_or_404(_themes(), slug=slug)


@api.get("/tags/", response={200: list[TagOut], **ERRORS}, tags=["tags"])
@paginate(
    StatedCursorPagination,
    positions=NamePositions,
    ordering=("name", "pk"),
    page_size=100,
    max_page_size=500,
)
@decorate_view(with_etag)
def list_tags(request):
    """Tags on approved sources, by name, with how many approved sources carry each."""
    approved = Q(sources_taggedsource_items__content_object__status=Source.Status.APPROVED)
    return Tag.objects.annotate(
        source_count=Count("sources_taggedsource_items", filter=approved)
    ).filter(source_count__gt=0)


@api.get("/moderation-log/", response={200: list[LogEntryOut], **ERRORS}, tags=["moderation log"])
@paginate(
    StatedCursorPagination,
    positions=DatePositions,
    ordering=("-created_at", "-pk"),
    page_size=50,
    max_page_size=200,
)
@decorate_view(with_etag)
def moderation_log(request):
    """The public moderation log: decisions on sources, comments and reading lists, with their
    reasons."""
    return ModerationEvent.objects.filter(action__in=ModerationEvent.PUBLIC).select_related(
        "source", "theme", "actor", "reading_list"
    )
