"""generate(): writes a plan with bulk_create in batches, maps positions to primary keys, then
sets the denormalized counts exactly and (on PostgreSQL) the search vectors in bulk."""

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.text import slugify
from taggit.models import Tag

from comments.models import Comment, Flag
from qlibrary.cache import new_generation
from qlibrary.markdown import render
from sources.evidence.keys import normalize_doi, normalize_url
from sources.models import Endorsement, ModerationEvent, Source, TaggedSource, Theme

from .planner import (
    BATCH_SIZE,
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    START,
    DemoDataError,
    make_plan,
)
from .words import TAG_VOCABULARY


class Reporter:
    """Told about progress; the command prints it, tests ignore it."""

    def progress(self, phase, done, total):
        pass

    def finished(self, phase, total, seconds):
        pass


def at(offset):
    return START + timedelta(seconds=offset)


@contextmanager
def fixed_timestamps(*models):
    """Let bulk_create keep the planned created_at/updated_at instead of stamping now()."""
    fields = [
        f for model in models for f in model._meta.concrete_fields if getattr(f, "auto_now_add", 0)
    ]
    fields += [
        f for model in models for f in model._meta.concrete_fields if getattr(f, "auto_now", 0)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def demo_data_exists():
    User = get_user_model()
    return (
        User.objects.filter(email__iendswith=f"@{DEMO_DOMAIN}").exists()
        or Source.objects.filter(url__startswith=f"https://{DEMO_DOMAIN}/").exists()
    )


@dataclass
class Summary:
    counts: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    seconds: float = 0.0


def generate(counts, *, seed=1, reporter=None):
    """Plan and insert demo data in one transaction; refuse if demo data is already here."""
    started = time.monotonic()
    reporter = reporter or Reporter()
    with transaction.atomic():
        if demo_data_exists():
            raise DemoDataError(
                "Demo data is already here; use a fresh database (migrate, seed_library, then "
                "generate_demo_data)."
            )
        themes = list(Theme.objects.order_by("display_order", "pk").values_list("pk", flat=True))
        plan = make_plan(
            counts,
            seed=seed,
            theme_count=len(themes),
            flag_threshold=settings.COMMENT_FLAG_THRESHOLD,
        )
        summary = Summary()
        summary.timings["plan"] = time.monotonic() - started
        with fixed_timestamps(Source, Endorsement, ModerationEvent, Comment, Flag):
            _Inserter(plan, themes, reporter, summary).run()
        transaction.on_commit(new_generation)  # its rows carry made-up times
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Mark the new rows visible to all, as autovacuum soon would on a running site, so that
        # index-only scans (the evidence map's counts) need not read the table itself.
        vacuum_started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")
        summary.timings["vacuum"] = seconds = time.monotonic() - vacuum_started
        reporter.finished("vacuum", None, seconds)
    summary.seconds = time.monotonic() - started
    return summary


class _Inserter:
    def __init__(self, plan, theme_pks, reporter, summary):
        self.plan = plan
        self.theme_pks = theme_pks
        self.reporter = reporter
        self.summary = summary

    def run(self):
        self.password = make_password(DEMO_PASSWORD)
        self.member_pks = self.phase("members", self.plan.members, self.user)
        self.member_pk_by_email = {
            spec.email: pk for spec, pk in zip(self.plan.members, self.member_pks, strict=True)
        }
        self.phase("e-mail addresses", self.plan.members, self.email_address, model=EmailAddress)
        self.add_moderators()
        self.source_pks = self.phase("sources", self.plan.sources, self.source, model=Source)
        through = Source.themes.through
        theme_links = [(s, t) for s, spec in enumerate(self.plan.sources) for t in spec.themes]
        self.phase("source themes", theme_links, self.theme_link, model=through)
        tag_pks = self.tags()
        tag_links = [
            (s, tag_pks[name.lower()])
            for s, spec in enumerate(self.plan.sources)
            for name in spec.tags
        ]
        self.phase("source tags", tag_links, self.tag_link, model=TaggedSource)
        self.phase("endorsements", self.plan.endorsements, self.endorsement, model=Endorsement)
        self.comments()
        self.phase("flags", self.plan.flags, self.flag, model=Flag)
        self.phase("moderation events", self.plan.events, self.event, model=ModerationEvent)
        self.timed("counts", update_counts)
        if connection.vendor == "postgresql":
            self.timed(
                "search vectors",
                lambda: Source.objects.filter(pk__in=self.source_pks).refresh_search_vectors(),
            )
            # Fresh planner statistics: without them PostgreSQL guesses a bulk-filled table is
            # nearly empty and picks plans a hundred times slower.
            self.timed("planner statistics", analyze)

    def timed(self, phase, action):
        started = time.monotonic()
        action()
        self.finish(phase, None, started)

    def finish(self, phase, total, started):
        seconds = time.monotonic() - started
        self.summary.timings[phase] = seconds
        if total is not None:
            self.summary.counts[phase] = total
        self.reporter.finished(phase, total, seconds)

    def phase(self, phase, specs, build, model=None):
        """bulk_create the rows built from specs in batches; return their primary keys."""
        model = model or get_user_model()
        started = time.monotonic()
        pks = []
        total = len(specs)
        self.reporter.progress(phase, 0, total)
        for first in range(0, total, BATCH_SIZE):
            rows = [build(spec) for spec in specs[first : first + BATCH_SIZE]]
            pks += [row.pk for row in model.objects.bulk_create(rows, batch_size=BATCH_SIZE)]
            self.reporter.progress(phase, len(pks), total)
        self.finish(phase, total, started)
        return pks

    # Builders, one per kind of row.

    def user(self, spec):
        return get_user_model()(
            username=spec.username,
            email=spec.email,
            first_name=spec.first_name,
            last_name=spec.last_name,
            display_name=spec.display_name,
            organisation=spec.organisation,
            perspective=spec.perspective,
            bio=spec.bio,
            password=self.password,
            date_joined=at(spec.joined),
            is_active=True,
        )

    def email_address(self, spec):
        return EmailAddress(
            user_id=self.member_pk_by_email[spec.email],
            email=spec.email,
            verified=True,
            primary=True,
        )

    def add_moderators(self):
        moderators = [
            pk
            for spec, pk in zip(self.plan.members, self.member_pks, strict=True)
            if spec.is_moderator
        ]
        if not moderators:
            return
        group, created = Group.objects.get_or_create(name="Moderators")
        if created or not group.permissions.filter(codename="moderate_source").exists():
            content_type = ContentType.objects.get_for_model(Source)
            permission, _ = Permission.objects.get_or_create(
                codename="moderate_source",
                content_type=content_type,
                defaults={"name": "Can review proposals and decide on sources"},
            )
            group.permissions.add(permission)
        through = get_user_model().groups.through
        through.objects.bulk_create([through(user_id=pk, group_id=group.pk) for pk in moderators])

    def source(self, spec):
        created, decided = at(spec.created), spec.decided and at(spec.decided)
        return Source(
            title=spec.title,
            slug=spec.slug,
            url=spec.url,
            url_key=normalize_url(spec.url),
            doi=spec.doi,
            doi_key=normalize_doi(spec.doi),
            authors=spec.authors,
            organisation=spec.organisation,
            year=spec.year,
            kind=spec.kind,
            stance=spec.stance,
            summary=spec.summary,
            rationale=spec.rationale,
            conflict_of_interest=spec.conflict_of_interest,
            status=spec.status,
            proposer_id=self.member_pks[spec.proposer],
            decided_by_id=None if spec.decided_by is None else self.member_pks[spec.decided_by],
            decided_at=decided,
            decision_reason=spec.decision_reason,
            approved_at=decided if spec.status == Source.Status.APPROVED else None,
            created_at=created,
            updated_at=decided or created,
            record_updated_at=decided or created,
        )

    def theme_link(self, link):
        s, t = link
        return Source.themes.through(source_id=self.source_pks[s], theme_id=self.theme_pks[t])

    def tags(self):
        """Tag rows for the vocabulary: existing ones (case-insensitively) or new ones."""
        by_name = {name.lower(): pk for pk, name in Tag.objects.values_list("pk", "name")}
        slugs = set(Tag.objects.values_list("slug", flat=True))
        new = []
        for name in TAG_VOCABULARY:
            if name.lower() in by_name:
                continue
            base = slug = slugify(name)
            number = 2
            while slug in slugs:
                slug, number = f"{base}-{number}", number + 1
            slugs.add(slug)
            new.append(Tag(name=name, slug=slug))
        for tag in Tag.objects.bulk_create(new):
            by_name[tag.name.lower()] = tag.pk
        return by_name

    def tag_link(self, link):
        s, tag_pk = link
        return TaggedSource(content_object_id=self.source_pks[s], tag_id=tag_pk)

    def endorsement(self, spec):
        return Endorsement(
            source_id=self.source_pks[spec.source],
            member_id=self.member_pks[spec.member],
            created_at=at(spec.created),
        )

    def comments(self):
        """Top-level comments first, so replies can point at their parents' primary keys."""
        started = time.monotonic()
        self.rendered = [render(body) for body in self.plan.bodies]
        self.summary.timings["render bodies"] = time.monotonic() - started
        indexed = list(enumerate(self.plan.comments))
        top = [(c, spec) for c, spec in indexed if spec.parent is None]
        replies = [(c, spec) for c, spec in indexed if spec.parent is not None]
        self.comment_pks = {}
        total = len(indexed)
        self.reporter.progress("comments", 0, total)
        for group in (top, replies):
            for first in range(0, len(group), BATCH_SIZE):
                batch = group[first : first + BATCH_SIZE]
                rows = Comment.objects.bulk_create(
                    [self.comment(spec) for _, spec in batch], batch_size=BATCH_SIZE
                )
                for (c, _), row in zip(batch, rows, strict=True):
                    self.comment_pks[c] = row.pk
                self.reporter.progress("comments", len(self.comment_pks), total)
        self.finish("comments", total, started)

    def comment(self, spec):
        body = "" if spec.body is None else self.plan.bodies[spec.body]
        return Comment(
            theme_id=None if spec.theme is None else self.theme_pks[spec.theme],
            source_id=None if spec.source is None else self.source_pks[spec.source],
            parent_id=None if spec.parent is None else self.comment_pks[spec.parent],
            author_id=self.member_pks[spec.author],
            body=body,
            body_html="" if spec.body is None else self.rendered[spec.body],
            status=spec.status,
            moderation_reason=spec.moderation_reason,
            created_at=at(spec.created),
        )

    def flag(self, spec):
        return Flag(
            comment_id=self.comment_pks[spec.comment],
            member_id=self.member_pks[spec.member],
            reason=spec.reason,
            created_at=at(spec.created),
        )

    def event(self, spec):
        return ModerationEvent(
            source_id=None if spec.source is None else self.source_pks[spec.source],
            theme_id=None if spec.theme is None else self.theme_pks[spec.theme],
            actor_id=self.member_pks[spec.actor],
            action=spec.action,
            from_status=spec.from_status,
            to_status=spec.to_status,
            reason=spec.reason,
            created_at=at(spec.created),
        )


def _count_of(queryset, field_name):
    """A correlated subquery counting rows of `queryset` that point at the outer row."""
    return Coalesce(
        Subquery(
            queryset.filter(**{field_name: OuterRef("pk")})
            .order_by()
            .values(field_name)
            .annotate(number=Count("pk"))
            .values("number")
        ),
        0,
    )


def update_counts():
    """Set every source's and theme's denormalized counts exactly: one UPDATE per table."""
    visible = Comment.objects.filter(status=Comment.Status.VISIBLE)
    Source.objects.update(
        endorsement_count=_count_of(Endorsement.objects.all(), "source"),
        comment_count=_count_of(visible, "source"),
    )
    Theme.objects.update(comment_count=_count_of(visible, "theme"))


def analyze():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
