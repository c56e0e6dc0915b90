"""Listings of the library (the library, a theme's sources, a tag's sources) and their filters.

A `Listing` is what a listing page, its reference-manager files and the evidence map list: its
scope (a queryset), its name (in cache keys and file names) and whether it takes a search.
`ListingFilters` is the plain form of its filter bar: search words, theme, stance, kind, tag, year
and order. Options offered are the ones present in the listing's scope, so no filter leads to an
empty page by construction; of tags, only the TAG_OPTIONS most used (any other is reached from a
card, a tag page, or by typing it in the search box). A value that is not an option is ignored
and said so, never an error page.

`listing_page()` is a page of a listing with its cards. What costs more than the page itself (the
filter options, the number of sources, a search's ordered results) is a fragment keyed by the
listing's page key (sources/library/page_keys.py), so it is worked out once per change of the
library; the options and the number of sources once per change of a source's record, not of its
counters (`page_keys.records`).
"""

from dataclasses import dataclass
from functools import partial

from django import forms
from django.core.validators import slug_unicode_re
from django.db.models import Count, QuerySet
from django.urls import reverse
from taggit.models import Tag

from qlibrary.cache import fragment
from sources.library import page_keys
from sources.library.cards import cards
from sources.models import Sort, Source, Theme
from sources.pagination import paginate
from sources.text import CleanTextMixin

ANY = [("", "Any")]
TAG_OPTIONS = 30

# The first pages of a listing, the ones most read, read their ids with an offset; a deeper page
# slices them from all the listing's ids, read once per change of the library.
SHALLOW_PAGES = 5

# The query parameters each kind of listing page reads (qlibrary/cache.py drops any other).
LISTING_PARAMETERS = ("stance", "kind", "tag", "year", "sort", "page")
SEARCH_PARAMETERS = ("q", "theme", *LISTING_PARAMETERS)


@dataclass(frozen=True)
class Listing:
    """What a listing lists (`scope`), its `name` (in cache keys and the names of its files:
    "q-library", "q-library-<theme>", "q-library-tag-<tag>") and its address; only the library
    takes a search."""

    scope: QuerySet
    name: str
    url: str
    with_search: bool = False

    @classmethod
    def library(cls):
        return cls(Source.objects.approved(), "q-library", reverse("sources:list"), True)

    @classmethod
    def of_theme(cls, theme):
        in_theme = Source.objects.approved().in_theme(theme)
        return cls(in_theme, f"q-library-{theme.slug}", theme.get_absolute_url())

    @classmethod
    def of_tag(cls, tag):
        tagged = Source.objects.approved().filter(tags=tag)
        return cls(tagged, f"q-library-tag-{tag.slug}", reverse("sources:tag", args=[tag.slug]))

    def filters(self, data, page_key, *, leave_out=()):
        """The filter form of this listing for `data`, its options worked out once per
        `page_key`; `leave_out` names filters a page does not offer (the map's)."""
        options = fragment(
            "listing-options",
            (self.name, *page_keys.records(page_key)),
            partial(listing_options, self.scope),
        )
        return ListingFilters(
            data, options=options, with_search=self.with_search, leave_out=leave_out
        )


def listing_options(scope):
    """The themes, kinds, tags and years present in a listing's scope, as form choices."""
    kinds = set(scope.values_list("kind", flat=True).distinct().order_by())
    most_used = (
        Tag.objects.filter(sources_taggedsource_items__content_object__in=scope)
        .annotate(uses=Count("sources_taggedsource_items"))
        .order_by("-uses", "name")
        .values_list("slug", "name")[:TAG_OPTIONS]
    )
    years = scope.exclude(year=None).values_list("year", flat=True).distinct().order_by("-year")
    return {
        "themes": list(Theme.objects.values_list("slug", "title")),
        "kinds": [(value, label) for value, label in Source.Kind.choices if value in kinds],
        "tags": sorted(most_used, key=lambda tag: tag[1].casefold()),
        "years": [(str(year), str(year)) for year in years],
    }


class ListingFilters(CleanTextMixin, forms.Form):
    FILTERS = ("q", "theme", "stance", "kind", "tag", "year")

    q = forms.CharField(label="Search", required=False, max_length=200, strip=True)
    theme = forms.ChoiceField(label="Theme", required=False)
    stance = forms.ChoiceField(
        label="Stance", required=False, choices=ANY + list(Source.Stance.choices)
    )
    kind = forms.ChoiceField(label="Kind", required=False)
    tag = forms.ChoiceField(
        label="Tag",
        required=False,
        help_text="The most used tags. Any other is a click away on a source, or search for it.",
        widget=forms.Select(attrs={"aria-describedby": "id_tag_help"}),
    )
    year = forms.TypedChoiceField(label="Year", required=False, coerce=int, empty_value=None)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=Sort.listing_choices())

    def __init__(self, data, *, options, with_search=False, leave_out=()):
        """`options` are the listing's choices (`listing_options`)."""
        super().__init__(data)
        # Choices given as callables are read only when a chosen value is checked or the bar is
        # rendered (a fragment): given as lists, Django normalises them on every request (1.1 ms
        # of a member's search at full size).
        if with_search:
            self.fields["theme"].choices = lambda: ANY + options["themes"]
            self.fields["sort"].choices = Sort.choices
        else:
            del self.fields["q"]
            del self.fields["theme"]
        self.fields["kind"].choices = lambda: ANY + options["kinds"]
        other_tag = self._other_tag(options["tags"])
        self.fields["tag"].choices = lambda: ANY + options["tags"] + other_tag
        self.fields["year"].choices = lambda: ANY + options["years"]
        for name in leave_out:
            self.fields.pop(name, None)
        self.is_valid()

    def _other_tag(self, offered):
        """A tag chosen elsewhere (a card, a tag page, a link) that is not among the most used:
        offered too, so the listing can be filtered by any tag of the library."""
        slug = self.data.get("tag")
        if not slug or any(slug == value for value, _ in offered):
            return []
        if not slug_unicode_re.fullmatch(slug):
            return []  # not a slug at all (e.g. a NUL byte): ignored, and said so, by the form
        return list(Tag.objects.filter(slug=slug).values_list("slug", "name"))

    @property
    def ignored(self):
        """Labels of the filters whose values were not options and so were left out."""
        return [self.fields[name].label for name in self.errors]

    @property
    def active(self):
        """True when any filter or search narrows the listing."""
        return any(self.cleaned_data.get(name) for name in self.FILTERS)

    @property
    def chosen(self):
        """The valid choices, as a tuple for cache keys."""
        return tuple((name, self.cleaned_data.get(name)) for name in self.fields)

    def apply(self, queryset):
        """The queryset narrowed and ordered as the valid filters say: a search is ordered by
        relevance unless another order is chosen."""
        data = self.cleaned_data
        if data.get("theme"):
            queryset = queryset.filter(themes__slug=data["theme"])
        queryset = queryset.filter_by(
            stance=data.get("stance"),
            kind=data.get("kind"),
            tag=data.get("tag"),
            year=data.get("year"),
        )
        sort = data.get("sort") or Sort.RELEVANCE
        if data.get("q"):
            queryset = queryset.search(data["q"])
            if sort == Sort.RELEVANCE:
                return queryset
        return queryset.sorted_by(Sort.NEWEST if sort == Sort.RELEVANCE else sort)


def listing_page(request, listing, filters, page_key):
    """The page of `listing`, filtered and ordered by `filters`, that the request asks for: its
    rows (`SourceQuerySet.for_cards`) in `page.object_list`, its cards in `page.cards`, and the
    number of sources the filters leave in `page.paginator.count`.

    The number of sources is a fragment keyed by the sources' records (`page_keys.records`).
    For a search or a deep page the ids of the whole listing in order (matching and ranking a
    common word reads much of the library; a deep page's offset sorts it), and each page's rows
    are fragments keyed by the page key, which every change to a source moves, so the rows'
    `updated_at` (which the cards are keyed by) are current (and an order by endorsements). The
    filtered query is built only when one of them must be worked out: building it through the
    ORM cost more than the database takes to answer it."""
    chosen = (listing.name, *filters.chosen, *page_key)

    def narrowed():
        return filters.apply(listing.scope)

    if not filters.cleaned_data.get("q"):
        counted = (listing.name, *filters.chosen, *page_keys.records(page_key))
        count = fragment("listing-count", counted, lambda: narrowed().count())
        page = paginate(request, range(count))
        span = page.object_list  # the positions of this page's rows, as a range

        def rows():
            if page.number > SHALLOW_PAGES:
                # A deep page's offset would join and sort the whole listing on every visit (a
                # theme's: 5 ms at full size): its ids are a slice of the listing's, in order.
                every = fragment("listing-ids", chosen, partial(_ids_of, narrowed))
                return _rows_of(every[span.start : span.stop])
            # The page's ids alone first: its offset is then walked in an index, not in the
            # table's rows.
            return _rows_of(list(narrowed().values_list("pk", flat=True)[span.start : span.stop]))

    else:
        ids = fragment("listing-ids", chosen, partial(_ids_of, narrowed))
        page = paginate(request, ids)

        def rows():
            return _rows_of(list(page.object_list))

    rows = fragment("listing-rows", (*chosen, page.number), rows)
    page.object_list = rows
    page.cards = cards(rows, common=page_key[:1])
    return page


def _ids_of(narrowed):
    return list(narrowed().values_list("pk", flat=True))


def _rows_of(ids):
    """The rows a page's cards are found by and, when missing, rendered from, in the order of
    `ids`."""
    found = Source.objects.filter(pk__in=ids).for_cards().in_bulk()
    return [found[pk] for pk in ids if pk in found]


class ProposalFilters(CleanTextMixin, forms.Form):
    """The filter bar of the open proposals: a theme, a stance and an order. Unknown values are
    ignored."""

    SORTS = {Sort.NEWEST: "Newest", Sort.ENDORSED: "Most endorsed"}

    theme = forms.ChoiceField(label="Theme", required=False)
    stance = forms.ChoiceField(label="Stance", required=False, choices=ANY + Source.Stance.choices)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=list(SORTS.items()))

    def __init__(self, data, *, themes):
        super().__init__(data)
        self.themes = themes
        self.fields["theme"].choices = ANY + [(theme.slug, theme.title) for theme in themes]
        self.is_valid()

    @property
    def chosen_theme(self):
        slug = self.cleaned_data.get("theme")
        return next((theme for theme in self.themes if theme.slug == slug), None)

    @property
    def chosen_stance(self):
        return self.cleaned_data.get("stance") or ""

    @property
    def chosen_sort(self):
        return self.cleaned_data.get("sort") or Sort.NEWEST
