"""The bibliographic record on a source: its checks, its derived authors line, the accessed
date web citations give, the kinds table, and the migration that filled it."""

import datetime
from importlib import import_module

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sources.checks import link_health
from sources.kinds import KINDS, kind_from_ris, required_fields
from sources.models import LinkHealth, Source

from .factories import SourceFactory

pytestmark = pytest.mark.django_db


def errors_of(source):
    with pytest.raises(ValidationError) as raised:
        source.full_clean()
    return raised.value.message_dict


def test_identifiers_are_written_one_way_when_the_record_is_cleaned():
    source = SourceFactory.build(
        slug="identified",
        isbn="ISBN 978-1-906461-38-6",
        issn="09598138",
        pmid="PMID: 30305291",
        pmcid="pmc6180460",
        doi="https://doi.org/10.1136/BMJ.k3617",
        language="EN-gb",
    )

    source.full_clean()

    assert (source.isbn, source.issn, source.pmid, source.pmcid, source.doi) == (
        "9781906461386",
        "0959-8138",
        "30305291",
        "PMC6180460",
        "10.1136/bmj.k3617",
    )
    assert source.language == "en-GB"
    assert source.isbn_display == "978-1-906461-38-6"


def test_malformed_identifiers_get_a_message_on_their_field():
    source = SourceFactory.build(
        slug="malformed",
        isbn="978-1-906461-38-7",
        issn="1234",
        pmid="12ab",
        pmcid="6180460",
        doi="bmj.k3617",
        language="English",
    )

    errors = errors_of(source)

    assert "last digit does not match" in errors["isbn"][0]
    assert "8 digits" in errors["issn"][0]
    assert "1 to 9 digits" in errors["pmid"][0]
    assert "PMC" in errors["pmcid"][0]
    assert "not a DOI" in errors["doi"][0]
    assert "language code" in errors["language"][0]
    assert source.isbn == "978-1-906461-38-7"  # left as typed, for the member to correct


@pytest.mark.parametrize(
    ("year", "month", "day", "field", "message"),
    [
        (2016, 2, 30, "issued_day", "not in that month"),
        (2016, None, 3, "issued_day", "month before the day"),
        (None, 5, None, "issued_month", "year before the month"),
        (2016, 13, None, "issued_month", "less than or equal to 12"),
    ],
)
def test_an_impossible_issued_date_is_refused_on_its_field(year, month, day, field, message):
    source = SourceFactory.build(slug="dated", year=year, issued_month=month, issued_day=day)

    assert message in " ".join(errors_of(source)[field])


def test_the_database_refuses_a_day_without_a_month(source):
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.filter(pk=source.pk).update(issued_day=3)


def test_a_leap_day_is_a_valid_issued_date():
    source = SourceFactory.build(slug="leap", year=2016, issued_month=2, issued_day=29)
    source.full_clean()


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("", "194", "first page too"),
        ("194", "191", "comes before the first"),
        ("191 to 194", "", "page number or an article number"),
    ],
)
def test_malformed_pages_are_refused(first, last, message):
    source = SourceFactory.build(slug="paged", page_first=first, page_last=last)

    assert message in " ".join(sum(errors_of(source).values(), []))


def test_pages_read_as_a_range_or_an_article_number():
    assert SourceFactory.build(page_first="191", page_last="194").pages == "191\u2013194"
    assert SourceFactory.build(page_first="k3617").pages == "k3617"


def test_setting_contributors_sets_the_authors_line(source):
    source.set_contributors(
        [
            {"role": "author", "family": "Dixon-Woods", "given": "M."},
            {"role": "author", "literal": "Sustainable Improvement Team, NHS England"},
        ],
        et_al=True,
    )
    source.save()

    source.refresh_from_db()
    assert source.authors == "Dixon-Woods M, Sustainable Improvement Team, NHS England, et al."
    assert source.contributors[1] == {
        "role": "author",
        "literal": "Sustainable Improvement Team, NHS England",
    }


def test_cleaning_keeps_the_authors_line_in_step_with_edited_contributors(source):
    source.contributors = [{"family": "Batalden", "given": "P."}]
    source.full_clean()

    assert source.authors == "Batalden P"
    assert source.contributors == [{"role": "author", "family": "Batalden", "given": "P."}]


def test_malformed_contributors_get_a_message_on_their_field(source):
    source.contributors = [{"role": "author", "given": "Paul"}]

    assert "needs a family name" in errors_of(source)["contributors"][0]


def test_accessed_is_the_day_the_address_last_answered_not_today(source, settings):
    assert source.accessed_on is None
    answered = timezone.make_aware(datetime.datetime(2026, 3, 4, 10, 0))
    link_health.record(source=source, found=link_health.Probe(LinkHealth.Outcome.OK), now=answered)
    link_health.record(
        source=source,
        found=link_health.Probe(LinkHealth.Outcome.FAILED, error="timed out"),
        now=answered + datetime.timedelta(days=7),
    )

    source = Source.objects.get(pk=source.pk)
    assert source.accessed_on == datetime.date(2026, 3, 4)
    listed = Source.objects.with_accessed_on().get(pk=source.pk)
    assert listed.accessed_on == datetime.date(2026, 3, 4)


def test_a_new_address_that_fails_has_no_accessed_date(source):
    answered = timezone.now()
    link_health.record(source=source, found=link_health.Probe(LinkHealth.Outcome.OK), now=answered)
    source.url = "https://example.org/elsewhere"
    source.save()
    link_health.record(
        source=source, found=link_health.Probe(LinkHealth.Outcome.FAILED), now=answered
    )

    assert Source.objects.get(pk=source.pk).accessed_on is None


def test_every_kind_has_one_type_in_each_format():
    assert set(KINDS) == set(Source.Kind)
    for kind, formats in KINDS.items():
        assert all([formats.csl, formats.ris, formats.biblatex, formats.zotero]), kind
    assert required_fields(Source.Kind.JOURNAL_ARTICLE) == ("container_title",)
    assert required_fields(Source.Kind.BOOK) == ("publisher",)
    assert required_fields(Source.Kind.WEBSITE) == ()
    assert KINDS[Source.Kind.BLOG_POST].zotero == "blogPost"
    assert KINDS[Source.Kind.WEBSITE].zotero == "webpage"
    assert kind_from_ris("JOUR") == Source.Kind.JOURNAL_ARTICLE


# The data migration


def migrate_old_fields():
    import_module("sources.migrations.0020_contributors_from_authors").forwards(apps, None)


def old_source(slug, *, authors="", organisation="", kind=Source.Kind.REPORT, **fields):
    return SourceFactory(slug=slug, authors=authors, organisation=organisation, kind=kind, **fields)


def test_the_migration_reads_both_author_forms_and_et_al():
    initials = old_source("initials", authors="Dixon-Woods M, Martin G, et al.")
    given_first = old_source("given-first", authors="Jeremy Heimans, Henry Timms")

    migrate_old_fields()

    initials.refresh_from_db()
    given_first.refresh_from_db()
    assert initials.contributors == [
        {"role": "author", "family": "Dixon-Woods", "given": "M."},
        {"role": "author", "family": "Martin", "given": "G."},
    ]
    assert initials.et_al is True
    assert initials.authors == "Dixon-Woods M, Martin G, et al."
    assert given_first.contributors == [
        {"role": "author", "family": "Heimans", "given": "Jeremy"},
        {"role": "author", "family": "Timms", "given": "Henry"},
    ]
    assert given_first.authors == "Heimans J, Timms H"


def test_the_migration_moves_the_organisation_where_it_belongs():
    report = old_source("report", authors="Batalden P", organisation="The Health Foundation")
    by_a_body = old_source("by-a-body", organisation="The Health Foundation; Spring Impact")
    website = old_source(
        "website",
        organisation="Sustainable Improvement Team, NHS England",
        kind=Source.Kind.WEBSITE,
    )
    article = old_source(
        "article",
        authors="Batalden P",
        organisation="BMJ",
        kind=Source.Kind.JOURNAL_ARTICLE,
    )
    book = old_source("book", authors="Heimans J", organisation="Doubleday", kind="book")

    migrate_old_fields()

    report, by_a_body, website, article, book = (
        Source.objects.get(pk=s.pk) for s in (report, by_a_body, website, article, book)
    )
    assert (report.publisher, report.contributors[0]["family"]) == (
        "The Health Foundation",
        "Batalden",
    )
    assert by_a_body.contributors == [
        {"role": "author", "literal": "The Health Foundation"},
        {"role": "author", "literal": "Spring Impact"},
    ]
    assert by_a_body.publisher == "The Health Foundation; Spring Impact"
    assert website.contributors == [
        {"role": "author", "literal": "Sustainable Improvement Team, NHS England"}
    ]
    assert website.publisher == ""
    assert website.authors == "Sustainable Improvement Team, NHS England"
    assert (article.container_title, article.publisher) == ("BMJ", "")
    assert book.publisher == "Doubleday"


def test_the_migration_marks_what_it_derived_from_seeded_values_as_seeded():
    untouched = old_source(
        "untouched",
        authors="Batalden P",
        organisation="The Health Foundation",
        seeded_values={
            "title": "T",
            "authors": "Batalden P",
            "organisation": "The Health Foundation",
        },
    )
    edited = old_source(
        "edited",
        authors="Batalden P, Berwick D",
        organisation="The Health Foundation",
        seeded_values={"authors": "Batalden P", "organisation": "The Health Foundation"},
    )

    migrate_old_fields()

    untouched.refresh_from_db()
    edited.refresh_from_db()
    assert untouched.seeded_values["contributors"] == untouched.contributors
    assert untouched.seeded_values["publisher"] == "The Health Foundation"
    assert untouched.seeded_values["isbn"] == ""
    assert untouched.seeded_values["title"] == "T"
    assert "authors" not in untouched.seeded_values
    # A moderator's edit is never counted as seeded: seeding again leaves it alone.
    assert "contributors" not in edited.seeded_values
    assert edited.seeded_values["isbn"] == ""


def test_the_migration_dates_past_answers_of_the_link_check(source):
    checked = timezone.now() - datetime.timedelta(days=3)
    LinkHealth.objects.create(
        source=source, checked_url=source.url, checked_at=checked, outcome="ok"
    )
    failing = SourceFactory(slug="failing")
    LinkHealth.objects.create(
        source=failing, checked_url=failing.url, checked_at=checked, outcome="failed"
    )

    migrate_old_fields()

    assert Source.objects.get(pk=source.pk).accessed_on == timezone.localdate(checked)
    assert Source.objects.get(pk=failing.pk).accessed_on is None
