import io
import re
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import CommandError, call_command

from sources.models import Source, Theme
from sources.starter import STARTER_SOURCES

from .factories import SourceFactory

pytestmark = pytest.mark.django_db

THEME_SLUGS = {"skills-and-perspectives", "aligning-action", "peer-networks"}
BLOG_POST = Path(settings.BASE_DIR).parent / "shared" / "seed" / "blog-post.txt"


def seed():
    out = io.StringIO()
    call_command("seed_library", stdout=out)
    return out.getvalue()


def snapshot():
    """Every starter row as plain values, with its themes and tags."""
    return {
        source.slug: (
            Source.objects.filter(pk=source.pk).values().get(),
            sorted(theme.slug for theme in source.themes.all()),
            sorted(tag.name for tag in source.tags.all()),
        )
        for source in Source.objects.prefetch_related("themes", "tags")
    }


def words(text):
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return re.findall(r"[a-z0-9']+", text)


def test_first_run_adds_every_starter_source_as_approved():
    output = seed()

    assert "Starter library: 23 sources added." in output
    sources = Source.objects.all()
    assert sources.count() == len(STARTER_SOURCES) == 23
    assert set(sources.values_list("status", flat=True)) == {Source.Status.APPROVED}
    assert not sources.filter(approved_at__isnull=True).exists()
    assert not sources.filter(proposer__isnull=False).exists()
    assert set(sources.values_list("slug", flat=True)) == {e["slug"] for e in STARTER_SOURCES}


def test_every_starter_source_sits_in_a_theme_and_every_theme_gets_sources():
    seed()

    for source in Source.objects.prefetch_related("themes"):
        slugs = {theme.slug for theme in source.themes.all()}
        assert slugs, source.slug
        assert slugs <= THEME_SLUGS, source.slug
    counts = {theme.slug: theme.source_count for theme in Theme.objects.with_source_counts()}
    assert all(counts[slug] > 0 for slug in THEME_SLUGS), counts


def test_second_run_adds_nothing_changes_nothing_and_says_so():
    seed()
    before = snapshot()

    output = seed()

    assert "Starter library: nothing to add (all 23 starter sources are already here)." in output
    assert snapshot() == before


def test_second_run_leaves_an_edited_source_as_the_admin_left_it():
    seed()
    source = Source.objects.get(slug="skilled-for-improvement")
    source.summary = "Edited by a moderator."
    source.save()
    source.tags.set(["edited"])
    before = snapshot()

    seed()

    source.refresh_from_db()
    assert source.summary == "Edited by a moderator."
    assert [tag.name for tag in source.tags.all()] == ["edited"]
    assert snapshot() == before


def test_a_deleted_starter_source_is_added_back_alone():
    seed()
    Source.objects.filter(slug="source4networks").delete()

    output = seed()

    assert "Starter library: 1 source added (22 already here)." in output
    assert Source.objects.count() == 23
    assert Source.objects.get(slug="source4networks").url == "https://www.source4networks.org.uk"


def test_missing_theme_stops_the_command_before_adding_anything():
    Theme.objects.filter(slug="peer-networks").delete()

    with pytest.raises(CommandError, match="peer-networks"):
        seed()

    assert not Source.objects.exists()


# The addresses and DOIs the checked record gives, by starter source; "not confirmed" is absent.
VERIFIED_ADDRESSES = {
    "safer-clinical-systems-evaluation": (
        "https://www.health.org.uk/publications/safer-clinical-systems-evaluation-findings/"
    ),
    "overcoming-challenges-to-improving-quality": (
        "https://www.health.org.uk/publications/overcoming-challenges-to-improving-quality"
    ),
    "getting-more-health-from-healthcare": "https://www.bmj.com/content/362/bmj.k3617",
    "engaging-patients-to-improve-quality-of-care": (
        "https://implementationscience.biomedcentral.com/articles/10.1186/s13012-018-0784-z"
    ),
    "whole-system-flow": (
        "https://www.health.org.uk/publications/the-challenge-and-potential-of-whole-system-flow"
    ),
    "the-big-room": "https://flowcoaching.academy/history/",
    "does-quality-improvement-improve-quality": "https://doi.org/10.7861/futurehosp.3-3-191",
    "constructive-comfort": (
        "http://www.health.org.uk/publication/constructive-comfort-accelerating-change-nhs"
    ),
    "culture-and-behaviour-in-the-english-nhs": "https://doi.org/10.1136/bmjqs-2013-001947",
    "the-improvement-journey": (
        "http://reader.health.org.uk/the-improvement-journey/introduction-and-summary"
    ),
    "quality-management-systems-scotland": (
        "https://ihub.scot/improvement-programmes/quality-management-system/"
        "about-quality-management-system/"
    ),
    "new-power": "https://thisisnewpower.com",
    "against-the-odds": (
        "https://www.innovationunit.org/thoughts/"
        "against-the-odds-successfully-scaling-innovation-across-the-nhs/"
    ),
    "the-spread-challenge": "https://www.health.org.uk/publications/the-spread-challenge",
    "social-franchising-and-licensing": (
        "https://health.org.uk/funding-and-partnerships/programmes/exploring-social-franchising"
    ),
    "effective-networks-for-improvement": (
        "https://www.health.org.uk/publications/effective-networks-for-improvement"
    ),
    "closing-the-gap-through-clinical-communities": (
        "https://www.health.org.uk/publications/using-clinical-communities-to-improve-quality"
    ),
    "source4networks": "https://www.source4networks.org.uk",
    "visit-to-healthcare-improvement-scotland": (
        "https://q.health.org.uk/event/visit-to-healthcare-improvement-scotland-sustaining-"
        "improvement-through-quality-management-systems/"
    ),
}
VERIFIED_DOIS = {
    "getting-more-health-from-healthcare": "10.1136/bmj.k3617",
    "engaging-patients-to-improve-quality-of-care": "10.1186/s13012-018-0784-z",
    "does-quality-improvement-improve-quality": "10.7861/futurehosp.3-3-191",
    "culture-and-behaviour-in-the-english-nhs": "10.1136/bmjqs-2013-001947",
}
# Facts the record left unconfirmed stay empty.
UNCONFIRMED_YEAR = {
    "quality-management-systems-scotland",
    "implementing-evidence-based-medicine",
    "source4networks",
    "visit-to-healthcare-improvement-scotland",
    "health-foundation-thinking-on-context",
}


def test_every_starter_source_with_a_verified_address_carries_it_and_no_other_has_one():
    seed()

    with_url = dict(Source.objects.exclude(url="").values_list("slug", "url"))
    assert with_url == VERIFIED_ADDRESSES
    assert len(with_url) == 19
    assert all(source.url_key for source in Source.objects.exclude(url=""))


def test_the_verified_dois_sit_on_their_sources_and_no_other_has_one():
    seed()

    assert dict(Source.objects.exclude(doi="").values_list("slug", "doi")) == VERIFIED_DOIS
    assert Source.objects.get(doi="10.1136/bmj.k3617").title.startswith(
        "Getting more health from healthcare"
    )
    assert set(Source.objects.exclude(doi_key="").values_list("doi_key", flat=True)) == set(
        VERIFIED_DOIS.values()
    )


def test_starter_sources_carry_the_published_title_year_and_authors():
    seed()

    review = Source.objects.get(slug="engaging-patients-to-improve-quality-of-care")
    assert review.year == 2018
    assert review.authors.startswith("Bombard Y, Baker GR, Orlando E")
    assert review.authors.endswith("Denis J-L, Pomey M-P")
    skilled = Source.objects.get(slug="skilled-for-improvement")
    assert skilled.title.startswith("Skilled for improvement? Learning communities")
    assert (skilled.year, skilled.url) == (2014, "")
    assert skilled.authors == "Gabbay J, le May A, Connell C, Klein JH"
    assert set(Source.objects.filter(year=None).values_list("slug", flat=True)) == UNCONFIRMED_YEAR


def test_the_source_with_no_published_record_keeps_the_posts_facts_only():
    seed()

    book = Source.objects.get(slug="implementing-evidence-based-medicine")
    assert (book.title, book.authors, book.year, book.url) == (
        "Implementing Evidence Based Medicine",
        "Greenhalgh T",
        None,
        "",
    )
    assert book.contributors == [{"role": "author", "family": "Greenhalgh", "given": "Trish"}]
    assert (book.publisher, book.isbn) == ("", "")


def test_every_source_page_shows_its_address_as_read_the_source(client):
    seed()

    for slug, url in VERIFIED_ADDRESSES.items():
        page = client.get(f"/sources/{slug}/").content.decode()
        header = page[page.index("<h1") : page.index("source__layout")]
        assert f'href="{url}"' in header, slug
        assert "Read the source" in header, slug


def test_seeding_again_keeps_a_field_a_moderator_edited_and_fills_the_others():
    seed()
    Source.objects.filter(slug="new-power").update(
        title="#NewPower (moderator's title)",
        publisher="Penguin (moderator's publisher)",
        seeded_values={
            "title": "New Power",
            "contributors": [],
            "et_al": False,
            "publisher": "Doubleday",
            "isbn": "",
            "year": None,
            "url": "",
            "doi": "",
        },
        contributors=[],
        authors="",
        isbn="",
        year=None,
        url="",
        url_key="",
    )

    output = seed()

    book = Source.objects.get(slug="new-power")
    assert book.title == "#NewPower (moderator's title)"
    assert book.publisher == "Penguin (moderator's publisher)"
    assert (book.authors, book.isbn, book.year) == ("Heimans J, Timms H", "9780385541114", 2018)
    assert book.contributors[1] == {"role": "author", "family": "Timms", "given": "H."}
    assert (book.url, book.url_key) == ("https://thisisnewpower.com", "thisisnewpower.com")
    assert book.seeded_values["url"] == "https://thisisnewpower.com"
    assert "1 source brought up to date." in output
    assert "nothing to add" in seed()


def test_a_database_seeded_by_the_first_starter_library_is_brought_up_to_date():
    record_first_seeding = import_module(
        "sources.migrations.0011_record_first_starter_seeding"
    ).record_first_seeding
    first = import_module("sources.migrations.0011_record_first_starter_seeding").FIRST_SEEDING
    seed()
    # Put every row back as the first starter library left it, with no record of seeding.
    for slug, values in first.items():
        Source.objects.filter(slug=slug).update(**values, seeded_values={})
    Source.objects.filter(slug="new-power").update(title="#NewPower, edited by a moderator")

    record_first_seeding(django_apps, None)
    import_module("sources.migrations.0020_contributors_from_authors").forwards(django_apps, None)
    output = seed()

    assert "20 sources brought up to date." in output
    assert dict(Source.objects.exclude(url="").values_list("slug", "url")) == VERIFIED_ADDRESSES
    assert dict(Source.objects.exclude(doi="").values_list("slug", "doi")) == VERIFIED_DOIS
    book = Source.objects.get(slug="new-power")
    assert book.title == "#NewPower, edited by a moderator"
    assert book.authors == "Heimans J, Timms H"
    assert (book.publisher, book.isbn) == ("Doubleday", "9780385541114")
    article = Source.objects.get(slug="getting-more-health-from-healthcare")
    assert (article.container_title, article.volume, article.page_first) == (
        "The BMJ",
        "362",
        "k3617",
    )
    assert "nothing to add" in seed()


def test_an_address_another_source_holds_is_not_copied_onto_a_starter_source(member):
    seed()
    Source.objects.filter(slug="new-power").update(url="", url_key="", seeded_values={"url": ""})
    SourceFactory(
        slug="member-copy", url="https://thisisnewpower.com/", proposer=member, title="Copy"
    )
    err = io.StringIO()

    call_command("seed_library", stdout=io.StringIO(), stderr=err)

    assert Source.objects.get(slug="new-power").url == ""
    assert "new-power: its address or DOI is already held by “Copy”" in err.getvalue()


def test_starter_sources_name_people_only_from_the_records_or_the_post():
    seed()

    people = {
        source.slug: source.authors
        for source in Source.objects.all()
        if any("family" in name for name in source.contributors)
    }
    assert people["new-power"] == "Heimans J, Timms H"
    assert people["implementing-evidence-based-medicine"] == "Greenhalgh T"
    assert "health-foundation-thinking-on-context" not in people
    assert len(people) == 14


# The bibliographic record: what the checked file gives, and nothing more.
JOURNAL_DETAILS = {
    "getting-more-health-from-healthcare": ("The BMJ", "362", "", "k3617", ""),
    "engaging-patients-to-improve-quality-of-care": ("Implementation Science", "13", "", "98", ""),
    "does-quality-improvement-improve-quality": ("Future Hospital Journal", "3", "3", "191", "194"),
    "culture-and-behaviour-in-the-english-nhs": ("BMJ Quality & Safety", "23", "2", "106", "115"),
}
ISBNS = {
    "overcoming-challenges-to-improving-quality": "9781906461386",
    "skilled-for-improvement": "9781906461522",
    "whole-system-flow": "9781906461836",
    "the-improvement-journey": "9781911615316",
    "new-power": "9780385541114",
    "the-spread-challenge": "9781911615187",
}


def test_starter_articles_carry_their_journal_volume_issue_and_pages():
    seed()

    details = {
        source.slug: (
            source.container_title,
            source.volume,
            source.issue,
            source.page_first,
            source.page_last,
        )
        for source in Source.objects.exclude(container_title="")
    }
    assert details == JOURNAL_DETAILS


def test_starter_books_and_reports_carry_their_isbns_and_publishers():
    seed()

    assert dict(Source.objects.exclude(isbn="").values_list("slug", "isbn")) == ISBNS
    publishers = dict(Source.objects.exclude(publisher="").values_list("slug", "publisher"))
    assert publishers["new-power"] == "Doubleday"
    for slug in ISBNS.keys() - {"new-power"}:
        assert publishers[slug] == "The Health Foundation", slug
    for slug in JOURNAL_DETAILS:
        assert slug not in publishers


def test_starter_contributors_are_structured_and_organisations_never_split():
    seed()

    skilled = Source.objects.get(slug="skilled-for-improvement")
    assert skilled.contributors[1] == {"role": "author", "family": "le May", "given": "A."}
    assert skilled.contributors[3] == {"role": "author", "family": "Klein", "given": "J. H."}
    safer = Source.objects.get(slug="safer-clinical-systems-evaluation")
    assert (len(safer.contributors), safer.et_al) == (4, True)
    assert safer.authors == "Dixon-Woods M, Martin G, Tarrant C, Bion J, et al."
    website = Source.objects.get(slug="source4networks")
    assert website.contributors == [
        {"role": "author", "literal": "Sustainable Improvement Team, NHS England"}
    ]


def test_every_starter_source_has_a_summary_rationale_and_a_few_tags():
    seed()

    for source in Source.objects.prefetch_related("tags"):
        assert source.summary.strip(), source.slug
        assert source.rationale.strip(), source.slug
        tags = [tag.name for tag in source.tags.all()]
        assert 3 <= len(tags) <= 5, source.slug
        assert all(tag == tag.lower() for tag in tags), source.slug


def test_starter_sources_can_be_found_by_search():
    seed()

    found = Source.objects.approved().search("franchising")

    assert "social-franchising-and-licensing" in {source.slug for source in found}


def test_starter_summaries_are_not_copied_from_the_blog_post():
    if not BLOG_POST.exists():
        pytest.skip(f"the blog post is not beside the repository ({BLOG_POST})")
    post = words(BLOG_POST.read_text(encoding="utf-8"))
    runs = {tuple(post[i : i + 8]) for i in range(len(post) - 7)}

    for entry in STARTER_SOURCES:
        for field in ("summary", "rationale"):
            text = words(entry[field])
            copied = [" ".join(text[i : i + 8]) for i in range(len(text) - 7)]
            assert not [run for run in copied if tuple(run.split()) in runs], entry["slug"]
