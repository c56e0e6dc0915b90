import contextlib
import datetime

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
)
from django.db import connections, models
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from qlibrary.cache import TouchingQuerySet
from sources.access import is_member, is_moderator
from sources.evidence import identifiers
from sources.evidence.contributors import (
    AUTHOR,
    EDITOR,
    clean_contributors,
    display_names,
    full_name,
    validate_contributors,
)
from sources.evidence.keys import normalize_doi, normalize_url
from sources.perspectives import describe_breakdown

MIN_YEAR = 1800
MAX_YEAR = 2100
# A page, or an article number standing in for pages: "191", "k3617", "e0123", "xii", "S12".
PAGE_PATTERN = r"^[A-Za-z]{0,4}\d{1,7}[A-Za-z]{0,2}$|^[ivxlcdmIVXLCDM]{1,12}$"
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
# A BCP 47 language tag, as far as citations need: "en", "en-GB", "zh-Hant-TW", "es-419".
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?$"
SEARCH_CONFIG = "english"
# The column a search for each kind of identifier reads (sources/evidence/identifiers.py's names).
IDENTIFIER_KEYS = {"doi": "doi_key", "pmid": "pmid", "pmcid": "pmcid", "isbn": "isbn"}
# Above any full-text rank (which lies between 0 and 1): the source holding the identifier.
IDENTIFIER_RANK = 2.0
# Words the URL map already uses beside a source's slug (/sources/propose/, /moderation/log/,
# /moderation/comments/, /moderation/import/, /moderation/links/, /moderation/due/,
# /sources/export/...).
RESERVED_SLUGS = {"propose", "log", "comments", "import", "export", "links", "due"}


class ThemeQuerySet(TouchingQuerySet):
    def with_source_counts(self):
        """Each theme with `source_count`, the number of approved sources filed under it."""
        # Django drops Meta.ordering from GROUP BY queries, so the display order is restated.
        return self.annotate(
            source_count=Count("sources", filter=Q(sources__status=Source.Status.APPROVED))
        ).order_by("display_order", "title")


class Theme(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=150)
    summary = models.CharField(max_length=300, help_text="One or two sentences for theme cards.")
    body = models.TextField(help_text="The theme's introduction, in plain paragraphs.")
    display_order = models.PositiveSmallIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ThemeQuerySet.as_manager()

    class Meta:
        ordering = ["display_order", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("sources:theme", kwargs={"slug": self.slug})


class Sort(models.TextChoices):
    """The orders of the library's listings; a search is ordered by relevance unless another
    is chosen."""

    RELEVANCE = "relevance", "Relevance"
    NEWEST = "newest", "Newest"
    TITLE = "title", "Title"
    ENDORSED = "endorsed", "Most endorsed"

    @classmethod
    def listing_choices(cls):
        """The orders of a listing without a search."""
        return [(value, label) for value, label in cls.choices if value != cls.RELEVANCE]


# What comments and endorsements move on a source's row: `updated_at`, not its record's time.
COUNTERS = ("endorsement_count", "comment_count")

# What a library card shows of its source's own row.
CARD_FIELDS = [
    "pk", "slug", "title", "kind", "stance", "status", "alert", "superseded_by", "authors",
    "container_title", "publisher", "year", "summary", "endorsement_count", "comment_count",
]  # fmt: skip


def tag_links():
    """Sources' links to their tags, with the tags, in name order: what `Source.tag_list` reads,
    whether prefetched for a list (`themes_and_tags`) or read for one source (`read_tags`)."""
    return TaggedSource.objects.select_related("tag").order_by("tag__name")


def themes_and_tags():
    """The prefetches of sources' themes and tags that proposal cards (`for_listing`) and other
    lists of sources show: tags through their link table, in name order (`Source.tag_list`)."""
    return (
        "themes",
        Prefetch("taggedsource_set", queryset=tag_links(), to_attr="_listed_tag_links"),
    )


class SourceQuerySet(TouchingQuerySet):
    def update(self, **kwargs):
        """Every change to a source's own columns but its counters changes its record too."""
        if not set(kwargs) <= {"updated_at", *COUNTERS}:
            kwargs.setdefault("record_updated_at", timezone.now())
        return super().update(**kwargs)

    def approved(self):
        """Sources in the library: what readers may see."""
        return self.filter(status=Source.Status.APPROVED)

    def live(self):
        """Sources that hold their URL and DOI: approved ones and open proposals."""
        return self.filter(status__in=Source.LIVE_STATUSES)

    def open_proposals(self):
        """Proposals waiting for a decision, including those sent back for changes."""
        return self.filter(status__in=Source.OPEN_STATUSES)

    def visible_to(self, user):
        """What a person may open: the library for all; open proposals for members; their own
        proposals in any state for the proposer; everything for moderators."""
        if is_moderator(user):
            return self
        if not is_member(user):
            return self.approved()
        return self.filter(
            Q(status__in=[Source.Status.APPROVED, *Source.OPEN_STATUSES]) | Q(proposer=user)
        )

    def in_theme(self, theme):
        return self.filter(themes=theme)

    def for_listing(self):
        """Everything a source card shows, in a fixed number of queries (without the bulky
        full-text vector, which only the search itself reads): the themes and the tags of all
        the rows in one query each. Tags come through their link table, read by
        `Source.tag_list`: taggit's own prefetch costs milliseconds of Python per page."""
        return (
            self.defer("search_vector")
            .select_related("proposer")
            .prefetch_related(*themes_and_tags())
        )

    def with_accessed_on(self):
        """Each source with `accessed_at`: when its address last answered a link check (what a
        citation of a web source gives as "accessed"), read in the same query."""
        return self.annotate(accessed_at=F("link_health__answered_at"))

    def for_cards(self):
        """What finds a source's card in the cache (its id and `updated_at`) and what the card
        shows of the row, so that a missing card is rendered from it (sources/library/cards.py
        reads the themes and tags)."""
        return self.only("updated_at", *CARD_FIELDS)

    def filter_by(self, *, stance="", kind="", tag="", year=None):
        """Narrow by the listing filters; empty values leave the set as it is."""
        queryset = self
        if stance:
            queryset = queryset.filter(stance=stance)
        if kind:
            queryset = queryset.filter(kind=kind)
        if tag:
            queryset = queryset.filter(tags__slug=tag)
        if year:
            queryset = queryset.filter(year=year)
        return queryset

    def sorted_by(self, sort):
        """Order by a Sort: newest (default), title or most endorsed.

        Meant for listings of the library: "newest" is by approval date, which every approved
        source has (a constraint says so).
        """
        if sort == Sort.TITLE:
            return self.order_by("title", "pk")
        if sort == Sort.ENDORSED:
            return self.order_by("-endorsement_count", "-approved_at", "-pk")
        return self.order_by("-approved_at", "-pk")

    def search(self, query):
        """Full-text search ranked by relevance. On PostgreSQL the rank weighs title, tags and
        authors above the summary; on SQLite every word must match, and sources with the words
        in their title come first. A DOI, PMID, PMCID or ISBN typed as the query (with or
        without its resolver's prefix) finds the source holding it, first."""
        query = (query or "").strip()
        if not query:
            return self
        found = identifiers.identifier_in(query)
        holds_identifier = Q(**{IDENTIFIER_KEYS[found[0]]: found[1]}) if found else None
        if connections[self.db].vendor == "postgresql":
            search_query = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
            matching = Q(search_vector=search_query)
            rank = SearchRank(F("search_vector"), search_query)
            if holds_identifier is not None:
                matching |= holds_identifier
                rank = Case(
                    When(holds_identifier, then=Value(IDENTIFIER_RANK)),
                    default=rank,
                    output_field=FloatField(),
                )
            return self.filter(matching).annotate(rank=rank).order_by("-rank", "-pk")
        matching = Q()
        in_title = Q()
        for word in query.split():
            matching_tags = Source.objects.filter(tags__name__icontains=word).values("pk")
            matching &= (
                Q(title__icontains=word)
                | Q(authors__icontains=word)
                | Q(organisation__icontains=word)
                | Q(publisher__icontains=word)
                | Q(container_title__icontains=word)
                | Q(summary__icontains=word)
                | Q(pk__in=matching_tags)
            )
            in_title &= Q(title__icontains=word)
        ranks = [When(in_title, then=Value(1))]
        if holds_identifier is not None:
            matching |= holds_identifier
            ranks.insert(0, When(holds_identifier, then=Value(2)))
        rank = Case(*ranks, default=Value(0))
        return self.filter(matching).annotate(rank=rank).order_by("-rank", "-approved_at", "-pk")

    def refresh_search_vectors(self):
        """Recompute the stored full-text vector (PostgreSQL only) after text or tags change,
        in one UPDATE for the whole set: title A; tags, authors, organisation, publisher and
        journal B; summary C.
        """
        if connections[self.db].vendor != "postgresql":
            return
        tag_names = (
            TaggedSource.objects.filter(content_object=OuterRef("pk"))
            .order_by()
            .values("content_object")
            .annotate(names=StringAgg("tag__name", delimiter=" ", order_by="pk"))
            .values("names")
        )
        self.order_by().update(
            search_vector=SearchVector("title", weight="A", config=SEARCH_CONFIG)
            + SearchVector(Subquery(tag_names[:1]), weight="B", config=SEARCH_CONFIG)
            + SearchVector(
                "authors",
                "organisation",
                "publisher",
                "container_title",
                weight="B",
                config=SEARCH_CONFIG,
            )
            + SearchVector("summary", weight="C", config=SEARCH_CONFIG)
        )


class SourceStatus(models.TextChoices):
    """Where a source stands in its lifecycle (Source.Status; sources/proposals/moderation.py moves
    it)."""

    PROPOSED = "proposed", "Proposed"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    RETIRED = "retired", "Retired"


# Proposals waiting for a decision, and the sources that hold their URL and DOI.
OPEN_STATUSES = (SourceStatus.PROPOSED, SourceStatus.CHANGES_REQUESTED)
LIVE_STATUSES = (*OPEN_STATUSES, SourceStatus.APPROVED)


class Source(models.Model):
    Status = SourceStatus

    class Kind(models.TextChoices):
        REPORT = "report", "Report"
        JOURNAL_ARTICLE = "journal_article", "Journal article"
        SYSTEMATIC_REVIEW = "systematic_review", "Systematic review"
        EVALUATION = "evaluation", "Evaluation"
        CASE_STUDY = "case_study", "Case study"
        BOOK = "book", "Book"
        METHODOLOGY = "methodology", "Methodology or toolkit"
        PROGRAMME = "programme", "Programme"
        WEBSITE = "website", "Website"
        BLOG_POST = "blog_post", "Blog post"
        VIDEO = "video", "Video or webinar"
        EVENT = "event", "Event"
        OTHER = "other", "Other"

    class Stance(models.TextChoices):
        REINFORCES = "reinforces", "Reinforces"
        REFINES = "refines", "Refines"
        CHALLENGES = "challenges", "Challenges"

    class Alert(models.TextChoices):
        """The most serious notice found against the source (sources/checks/retractions.py)."""

        NONE = "", "None"
        CONCERN = "expression_of_concern", "Expression of concern"
        RETRACTED = "retraction", "Retracted"

    # Months until a newly approved source is due for review: what goes stale fastest first.
    REVIEW_MONTHS = {
        Kind.WEBSITE: 12,
        Kind.PROGRAMME: 12,
        Kind.BLOG_POST: 12,
        Kind.EVENT: 12,
        Kind.VIDEO: 24,
        Kind.REPORT: 36,
        Kind.SYSTEMATIC_REVIEW: 36,
        Kind.METHODOLOGY: 36,
        Kind.OTHER: 36,
        Kind.EVALUATION: 48,
        Kind.CASE_STUDY: 48,
        Kind.JOURNAL_ARTICLE: 60,
        Kind.BOOK: 120,
    }

    OPEN_STATUSES = OPEN_STATUSES
    LIVE_STATUSES = LIVE_STATUSES
    Sort = Sort

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True)
    url = models.URLField(
        "URL", max_length=1000, blank=True, validators=[URLValidator(schemes=["http", "https"])]
    )
    doi = models.CharField("DOI", max_length=200, blank=True, validators=[identifiers.validate_doi])
    # The bibliographic record, shaped after CSL-JSON (sources/evidence/contributors.py,
    # sources/kinds.py). People and organisations in order, each with a role: set through
    # set_contributors().
    contributors = models.JSONField(default=list, blank=True, validators=[validate_contributors])
    # The list names only the first contributors ("et al." in a reference).
    et_al = models.BooleanField("et al.", default=False)
    # The contributors as one line of text for cards, search and feeds, derived from
    # `contributors` by set_contributors(): "Dixon-Woods M, Baker R, Charles K".
    authors = models.CharField(max_length=500, blank=True)
    # Before the record had contributors and a publisher, one field held either: kept (no longer
    # edited) for the readers of it that have not moved to `publisher` and `contributors` yet.
    organisation = models.CharField("organisation or publisher", max_length=300, blank=True)
    container_title = models.CharField(
        "journal, book, website or series",
        max_length=300,
        blank=True,
        help_text="Where it was published: the journal of an article, the book of a chapter.",
    )
    volume = models.CharField(max_length=30, blank=True)
    issue = models.CharField(max_length=30, blank=True)
    page_first = models.CharField(
        "first page or article number",
        max_length=20,
        blank=True,
        validators=[RegexValidator(PAGE_PATTERN, "Give a page number or an article number.")],
    )
    page_last = models.CharField(
        "last page",
        max_length=20,
        blank=True,
        validators=[RegexValidator(PAGE_PATTERN, "Give a page number.")],
    )
    publisher = models.CharField(max_length=300, blank=True)
    publisher_place = models.CharField("place of publication", max_length=150, blank=True)
    edition = models.CharField(max_length=50, blank=True)
    report_number = models.CharField(max_length=100, blank=True)
    pmid = models.CharField(
        "PMID", max_length=40, blank=True, validators=[identifiers.validate_pmid]
    )
    pmcid = models.CharField(
        "PMCID", max_length=80, blank=True, validators=[identifiers.validate_pmcid]
    )
    # ISBN-13 digits (an ISBN-10 converted); shown hyphenated (identifiers.format_isbn).
    isbn = models.CharField(
        "ISBN", max_length=40, blank=True, validators=[identifiers.validate_isbn]
    )
    issn = models.CharField(
        "ISSN", max_length=20, blank=True, validators=[identifiers.validate_issn]
    )
    year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)],
    )
    issued_month = models.PositiveSmallIntegerField(
        "month", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    issued_day = models.PositiveSmallIntegerField(
        "day", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    language = models.CharField(
        max_length=35,
        blank=True,
        validators=[
            RegexValidator(LANGUAGE_PATTERN, 'Give a language code such as "en" or "en-GB".')
        ],
        help_text='A language code such as "en" or "en-GB"; leave empty if unsure.',
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.TextField(max_length=2000, help_text="Why it matters, in a few sentences.")
    themes = models.ManyToManyField(Theme, related_name="sources")
    tags = TaggableManager(through="TaggedSource", blank=True)
    stance = models.CharField(max_length=12, choices=Stance.choices)
    rationale = models.TextField(max_length=2000, blank=True, help_text="Why it belongs here.")
    conflict_of_interest = models.TextField(
        "conflict of interest",
        max_length=1000,
        blank=True,
        help_text="Say if you wrote it or work for the body behind it; leave empty if not.",
    )

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # Moderators look at the source again by this date (sources/proposals/reviews.py).
    review_by = models.DateField("review by", null=True, blank=True)
    # A newer source in the library that replaces this one; this one stays readable.
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )

    url_key = models.CharField(max_length=1000, blank=True, editable=False)
    doi_key = models.CharField(max_length=200, blank=True, editable=False)
    endorsement_count = models.PositiveIntegerField(default=0, editable=False)
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    # Kept on the source so every card can show the banner without another query.
    alert = models.CharField(max_length=24, choices=Alert.choices, blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # The citations in each style, rendered when the source is approved or edited, with the
    # digest of the record they were rendered from (sources/evidence/citations.py).
    rendered_citations = models.JSONField(default=dict, blank=True, editable=False)
    # Entered from a reference-manager file by a moderator rather than proposed through the form.
    imported = models.BooleanField(default=False, editable=False)
    # The bibliographic values the starter library last wrote, field by field: seeding again
    # updates a field only while it still holds that value, so a moderator's edit is kept.
    seeded_values = models.JSONField(default=dict, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    # Any change to what the source's pages and cards show: its own columns, its counters, and
    # what rows that touch it show on it (comments, endorsements, link checks, notices).
    updated_at = models.DateTimeField(auto_now=True)
    # A change to its record alone: every change but its counters' and other rows' touches. What
    # listings are filtered, counted and mapped by follows this (sources/library/page_keys.py),
    # so a comment or an endorsement does not make every listing count the library again.
    record_updated_at = models.DateTimeField(auto_now=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["-approved_at", "-pk"]
        permissions = [("moderate_source", "Can review proposals and decide on sources")]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                name="source_year_in_range",
            ),
            models.CheckConstraint(
                condition=Q(issued_month__isnull=True)
                | Q(issued_month__gte=1, issued_month__lte=12, year__isnull=False),
                name="source_issued_month_in_range",
            ),
            models.CheckConstraint(
                condition=Q(issued_day__isnull=True)
                | Q(issued_day__gte=1, issued_day__lte=31, issued_month__isnull=False),
                name="source_issued_day_with_month",
            ),
            models.CheckConstraint(
                condition=~Q(status=SourceStatus.APPROVED) | Q(approved_at__isnull=False),
                name="source_approved_has_date",
            ),
            models.CheckConstraint(
                condition=Q(url="") | Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="source_url_is_http",
            ),
            models.CheckConstraint(
                condition=~Q(superseded_by=F("pk")), name="source_not_superseded_by_itself"
            ),
            models.CheckConstraint(
                condition=Q(status__in=SourceStatus.values),
                name="source_status_known",
            ),
            models.UniqueConstraint(
                fields=["url_key"],
                condition=Q(status__in=LIVE_STATUSES) & ~Q(url_key=""),
                name="source_unique_live_url",
            ),
            models.UniqueConstraint(
                fields=["doi_key"],
                condition=Q(status__in=LIVE_STATUSES) & ~Q(doi_key=""),
                name="source_unique_live_doi",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-approved_at", "-id"], name="source_status_newest"),
            models.Index(fields=["status", "-endorsement_count"], name="source_status_endorsed"),
            models.Index(fields=["status", "title"], name="source_status_title"),
            # The evidence map counts the library by kind or stance: read from this index alone
            # (PostgreSQL), not from the wide rows.
            models.Index(
                fields=["status", "kind", "stance"], include=["id"], name="source_status_cells"
            ),
            models.Index(fields=["status", "year"], name="source_status_year"),
            models.Index(fields=["status", "review_by"], name="source_status_review_by"),
            # The open proposals, newest first (two statuses: no one index range gives the order).
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="source_open_newest",
            ),
            GinIndex(fields=["search_vector"], name="source_search_vector"),
            # The newest change to any source: the key of every page that lists the library
            # (sources/library/page_keys.py), read from the end of this index.
            models.Index(fields=["updated_at"], name="source_updated_at"),
            models.Index(fields=["record_updated_at"], name="source_record_updated_at"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, update_fields=None, **kwargs):
        # A save that names `updated_at` changes the record too (both are `auto_now`).
        if update_fields is not None and "updated_at" in update_fields:
            update_fields = [*update_fields, "record_updated_at"]
        super().save(*args, update_fields=update_fields, **kwargs)

    def get_absolute_url(self):
        return reverse("sources:detail", kwargs={"slug": self.slug})

    @property
    def tag_list(self):
        """The source's tags: from the page's one query when fetched `.for_listing()`, or
        `read_tags()`."""
        if hasattr(self, "_listed_tag_links"):
            return [link.tag for link in self._listed_tag_links]
        return list(self.tags.all())

    def read_tags(self):
        """Read the source's tags, in name order, for `tag_list`: for one source, a query costs
        less than the prefetch of a list's (`themes_and_tags()`)."""
        self._listed_tag_links = list(tag_links().filter(content_object_id=self.pk))

    @property
    def is_approved(self):
        return self.status == self.Status.APPROVED

    @property
    def is_proposed(self):
        """Waiting in the queue for a moderator's decision."""
        return self.status == self.Status.PROPOSED

    @property
    def is_sent_back(self):
        """A moderator asked the proposer for changes."""
        return self.status == self.Status.CHANGES_REQUESTED

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def doi_url(self):
        return f"https://doi.org/{self.doi}" if self.doi else ""

    def perspective_counts(self):
        """How many endorsers bring each perspective ('' when not given), from one grouped
        query."""
        return dict(
            self.endorsements.order_by()
            .values_list("member__perspective")
            .annotate(number=Count("pk"))
        )

    def perspective_breakdown(self):
        """How many endorsers bring each perspective, in words."""
        return describe_breakdown(self.perspective_counts())

    def set_contributors(self, contributors, *, et_al=False):
        """Set the contributors (checked and tidied) and the `authors` line derived from them.

        Raises ValidationError for a list that is not names (sources/evidence/contributors.py)."""
        self.contributors = clean_contributors(contributors)
        self.et_al = bool(et_al)
        self.authors = display_names(self.contributors, self.et_al)

    @property
    def accessed_on(self):
        """The day the source's address last answered a link check, or None: what a citation
        of a web source gives as "accessed" (fetched with `.with_accessed_on()` for a list)."""
        if hasattr(self, "accessed_at"):
            answered = self.accessed_at
        else:
            try:
                answered = self.link_health.answered_at
            except LinkHealth.DoesNotExist:
                answered = None
        return timezone.localdate(answered) if answered else None

    def contributor_names(self, role=AUTHOR):
        """The contributors in a role as the page names them: "Mary Dixon-Woods",
        "Martin Luther King Jr.", "Sustainable Improvement Team, NHS England"."""
        return [full_name(name) for name in self.contributors if name.get("role") == role]

    @property
    def editor_names(self):
        return self.contributor_names(EDITOR)

    @property
    def published_in(self):
        """Where a card says the source appeared: the journal (or book, website, series), else
        the publisher when it is not also the author."""
        if self.container_title:
            return self.container_title
        return "" if self.publisher == self.authors else self.publisher

    @property
    def issued(self):
        """The issued date in words: "14 February 2014", "February 2014", "2014" or ""."""
        if not self.year:
            return ""
        if not self.issued_month:
            return str(self.year)
        month = MONTHS[self.issued_month - 1]
        if not self.issued_day:
            return f"{month} {self.year}"
        return f"{self.issued_day} {month} {self.year}"

    @property
    def volume_issue(self):
        """ "23(2)", "13", "issue 2" or ""."""
        if self.volume and self.issue:
            return f"{self.volume}({self.issue})"
        if self.issue:
            return f"issue {self.issue}"
        return self.volume

    @property
    def pubmed_url(self):
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""

    @property
    def pmc_url(self):
        return f"https://pmc.ncbi.nlm.nih.gov/articles/{self.pmcid}/" if self.pmcid else ""

    @property
    def isbn_display(self):
        """The ISBN as printed, with hyphens."""
        return identifiers.format_isbn(self.isbn)

    @property
    def pages(self):
        """ "191-194", "k3617" (an article number), or ""."""
        if self.page_first and self.page_last and self.page_last != self.page_first:
            return f"{self.page_first}\u2013{self.page_last}"
        return self.page_first

    def clean(self):
        """Write identifiers one way, keep `authors` in step with the contributors, and check
        the parts of the record that depend on each other (a valid issued date, a last page
        only after a first)."""
        errors = {}
        for field, normalize in identifiers.NORMALIZERS.items():
            # An invalid value is left as it is: the field's validator says why.
            with contextlib.suppress(ValidationError):
                setattr(self, field, normalize(getattr(self, field)))
        if self.contributors:
            with contextlib.suppress(ValidationError):
                self.set_contributors(self.contributors, et_al=self.et_al)
        if self.language and "-" in self.language:
            subtags = self.language.split("-")
            self.language = "-".join(
                [subtags[0].lower()]
                + [tag.title() if len(tag) == 4 else tag.upper() for tag in subtags[1:]]
            )
        elif self.language:
            self.language = self.language.lower()
        if self.issued_month and not self.year:
            errors["issued_month"] = "Give the year before the month."
        if self.issued_day and not self.issued_month:
            errors["issued_day"] = "Give the month before the day."
        elif self.issued_day and self.issued_month and self.year:
            try:
                datetime.date(self.year, self.issued_month, self.issued_day)
            except ValueError:
                errors["issued_day"] = "That day is not in that month."
        if self.page_last and not self.page_first:
            errors["page_last"] = "Give the first page too."
        elif (
            self.page_first.isdigit()
            and self.page_last.isdigit()
            and int(self.page_last) < int(self.page_first)
        ):
            errors["page_last"] = "The last page comes before the first."
        if errors:
            raise ValidationError(errors)

    def assign_keys(self):
        """Derive the duplicate-detection keys from the URL and DOI."""
        self.url_key = normalize_url(self.url)
        self.doi_key = normalize_doi(self.doi)

    def assign_slug(self):
        """Give a new source a unique slug made from its title."""
        base = slugify(self.title)[:100].strip("-") or "source"
        slug, number = base, 2
        while (
            slug in RESERVED_SLUGS or Source.objects.filter(slug=slug).exclude(pk=self.pk).exists()
        ):
            slug, number = f"{base}-{number}", number + 1
        self.slug = slug

    def citation(self):
        """How to cite the source in plain text, from the facts the library holds."""
        parts = []
        by = self.authors or self.organisation
        parts.append(f"{by} ({self.year})." if self.year and by else f"{by}." if by else "")
        parts.append(f"{self.title}.")
        if self.organisation and self.authors:
            parts.append(f"{self.organisation}.")
        elif self.year and not by:
            parts.append(f"{self.year}.")
        if self.doi:
            parts.append(self.doi_url)
        elif self.url:
            parts.append(self.url)
        return " ".join(part for part in parts if part)


class TaggedSource(TaggedItemBase):
    """The tag-to-source link, with a real foreign key rather than a generic one."""

    content_object = models.ForeignKey(Source, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="one_tag_per_source")
        ]


class Endorsement(models.Model):
    # Saved or deleted, it changes its source's pages (qlibrary/cache.py).
    touches = ["source"]

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="endorsements")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "member"], name="one_endorsement_per_member")
        ]

    def __str__(self):
        return f"{self.member} endorses {self.source}"


class ModerationEvent(models.Model):
    """One decision in the public moderation log."""

    class Action(models.TextChoices):
        SUBMIT = "submit", "Submitted"
        RESUBMIT = "resubmit", "Resubmitted"
        APPROVE = "approve", "Approved"
        DECLINE = "decline", "Declined"
        REQUEST_CHANGES = "request_changes", "Asked for changes"
        WITHDRAW = "withdraw", "Withdrawn"
        RETIRE = "retire", "Retired"
        HIDE_COMMENT = "hide_comment", "Hid a comment"
        RESTORE_COMMENT = "restore_comment", "Restored a comment"
        UPDATE_URL = "update_url", "Updated the address"
        RETRACTION = "retraction", "Retraction found"
        CONCERN = "concern", "Expression of concern found"
        REVIEW = "review", "Reviewed"
        SUPERSEDE = "supersede", "Marked as superseded"
        FEATURE_LIST = "feature_list", "Featured a reading list"
        UNFEATURE_LIST = "unfeature_list", "Stopped featuring a reading list"
        HIDE_LIST = "hide_list", "Hid a reading list"
        RESTORE_LIST = "restore_list", "Restored a reading list"

    # Decisions on a source, which its proposer hears about.
    DECISIONS = (Action.APPROVE, Action.DECLINE, Action.REQUEST_CHANGES, Action.RETIRE)
    # Decisions on a reading list (sources/lists/services.py).
    ABOUT_LISTS = (
        Action.FEATURE_LIST,
        Action.UNFEATURE_LIST,
        Action.HIDE_LIST,
        Action.RESTORE_LIST,
    )
    # What the public moderation log lists.
    PUBLIC = (
        *DECISIONS,
        Action.HIDE_COMMENT,
        Action.RESTORE_COMMENT,
        Action.UPDATE_URL,
        Action.RETRACTION,
        Action.CONCERN,
        Action.REVIEW,
        Action.SUPERSEDE,
        *ABOUT_LISTS,
    )

    # The event is about a source, about a comment in a theme's discussion (theme set), or about
    # a reading list (reading_list set, and the theme too when the list is featured on one).
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reading_list = models.ForeignKey(
        "lists.ReadingList",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    # The list's title when the decision was made: the log keeps naming a list renamed or
    # deleted since, and a spammer renaming a hidden list does not rewrite the log.
    reading_list_title = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    reason = models.TextField(blank=True)
    # When a moderator asks for changes: the proposal's fields as they stood, so that on
    # resubmission the review shows what changed (sources/proposals/changes.py).
    snapshot = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["-created_at"], name="moderation_event_newest")]

    def __str__(self):
        if self.is_about_list:
            return f"{self.get_action_display()}: {self.reading_list_title}"
        return f"{self.get_action_display()}: {self.source or self.theme}"

    @property
    def target(self):
        return self.source or self.theme

    @property
    def is_decision(self):
        """A moderator's decision on a source (rather than the proposer's own step)."""
        return self.action in self.DECISIONS

    @property
    def is_about_comment(self):
        return self.action in (self.Action.HIDE_COMMENT, self.Action.RESTORE_COMMENT)

    @property
    def is_about_list(self):
        return self.action in self.ABOUT_LISTS


class LinkHealth(models.Model):
    """What the periodic checks of a source's address found (sources/checks/link_health.py).

    A link counts as broken only after LINK_BROKEN_AFTER_FAILURES failed checks in a row spanning
    LINK_BROKEN_AFTER_DAYS: sites go down for an afternoon, and a 403 or 429 is a site refusing
    robots, not a missing page.
    """

    class Outcome(models.TextChoices):
        OK = "ok", "Answered"
        BLOCKED = "blocked", "Refused automated checks"
        FAILED = "failed", "Failed"

    touches = ["source"]  # its notice shows on the source's card and page (qlibrary/cache.py)

    source = models.OneToOneField(Source, on_delete=models.CASCADE, related_name="link_health")
    checked_url = models.CharField(max_length=1000)
    checked_at = models.DateTimeField()
    # When the address last answered (outcome ok): the "accessed" date citations give.
    answered_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # How the last check failed, in words ("404 Not Found", "could not connect ...").
    error = models.CharField(max_length=500, blank=True)
    final_url = models.CharField(max_length=1000, blank=True)
    # Each redirect followed: [address, status], in order.
    redirects = models.JSONField(default=list, blank=True)
    # Where a permanent redirect (301, 308) leads: offered to moderators as the new address.
    moved_to = models.CharField(max_length=1000, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    broken = models.BooleanField(default=False)
    archive_url = models.CharField(max_length=1000, blank=True)

    class Meta:
        verbose_name_plural = "link health"
        constraints = [
            models.CheckConstraint(
                condition=Q(broken=False) | Q(failing_since__isnull=False),
                name="link_health_broken_has_failures",
            )
        ]
        indexes = [models.Index(fields=["checked_at"], name="link_health_checked")]

    def __str__(self):
        return f"{self.checked_url}: {self.get_outcome_display()}"


class Notice(models.Model):
    """A retraction, expression of concern or correction published about a source, as Crossref
    lists it under the work's `updated-by` (sources/checks/retractions.py). Recorded once each."""

    class Kind(models.TextChoices):
        RETRACTION = "retraction", "Retraction"
        CONCERN = "expression_of_concern", "Expression of concern"
        CORRECTION = "correction", "Correction"

    touches = ["source"]  # shown on the source's card and page (qlibrary/cache.py)

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    notice_doi = models.CharField("DOI of the notice", max_length=200, blank=True)
    label = models.CharField(max_length=100, blank=True)
    # Who reported it to Crossref: "publisher" or "retraction-watch".
    reported_by = models.CharField(max_length=40, blank=True)
    published = models.DateField(null=True, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["published", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "notice_doi"], name="notice_once_per_source"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.source}"

    @property
    def doi_url(self):
        return f"https://doi.org/{self.notice_doi}" if self.notice_doi else ""


class IdentifierCheck(models.Model):
    """When a source's DOI was last looked up for notices, so each run does only what is due."""

    source = models.OneToOneField(Source, on_delete=models.CASCADE, related_name="identifier_check")
    checked_at = models.DateTimeField()
    # What the last look-up found, in words; "no record" means no signal, never "fine".
    result = models.CharField(max_length=300, blank=True)
    # The look-up itself failed (the service was down): tried again a day later.
    failed = models.BooleanField(default=False)

    def __str__(self):
        return f"{self.source}: {self.result}"


class Follow(models.Model):
    """A member following a theme or a source: its news reaches them in the weekly digest and
    on their "Following" page (sources/library/following.py)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(theme__isnull=True, source__isnull=False)
                | Q(theme__isnull=False, source__isnull=True),
                name="follow_has_one_target",
            ),
            models.UniqueConstraint(fields=["member", "theme"], name="follow_theme_once"),
            models.UniqueConstraint(fields=["member", "source"], name="follow_source_once"),
        ]

    def __str__(self):
        return f"{self.member} follows {self.theme or self.source}"


class ImportRun(models.Model):
    """One reading list a moderator brings in: its text until it is imported, where its
    proposals go, and how far the import has gone (sources/evidence/imports.py)."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed, not imported"
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Stopped"

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_runs"
    )
    label = models.CharField(max_length=300)
    name = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True, help_text="The list as uploaded; emptied once imported.")
    themes = models.ManyToManyField(Theme, related_name="+")
    stance = models.CharField(max_length=12, choices=Source.Stance.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0, help_text="Entries in the list.")
    done = models.PositiveIntegerField(default=0, help_text="Entries checked and settled.")
    imported = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    malformed = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(
        default=list, blank=True, help_text="[number, title, reason] of each entry skipped."
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    STALLED_AFTER = datetime.timedelta(minutes=10)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.label} ({self.get_status_display()})"

    @property
    def finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def stalled(self):
        """Whether a run that is not finished has made no progress for STALLED_AFTER: the task
        worker is not running, or stopped in the middle of it."""
        return not self.finished and self.updated_at < timezone.now() - self.STALLED_AFTER
