import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from sources.models import Source, Theme

from .factories import SourceFactory, ThemeFactory

pytestmark = pytest.mark.django_db

LIVE = [Source.Status.PROPOSED, Source.Status.CHANGES_REQUESTED, Source.Status.APPROVED]
CLOSED = [Source.Status.DECLINED, Source.Status.WITHDRAWN, Source.Status.RETIRED]
NOT_APPROVED = [status for status in Source.Status if status != Source.Status.APPROVED]


def assert_refused_by_database(**fields):
    """Saving a source with these fields is refused by a database constraint, not by Python."""
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceFactory(**fields)


# Constraints held by the database


def test_slug_is_unique():
    SourceFactory(slug="the-same-slug")

    assert_refused_by_database(slug="the-same-slug")
    assert Source.objects.filter(slug="the-same-slug").count() == 1


@pytest.mark.parametrize("year", [1799, 2101, 0, 9999])
def test_year_out_of_range_is_refused(year):
    assert_refused_by_database(year=year)
    assert not Source.objects.filter(year=year).exists()


@pytest.mark.parametrize("year", [None, 1800, 2024, 2100])
def test_year_in_range_or_missing_is_stored(year):
    source = SourceFactory(year=year)

    source.refresh_from_db()
    assert source.year == year


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://x", "data:text/html,hi", "example.org/report"]
)
def test_url_that_is_not_http_is_refused(url):
    assert_refused_by_database(url=url)
    assert not Source.objects.filter(url=url).exists()


@pytest.mark.parametrize("url", ["", "http://example.org/a", "https://example.org/b"])
def test_http_url_or_none_is_stored(url):
    source = SourceFactory(url=url)

    assert Source.objects.get(pk=source.pk).url == url


def test_status_outside_the_choices_is_refused():
    assert_refused_by_database(status="published")
    assert not Source.objects.filter(status="published").exists()


@pytest.mark.parametrize("first", LIVE)
@pytest.mark.parametrize("second", LIVE)
def test_two_live_sources_cannot_share_a_url_key(first, second):
    SourceFactory(url="https://example.org/report", status=first)

    assert_refused_by_database(url="https://www.example.org/report/", status=second)
    assert Source.objects.filter(url_key="example.org/report").count() == 1


@pytest.mark.parametrize("closed", CLOSED)
@pytest.mark.parametrize("live", LIVE)
def test_closed_source_may_share_a_url_key_with_a_live_one(closed, live):
    SourceFactory(url="https://example.org/report", status=closed)
    SourceFactory(url="https://example.org/report?utm_source=x", status=live)
    SourceFactory(url="http://example.org/report/", status=closed)

    assert Source.objects.filter(url_key="example.org/report").count() == 3


def test_many_sources_without_url_are_allowed():
    SourceFactory.create_batch(3, url="", url_key="")

    assert Source.objects.filter(url_key="").count() == 3


@pytest.mark.parametrize("first", LIVE)
@pytest.mark.parametrize("second", LIVE)
def test_two_live_sources_cannot_share_a_doi_key(first, second):
    SourceFactory(doi="10.1000/xyz", doi_key="10.1000/xyz", status=first)

    assert_refused_by_database(
        doi="https://doi.org/10.1000/XYZ", doi_key="10.1000/xyz", status=second
    )
    assert Source.objects.filter(doi_key="10.1000/xyz").count() == 1


@pytest.mark.parametrize("closed", CLOSED)
@pytest.mark.parametrize("live", LIVE)
def test_closed_source_may_share_a_doi_key_with_a_live_one(closed, live):
    SourceFactory(doi="10.1000/xyz", doi_key="10.1000/xyz", status=closed)
    SourceFactory(doi="10.1000/xyz", doi_key="10.1000/xyz", status=live)

    assert Source.objects.filter(doi_key="10.1000/xyz").count() == 2


def test_many_sources_without_doi_are_allowed():
    SourceFactory.create_batch(3, doi="", doi_key="")

    assert Source.objects.filter(doi_key="").count() == 3


def test_assign_keys_derives_keys_from_url_and_doi():
    source = Source(url="https://www.Example.org/a/?utm_source=x", doi="doi:10.1000/XYZ")

    source.assign_keys()

    assert source.url_key == "example.org/a"
    assert source.doi_key == "10.1000/xyz"


# QuerySet methods


def test_approved_excludes_every_other_status():
    approved = SourceFactory(status=Source.Status.APPROVED)
    for status in NOT_APPROVED:
        SourceFactory(status=status, approved_at=None)

    assert list(Source.objects.approved()) == [approved]


def test_live_holds_approved_and_open_proposals():
    for status in Source.Status:
        SourceFactory(status=status)

    assert set(Source.objects.live().values_list("status", flat=True)) == set(LIVE)


def test_in_theme_keeps_only_sources_filed_under_the_theme(themes):
    first, second, third = themes
    in_first = SourceFactory(themes=[first])
    in_both = SourceFactory(themes=[first, second])
    SourceFactory(themes=[third])

    assert set(Source.objects.in_theme(first)) == {in_first, in_both}
    assert list(Source.objects.in_theme(second)) == [in_both]


def test_filter_by_kind():
    report = SourceFactory(kind=Source.Kind.REPORT)
    SourceFactory(kind=Source.Kind.BOOK)

    assert list(Source.objects.filter_by(kind=Source.Kind.REPORT)) == [report]


def test_filter_by_tag():
    tagged = SourceFactory(tags=["Patient safety", "networks"])
    SourceFactory(tags=["networks"])
    SourceFactory()

    assert list(Source.objects.filter_by(tag="patient-safety")) == [tagged]


def test_filter_by_year():
    recent = SourceFactory(year=2021)
    SourceFactory(year=2019)
    SourceFactory(year=None)

    assert list(Source.objects.filter_by(year=2021)) == [recent]


def test_filter_by_combines_filters():
    wanted = SourceFactory(kind=Source.Kind.BOOK, year=2020, tags=["spread"])
    SourceFactory(kind=Source.Kind.BOOK, year=2020)
    SourceFactory(kind=Source.Kind.REPORT, year=2020, tags=["spread"])
    SourceFactory(kind=Source.Kind.BOOK, year=2021, tags=["spread"])

    assert list(Source.objects.filter_by(kind="book", tag="spread", year=2020)) == [wanted]


def test_filter_by_with_empty_values_leaves_the_set_alone():
    sources = SourceFactory.create_batch(3)

    assert set(Source.objects.filter_by(kind="", tag="", year=None)) == set(sources)


def test_sorted_by_newest_puts_the_latest_approval_first():
    now = timezone.now()
    old = SourceFactory(approved_at=now - datetime.timedelta(days=10))
    new = SourceFactory(approved_at=now)
    middle = SourceFactory(approved_at=now - datetime.timedelta(days=2))

    assert list(Source.objects.approved().sorted_by("newest")) == [new, middle, old]


def test_an_approved_source_must_have_its_approval_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceFactory(approved_at=None, status=Source.Status.APPROVED)


def test_sorted_by_unknown_value_falls_back_to_newest():
    now = timezone.now()
    old = SourceFactory(approved_at=now - datetime.timedelta(days=1))
    new = SourceFactory(approved_at=now)

    assert list(Source.objects.sorted_by("zzz")) == [new, old]


def test_sorted_by_title():
    banana = SourceFactory(title="Banana")
    apple = SourceFactory(title="Apple")
    cherry = SourceFactory(title="Cherry")

    assert list(Source.objects.sorted_by("title")) == [apple, banana, cherry]


def test_sorted_by_endorsed_puts_most_endorsed_first():
    few = SourceFactory(endorsement_count=1)
    many = SourceFactory(endorsement_count=12)
    none = SourceFactory(endorsement_count=0)

    assert list(Source.objects.sorted_by("endorsed")) == [many, few, none]


def test_with_source_counts_counts_only_approved_sources(themes):
    first, second, third = themes
    SourceFactory.create_batch(2, themes=[first])
    SourceFactory(themes=[first, second])
    for status in NOT_APPROVED:
        SourceFactory(themes=[first, second, third], status=status)

    counts = {theme.slug: theme.source_count for theme in Theme.objects.with_source_counts()}

    assert counts == {first.slug: 3, second.slug: 1, third.slug: 0}


def test_with_source_counts_keeps_display_order(themes):
    extra = ThemeFactory(display_order=0, title="A first theme")

    ordered = list(Theme.objects.with_source_counts())

    assert ordered == [extra, *themes]
    assert [theme.source_count for theme in ordered] == [0, 0, 0, 0]


# Citation and slug


def test_citation_with_authors_year_organisation_and_url():
    source = SourceFactory.build(
        title="Building the foundations for improvement",
        authors="Alderwick H, Jones B",
        year=2015,
        organisation="The Health Foundation",
        url="https://example.org/foundations",
        doi="",
    )

    assert source.citation() == (
        "Alderwick H, Jones B (2015). Building the foundations for improvement. "
        "The Health Foundation. https://example.org/foundations"
    )


def test_citation_with_only_an_organisation():
    source = SourceFactory.build(
        title="Quality improvement made simple",
        authors="",
        year=None,
        organisation="The Health Foundation",
        url="",
        doi="",
    )

    assert source.citation() == "The Health Foundation. Quality improvement made simple."


def test_citation_prefers_the_doi_link_to_the_url():
    source = SourceFactory.build(
        title="Spread and scale",
        authors="Greenhalgh T",
        year=2004,
        organisation="",
        url="https://example.org/spread",
        doi="10.1111/j.0887-378X.2004.00325.x",
    )

    assert source.citation() == (
        "Greenhalgh T (2004). Spread and scale. https://doi.org/10.1111/j.0887-378X.2004.00325.x"
    )


def test_citation_with_year_but_no_author():
    source = SourceFactory.build(
        title="Untitled toolkit", authors="", organisation="", year=2020, url="", doi=""
    )

    assert source.citation() == "Untitled toolkit. 2020."


def test_assign_slug_makes_unique_slugs_for_equal_titles():
    slugs = []
    for _ in range(3):
        source = Source(title="Learning from Networks!")
        source.assign_slug()
        slugs.append(source.slug)
        SourceFactory(title=source.title, slug=source.slug)

    assert slugs == [
        "learning-from-networks",
        "learning-from-networks-2",
        "learning-from-networks-3",
    ]


def test_assign_slug_keeps_a_sources_own_slug():
    source = SourceFactory(title="Peer learning", slug="peer-learning")

    source.assign_slug()

    assert source.slug == "peer-learning"


def test_assign_slug_for_a_title_without_letters():
    source = Source(title="!!!")

    source.assign_slug()

    assert source.slug == "source"
