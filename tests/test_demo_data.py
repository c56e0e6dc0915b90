import io
from datetime import UTC, datetime

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F

from comments.models import Comment, Flag
from qlibrary.demo_data import DEMO_DOMAIN, Counts, comment_bodies, make_plan
from qlibrary.markdown import render
from sources.access import is_moderator
from sources.models import Endorsement, ModerationEvent, Source, Theme

pytestmark = pytest.mark.django_db

SMALL = Counts(sources=40, comments=300, endorsements=120, members=30)
SMALL_ARGS = ["--sources", "40", "--comments", "300", "--endorsements", "120", "--members", "30"]
SEED = 7
Status = Source.Status


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def generate(*args):
    out = io.StringIO()
    call_command("generate_demo_data", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def generated(debug):
    return generate(*SMALL_ARGS, "--seed", str(SEED))


def demo_sources():
    return Source.objects.filter(url__startswith=f"https://{DEMO_DOMAIN}/")


def demo_members():
    return get_user_model().objects.filter(email__endswith=f"@{DEMO_DOMAIN}")


def test_creates_the_numbers_asked_for(generated):
    assert demo_members().count() == 30
    assert (
        EmailAddress.objects.filter(user__in=demo_members(), verified=True, primary=True).count()
        == 30
    )
    assert demo_sources().count() == 40
    assert Endorsement.objects.count() == 120
    assert Comment.objects.count() == 300
    assert "Demo data added" in generated
    assert "sources: 40/40" in generated


def test_members_can_sign_in_and_two_moderate(generated, client):
    moderators = demo_members().filter(groups__name="Moderators")
    assert sorted(moderators.values_list("username", flat=True)) == [
        "demo-moderator-1",
        "demo-moderator-2",
    ]
    assert all(is_moderator(user) for user in moderators)
    assert client.login(username="demo-moderator-1", password="demo-password")


def test_statuses_are_mixed(generated):
    statuses = dict(demo_sources().values_list("status").annotate(n=Count("pk")))
    assert statuses == {
        Status.APPROVED: 34,
        Status.PROPOSED: 3,
        Status.CHANGES_REQUESTED: 1,
        Status.DECLINED: 2,
    }
    approved = demo_sources().filter(status=Status.APPROVED)
    assert not approved.filter(approved_at__isnull=True).exists()
    assert not demo_sources().exclude(status=Status.APPROVED).filter(approved_at__isnull=False)
    # Each decision is in the moderation log, by a moderator.
    decisions = ModerationEvent.objects.filter(action__in=ModerationEvent.DECISIONS)
    assert decisions.count() == 37
    assert all(is_moderator(event.actor) for event in decisions.select_related("actor"))


def test_sources_have_unique_keys_themes_and_tags(generated):
    sources = demo_sources().annotate(
        theme_count=Count("themes", distinct=True), tag_count=Count("tags", distinct=True)
    )
    for source in sources:
        assert 1 <= source.theme_count <= 3
        assert 2 <= source.tag_count <= 5
        assert source.slug.startswith("demo-")
        assert len(source.slug) <= 120
        assert source.url_key == source.url.removeprefix("https://")
        assert source.proposer.email.endswith(DEMO_DOMAIN)
    assert len({source.url_key for source in sources}) == 40


def test_denormalized_counts_are_exact(generated):
    for source in Source.objects.all():
        assert source.endorsement_count == source.endorsements.count()
        assert source.comment_count == source.comments.filter(status="visible").count()
    for theme in Theme.objects.all():
        assert theme.comment_count == theme.comments.filter(status="visible").count()
    assert sum(Source.objects.values_list("endorsement_count", flat=True)) == 120
    visible = Comment.objects.filter(status="visible").count()
    assert 0 < visible < 300
    assert (
        sum(Source.objects.values_list("comment_count", flat=True))
        + sum(Theme.objects.values_list("comment_count", flat=True))
        == visible
    )


def test_endorsements_follow_the_rules(generated):
    assert not Endorsement.objects.filter(member=F("source__proposer")).exists()
    assert not Endorsement.objects.exclude(
        source__status__in=[Status.APPROVED, Status.PROPOSED]
    ).exists()


def test_discussions_are_threaded_and_uneven(generated):
    comments = Comment.objects.all()
    on_themes = comments.filter(theme__isnull=False).count()
    assert on_themes == 15  # 5 %
    assert not comments.filter(source__status__in=[Status.DECLINED]).exists()
    replies = comments.filter(parent__isnull=False).select_related("parent")
    assert 0.15 < replies.count() / 300 < 0.4
    for reply in replies:
        assert reply.parent.parent_id is None
        assert (reply.parent.source_id, reply.parent.theme_id) == (reply.source_id, reply.theme_id)
        assert reply.parent.created_at <= reply.created_at
    per_source = sorted(
        Source.objects.annotate(n=Count("comments")).values_list("n", flat=True), reverse=True
    )
    assert per_source[0] >= 5 * per_source[len(per_source) // 2]
    # A few comments are not visible: deleted ones have no text; held ones carry open flags.
    assert comments.filter(status="deleted").exclude(body="").count() == 0
    assert comments.exclude(status="visible").exists()
    for held in comments.filter(status="held"):
        assert held.flags.filter(dismissed_at__isnull=True).count() >= 3
        assert not held.flags.filter(member=held.author).exists()
    assert Flag.objects.exists()


def test_everything_happens_before_2026(generated):
    cutoff = datetime(2026, 1, 1, tzinfo=UTC)
    assert not demo_sources().filter(created_at__gte=cutoff).exists()
    assert not Comment.objects.filter(created_at__gte=cutoff).exists()
    assert not Comment.objects.filter(source__approved_at__gt=F("created_at")).exists()
    assert not Endorsement.objects.filter(created_at__gte=cutoff).exists()


def test_comment_html_is_rendered_and_sanitized(generated):
    for comment in Comment.objects.exclude(status="deleted"):
        assert comment.body_html == render(comment.body)
        assert "<script" not in comment.body_html
    bodies = [body for body in comment_bodies(__import__("random").Random(1)) if "<script>" in body]
    assert bodies, "some generated comments try raw HTML"
    assert all("&lt;script&gt;" in render(body) for body in bodies)


def test_the_same_seed_plans_the_same_data():
    first = make_plan(SMALL, seed=SEED, theme_count=3)
    again = make_plan(SMALL, seed=SEED, theme_count=3)
    other = make_plan(SMALL, seed=SEED + 1, theme_count=3)
    assert first == again
    assert [s.title for s in first.sources] != [s.title for s in other.sources]


def test_the_database_holds_the_plan(generated):
    plan = make_plan(SMALL, seed=SEED, theme_count=Theme.objects.count())
    assert list(demo_sources().order_by("pk").values_list("title", flat=True)) == [
        spec.title for spec in plan.sources
    ]
    assert list(demo_members().order_by("pk").values_list("username", flat=True)) == [
        spec.username for spec in plan.members
    ]


def test_scale_multiplies_the_defaults_and_flags_override(debug):
    generate("--scale", "0.002", "--members", "15")
    assert demo_sources().count() == 20
    assert demo_members().count() == 15
    assert Endorsement.objects.count() == 100
    assert Comment.objects.count() == 200


def test_adds_to_what_is_there(debug, source):
    source.refresh_from_db()
    generate("--scale", "0.002")
    assert Source.objects.filter(pk=source.pk, title=source.title).exists()


def test_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off, so this looks like production"):
        generate(*SMALL_ARGS)
    assert not demo_sources().exists()
    generate(*SMALL_ARGS, "--force")
    assert demo_sources().count() == 40


def test_refuses_a_second_run(generated):
    with pytest.raises(CommandError, match="Demo data is already here"):
        generate(*SMALL_ARGS, "--seed", str(SEED))
    assert demo_sources().count() == 40
    assert Comment.objects.count() == 300


def test_refuses_more_endorsements_than_can_fit(debug):
    with pytest.raises(CommandError, match="cannot fit"):
        generate("--sources", "2", "--members", "3", "--endorsements", "50", "--comments", "0")
    assert not demo_members().exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search on PostgreSQL")
def test_search_finds_generated_sources(generated):
    source = demo_sources().filter(status=Status.APPROVED).order_by("pk").first()
    assert source.search_vector is not None
    assert source in Source.objects.approved().search(source.title)
    word = max(source.title.replace(":", " ").split(), key=len)
    assert source in Source.objects.search(word)
    tag = source.tags.first().name
    assert source in Source.objects.search(tag)
    assert not demo_sources().filter(search_vector__isnull=True).exists()
