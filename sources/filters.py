"""The filter bar of the listing pages: search words, theme, stance, kind, tag, year and order.

Options offered are the ones present in the listing's scope, so no filter leads to an empty page
by construction; of tags, only the TAG_OPTIONS most used (a list that does not grow with the
library: any other tag is reached from a card, a tag page, or by typing it in the search box).
They are worked out once per change of that listing (`depends_on`, versions of
sources/page_cache.py) and kept in the page cache, as is the rendered bar for each choice of
filters. A value that is not an option is ignored and said so, never an error page.
"""

import hashlib
from functools import partial

from django import forms
from django.core.validators import slug_unicode_re
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from taggit.models import Tag

from .cards import cards
from .models import Source, Theme
from .page_cache import ENDORSEMENTS, listed, remember
from .pagination import paginate
from .text import CleanTextMixin

ANY = [("", "Any")]
TAG_OPTIONS = 30


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


def _rows_in_order(ids):
    """The sources of these ids, in that order, with only what finds each card."""
    rows = Source.objects.filter(pk__in=ids).for_cards().in_bulk()
    return [rows[pk] for pk in ids if pk in rows]


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
    sort = forms.ChoiceField(label="Sort by", required=False, choices=list(Source.SORTS.items()))

    def __init__(self, data, *, scope, scope_name, listing, with_search=False):
        """`listing` names the listing in sources/page_cache.py (LIBRARY, theme_sources(slug),
        tag_page(slug)): what is worked out from what it lists is kept under listed(listing),
        its cards under the listing itself."""
        super().__init__(data)
        self.with_search = with_search
        self.scope_name = scope_name
        self.listing = listing
        self.depends_on = [listed(listing)]
        options = remember(
            f"listing-options:{scope_name}",
            lambda: listing_options(scope),
            depends_on=self.depends_on,
        )
        # Choices given as callables are read only when a chosen value is checked or the bar is
        # rendered (kept, below): most requests need neither, while lists given directly are
        # normalised on every request (measured: 1.6 ms for this form, against 0.7 ms).
        if with_search:
            self.fields["theme"].choices = lambda: ANY + options["themes"]
            self.fields["sort"].choices = list(Source.SEARCH_SORTS.items())
        else:
            del self.fields["q"]
            del self.fields["theme"]
        self.fields["kind"].choices = lambda: ANY + options["kinds"]
        other_tag = self._other_tag(options["tags"])
        self.fields["tag"].choices = lambda: ANY + options["tags"] + other_tag
        self.fields["year"].choices = lambda: ANY + options["years"]
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

    def bar(self, clear_url):
        """The filter bar (templates/includes/filters.html) as HTML, kept for each listing and
        choice of filters until the listing changes."""
        chosen = [(name, self.data.get(name, "")) for name in self.fields]
        key = hashlib.sha256(repr((clear_url, chosen)).encode()).hexdigest()
        html = remember(
            f"filter-bar:{self.scope_name}:{key}",
            lambda: str(
                render_to_string("includes/filters.html", {"filters": self, "clear_url": clear_url})
            ),
            depends_on=self.depends_on,
        )
        return mark_safe(html)  # noqa: S308 (rendered from our template, user text escaped)

    @property
    def ignored(self):
        """Labels of the filters whose values were not options and so were left out."""
        return [self.fields[name].label for name in self.errors]

    @property
    def active(self):
        """True when any filter or search narrows the listing."""
        return any(self.cleaned_data.get(name) for name in self.FILTERS)

    def page(self, request, scope):
        """The page of this listing (`scope`, filtered and ordered) that the request asks for,
        with only what finds each card (ids and slugs), and the cards themselves (`page.cards`).

        What costs more than the page itself is worked out once per change of the listing for
        each choice of filters, and shared by every page number: the number of sources, and for
        a search the ids of all its results in order (matching and ranking a common word reads
        most of the library). Each page's rows are kept too, and the filtered query is built only
        when one of these is worked out: building it through the ORM cost more than the database
        takes to answer it."""
        ordered_by = (*self.FILTERS, "sort")
        # Rows in the "most endorsed" order change with every endorsement; in the others, not.
        order_depends_on = self.depends_on
        if self.cleaned_data.get("sort") == "endorsed":
            order_depends_on = [*self.depends_on, ENDORSEMENTS]
        if not self.cleaned_data.get("q"):
            count = self._remember("count", ("q", *self.FILTERS), lambda: self.apply(scope).count())
            page = paginate(request, range(count))
            span = page.object_list  # the positions of this page's rows, as a range

            def rows():
                return list(self.apply(scope).for_cards()[span.start : span.stop])

        else:
            ids = self._remember(
                "search",
                ordered_by,
                lambda: list(self.apply(scope).values_list("pk", flat=True)),
                depends_on=order_depends_on,
            )
            page = paginate(request, ids)
            rows = partial(_rows_in_order, page.object_list)
        page.object_list = self._remember(
            f"page-{page.number}", ordered_by, rows, depends_on=order_depends_on
        )
        # The page's cards as one part: kept while the listing holds (every change to one of its
        # cards moves it, a comment included), they cost no round trip of their own.
        page.cards = self._remember(
            f"cards-{page.number}",
            ordered_by,
            partial(cards, page.object_list),
            depends_on=[self.listing],
        )
        return page

    def _remember(self, what, names, compute, depends_on=None):
        chosen = [(name, self.cleaned_data.get(name)) for name in names]
        key = hashlib.sha256(repr(chosen).encode()).hexdigest()
        return remember(
            f"{what}:{self.scope_name}:{key}", compute, depends_on=depends_on or self.depends_on
        )

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
        sort = data.get("sort") or "relevance"
        if data.get("q"):
            queryset = queryset.search(data["q"])
            if sort == "relevance":
                return queryset
        return queryset.sorted_by("newest" if sort == "relevance" else sort)


class ProposalFilters(CleanTextMixin, forms.Form):
    """The filter bar of the open proposals: a theme, a stance and an order. Unknown values are
    ignored."""

    SORTS = {"newest": "Newest", "endorsed": "Most endorsed"}

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
        return self.cleaned_data.get("sort") or "newest"
