import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from sources.models import Source, Theme
from sources.starter import STARTER_SOURCES

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
    assert Source.objects.get(slug="source4networks").organisation == "NHS Improvement"


def test_missing_theme_stops_the_command_before_adding_anything():
    Theme.objects.filter(slug="peer-networks").delete()

    with pytest.raises(CommandError, match="peer-networks"):
        seed()

    assert not Source.objects.exists()


def test_starter_sources_carry_no_invented_url_year_or_doi():
    seed()

    assert not Source.objects.exclude(year=None).exists()
    assert not Source.objects.exclude(doi="").exists()
    with_url = Source.objects.exclude(url="")
    assert [(s.kind, s.stance) for s in with_url] == [("event", "refines")]
    event = with_url.get()
    assert event.url.startswith("https://q.health.org.uk/event/visit-to-healthcare-improvement")
    assert event.url_key
    assert [theme.slug for theme in event.themes.all()] == ["aligning-action"]


def test_starter_sources_name_only_the_people_the_post_names():
    seed()

    authors = set(Source.objects.exclude(authors="").values_list("authors", flat=True))
    assert authors == {
        "Mary Dixon-Woods, Michael West and colleagues",
        "Jeremy Heimans and Henry Timms",
        "Trish Greenhalgh",
    }


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
