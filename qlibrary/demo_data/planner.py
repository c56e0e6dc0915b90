"""make_plan(): every row of the demo data decided from the seed alone (random.Random(seed)
and fixed dates, no database), referring to members, sources, themes and comments by their
position in the plan."""

import bisect
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.utils.text import slugify

from comments.models import Comment, Flag
from sources.models import ModerationEvent, Source

from .words import (
    AIMS,
    BIOS,
    CHANGES_REASONS,
    COMMENT_SENTENCES,
    DECLINE_REASONS,
    FINDINGS,
    FIRST_NAMES,
    GROUPS,
    HIDE_REASONS,
    KIND_WEIGHTS,
    KINDS,
    LAST_NAMES,
    MARKDOWN_EXTRAS,
    MECHANISMS,
    MEMBER_ORGANISATIONS,
    METHODS,
    OPENINGS,
    ORGANISATION_WEIGHTS,
    PERSPECTIVE_WEIGHTS,
    PERSPECTIVES,
    RATIONALES,
    SETTINGS,
    SOURCE_ORGANISATIONS,
    STANCE_WEIGHTS,
    STANCES,
    SUBTITLES,
    SUMMARY_CLOSERS,
    SUMMARY_FINDINGS,
    SUMMARY_OPENERS,
    TAG_VOCABULARY,
)

BATCH_SIZE = 2000
DEMO_DOMAIN = "demo.example.org"
DEMO_PASSWORD = "demo-password"  # noqa: S105  (invented accounts on a demo database)
BODY_VARIANTS = 500
MODERATORS = 2

# Everything happens in the three years before this date, whatever day the command runs.
END = datetime(2026, 1, 1, tzinfo=UTC)
SPAN = 3 * 365 * 86400  # seconds
START = END - timedelta(seconds=SPAN)
DAY = 86400

STATUS_SHARES = [
    (Source.Status.APPROVED, 0.85),
    (Source.Status.PROPOSED, 0.08),
    (Source.Status.CHANGES_REQUESTED, 0.03),
    (Source.Status.DECLINED, 0.04),
]
THEME_COMMENT_SHARE = 0.05
REPLY_SHARE = 0.30
# Comment statuses other than visible, as shares of all comments.
DELETED_SHARE, HELD_SHARE, HIDDEN_SHARE = 0.015, 0.006, 0.003
# Pareto weights (how much discussion or endorsement a source draws) are capped, so that the
# busiest source has hundreds of comments, not a third of them.
MAX_WEIGHT = 150


class DemoDataError(Exception):
    """The request cannot be met; the message is meant for the person running the command."""


@dataclass(frozen=True)
class Counts:
    sources: int
    comments: int
    endorsements: int
    members: int

    def scaled(self, factor):
        return Counts(*(max(round(value * factor), 0) for value in self.as_tuple()))

    def as_tuple(self):
        return (self.sources, self.comments, self.endorsements, self.members)


DEFAULTS = Counts(sources=10_000, comments=100_000, endorsements=50_000, members=5_000)


class MemberSpec(NamedTuple):
    username: str
    email: str
    first_name: str
    last_name: str
    display_name: str
    organisation: str
    perspective: str
    bio: str
    joined: float  # seconds after START (negative: joined before)
    is_moderator: bool


class SourceSpec(NamedTuple):
    number: int
    title: str
    slug: str
    url: str
    doi: str
    authors: str
    organisation: str
    year: int | None
    kind: str
    stance: str
    summary: str
    rationale: str
    conflict_of_interest: str
    status: str
    proposer: int  # member index
    decided_by: int | None  # member index of a moderator
    created: float
    decided: float | None
    decision_reason: str
    themes: tuple[int, ...]  # theme indexes
    tags: tuple[str, ...]


class EndorsementSpec(NamedTuple):
    source: int  # source index
    member: int
    created: float


class CommentSpec(NamedTuple):
    theme: int | None  # theme index
    source: int | None  # source index
    parent: int | None  # comment index (always a top-level comment on the same target)
    author: int
    body: int | None  # body variant index; None for a deleted comment
    status: str
    moderation_reason: str
    created: float


class FlagSpec(NamedTuple):
    comment: int
    member: int
    reason: str
    created: float


class EventSpec(NamedTuple):
    source: int | None
    theme: int | None
    actor: int
    action: str
    from_status: str
    to_status: str
    reason: str
    created: float


@dataclass
class Plan:
    seed: int
    counts: Counts
    theme_count: int
    members: list[MemberSpec] = field(default_factory=list)
    sources: list[SourceSpec] = field(default_factory=list)
    endorsements: list[EndorsementSpec] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    comments: list[CommentSpec] = field(default_factory=list)
    flags: list[FlagSpec] = field(default_factory=list)
    events: list[EventSpec] = field(default_factory=list)


def make_plan(counts, *, seed, theme_count, flag_threshold=3):
    """Decide every row from the seed: the same arguments always give an equal plan."""
    _check_counts(counts, theme_count)
    rng = random.Random(seed)  # noqa: S311  (invented data, reproducible on purpose)
    plan = Plan(seed=seed, counts=counts, theme_count=theme_count)
    plan.members = _plan_members(rng, counts.members)
    joins = [member.joined for member in plan.members]
    activity = _cumulative([rng.paretovariate(1.5) for _ in plan.members])
    moderators = [i for i, member in enumerate(plan.members) if member.is_moderator]
    plan.sources = _plan_sources(rng, counts.sources, joins, moderators, theme_count)
    plan.endorsements = _plan_endorsements(rng, plan.sources, counts.endorsements, joins, activity)
    plan.bodies = comment_bodies(rng)
    plan.comments = _plan_comments(
        rng, plan.sources, counts.comments, theme_count, joins, activity, len(plan.bodies)
    )
    plan.flags = _plan_flags(rng, plan.comments, counts.members, flag_threshold)
    plan.events = _plan_events(rng, plan.sources, plan.comments, moderators)
    return plan


def _check_counts(counts, theme_count):
    if min(counts.as_tuple()) < 0:
        raise DemoDataError("Counts cannot be negative.")
    if counts.members < 1 and (counts.sources or counts.comments or counts.endorsements):
        raise DemoDataError("Sources, comments and endorsements need at least one member.")
    if counts.comments and not (theme_count or counts.sources):
        raise DemoDataError("Comments need a theme or a source to be written on.")
    if counts.endorsements and not counts.sources:
        raise DemoDataError("Endorsements need sources.")


def _cumulative(weights):
    total, cumulative = 0.0, []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return cumulative


def _pick(rng, cumulative, upto=None):
    """A weighted choice among the first `upto` items, from their cumulative weights."""
    upto = len(cumulative) if upto is None else upto
    return min(
        bisect.bisect_right(cumulative, rng.random() * cumulative[upto - 1], 0, upto), upto - 1
    )


def _member_before(rng, joins, activity, moment):
    """A member who had joined by `moment`, the more active ones more often."""
    return _pick(rng, activity, max(bisect.bisect_right(joins, moment), 1))


def _share_counts(total, shares):
    """Split `total` by shares exactly (largest remainder), so small runs still get a mix."""
    raw = [total * share for _, share in shares]
    counts = [math.floor(value) for value in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _plan_members(rng, number):
    # Join dates: moderators first (a year before the window opens), then everyone else spread
    # over the year before and the window itself; members are listed in the order they joined.
    joined = sorted(rng.uniform(-365 * DAY, SPAN - 60 * DAY) for _ in range(number))
    members = []
    for i in range(number):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        is_moderator = i < MODERATORS
        if is_moderator:
            username = f"demo-moderator-{i + 1}"
            moment = -400 * DAY + i * DAY
        else:
            username = f"demo-{slugify(first)}-{slugify(last)}-{i + 1}"
            moment = joined[i]
        members.append(
            MemberSpec(
                username=username,
                email=f"{username}@{DEMO_DOMAIN}",
                first_name=first,
                last_name=last,
                display_name=f"{first} {last}" if rng.random() < 0.9 else "",
                organisation=rng.choice(MEMBER_ORGANISATIONS),
                perspective=rng.choices(PERSPECTIVES, PERSPECTIVE_WEIGHTS)[0],
                bio=rng.choice(BIOS),
                joined=moment,
                is_moderator=is_moderator,
            )
        )
    return members


def _title(rng, kind):
    parts = [rng.choice(OPENINGS)]
    if rng.random() < 0.8:
        parts.append(rng.choice(MECHANISMS))
    if rng.random() < 0.6:
        parts.append(rng.choice(SETTINGS))
    title = " ".join(parts)
    if rng.random() < 0.85:
        title += f": {rng.choice(SUBTITLES[kind])}"
    return title


def _summary(rng, kind):
    label = Source.Kind(kind).label.lower()
    values = {
        "kind": label,
        "group": rng.choice(GROUPS),
        "setting": rng.choice(SETTINGS),
        "method": rng.choice(METHODS),
        "aim": rng.choice(AIMS),
        "finding": rng.choice(FINDINGS),
    }
    sentences = [rng.choice(SUMMARY_OPENERS).format(**values)]
    sentences.append(rng.choice(SUMMARY_FINDINGS).format(**values))
    sentences += rng.sample(SUMMARY_CLOSERS, rng.randint(0, 2))
    return " ".join(sentences)


def _authors(rng):
    if rng.random() < 0.3:
        return ""
    names = [
        f"{rng.choice(LAST_NAMES)} {rng.choice(FIRST_NAMES)[0]}" for _ in range(rng.randint(1, 4))
    ]
    if rng.random() < 0.15:
        names.append("et al.")
    return ", ".join(names)


def _plan_sources(rng, number, joins, moderators, theme_count):
    statuses = []
    for (status, _), amount in zip(
        STATUS_SHARES, _share_counts(number, STATUS_SHARES), strict=True
    ):
        statuses += [status] * amount
    rng.shuffle(statuses)
    # Open proposals are recent; decided ones spread over the whole window.
    created = [
        rng.uniform(SPAN - 60 * DAY, SPAN - DAY)
        if status in Source.OPEN_STATUSES
        else rng.uniform(0, SPAN - 30 * DAY)
        for status in statuses
    ]
    order = sorted(range(number), key=lambda i: created[i])
    theme_indexes = list(range(theme_count))
    seen_titles = set()
    sources = []
    for n, i in enumerate(order, start=1):
        status, moment = statuses[i], created[i]
        kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
        for _ in range(10):
            title = _title(rng, kind)
            if title not in seen_titles:
                break
        seen_titles.add(title)
        decided = decided_by = None
        reason = ""
        if status != Source.Status.PROPOSED:
            decided = min(moment + rng.uniform(0.2 * DAY, 21 * DAY), SPAN - 1)
            decided_by = rng.choice(moderators)
            if status == Source.Status.DECLINED:
                reason = rng.choice(DECLINE_REASONS)
            elif status == Source.Status.CHANGES_REQUESTED:
                reason = rng.choice(CHANGES_REASONS)
        has_doi = kind in (Source.Kind.JOURNAL_ARTICLE, Source.Kind.SYSTEMATIC_REVIEW)
        slug = _limit_slug(f"demo-{n}-{slugify(title)}")
        year = None if rng.random() < 0.1 else 2025 - int(35 * rng.random() ** 2)
        sources.append(
            SourceSpec(
                number=n,
                title=title,
                slug=slug,
                url=f"https://{DEMO_DOMAIN}/sources/{n}",
                doi=f"10.5555/qlibrary-demo.{n}" if has_doi and rng.random() < 0.7 else "",
                authors=_authors(rng),
                organisation=rng.choices(SOURCE_ORGANISATIONS, ORGANISATION_WEIGHTS)[0]
                if rng.random() < 0.85
                else "",
                year=year,
                kind=kind,
                stance=rng.choices(STANCES, STANCE_WEIGHTS)[0],
                summary=_summary(rng, kind),
                rationale=rng.choice(RATIONALES),
                conflict_of_interest="I am one of the authors." if rng.random() < 0.03 else "",
                status=status,
                proposer=rng.randrange(max(bisect.bisect_right(joins, moment), 1)),
                decided_by=decided_by,
                created=moment,
                decided=decided,
                decision_reason=reason,
                themes=tuple(
                    sorted(rng.sample(theme_indexes, min(_one_to_three(rng), theme_count)))
                ),
                tags=tuple(rng.sample(TAG_VOCABULARY, rng.randint(2, 5))),
            )
        )
    return sources


def _limit_slug(slug, length=120):
    """Cut a slug to the field's length at a word boundary."""
    if len(slug) <= length:
        return slug
    return slug[: length + 1].rsplit("-", 1)[0]


def _one_to_three(rng):
    return rng.choices((1, 2, 3), (60, 30, 10))[0]


def open_since(source):
    """When a source became open for endorsements and discussion (approval, or proposal)."""
    if source.status == Source.Status.APPROVED:
        return source.decided
    return source.created


def _plan_endorsements(rng, sources, number, joins, activity):
    if not number:
        return []
    eligible = [
        i
        for i, source in enumerate(sources)
        if source.status in (Source.Status.APPROVED, Source.Status.PROPOSED)
    ]
    members = len(joins)
    capacity = len(eligible) * (members - 1)
    if number > capacity:
        raise DemoDataError(
            f"{number} endorsements cannot fit: {len(eligible)} sources open for endorsement and "
            f"{members} members allow at most {capacity} (no member endorses twice or endorses "
            "their own proposal)."
        )
    # A few sources draw many endorsements; proposals, being recent, draw fewer.
    popularity = _cumulative(
        [
            min(rng.paretovariate(1.3), MAX_WEIGHT)
            * (1 if sources[i].status == Source.Status.APPROVED else 0.3)
            for i in eligible
        ]
    )
    taken = set()
    endorsements = []
    attempts = 0
    while len(endorsements) < number and attempts < 20 * number:
        attempts += 1
        s = eligible[_pick(rng, popularity)]
        source = sources[s]
        since = open_since(source)
        moment = rng.uniform(since, SPAN)
        m = _member_before(rng, joins, activity, moment)
        if m == source.proposer or (s, m) in taken:
            continue
        taken.add((s, m))
        endorsements.append(EndorsementSpec(s, m, moment))
    # Near capacity, random draws keep colliding: fill the rest by walking the free pairs.
    if len(endorsements) < number:
        for s in rng.sample(eligible, len(eligible)):
            source = sources[s]
            for m in rng.sample(range(members), members):
                if len(endorsements) == number:
                    break
                if m == source.proposer or (s, m) in taken:
                    continue
                since = max(open_since(source), joins[m])
                taken.add((s, m))
                endorsements.append(EndorsementSpec(s, m, rng.uniform(since, SPAN)))
    return endorsements


def comment_bodies(rng, number=BODY_VARIANTS):
    """A fixed set of comment texts, some with Markdown; rendered once each when inserting."""
    bodies = []
    for _ in range(number):
        sentences = rng.sample(COMMENT_SENTENCES, rng.choices((1, 2, 3, 4), (30, 35, 25, 10))[0])
        paragraphs = [" ".join(sentences)]
        if rng.random() < 0.3:
            extra = rng.choice(MARKDOWN_EXTRAS)
            paragraphs.insert(rng.randint(0, 1), extra)
        if rng.random() < 0.15:
            paragraphs.append(rng.choice(COMMENT_SENTENCES))
        bodies.append("\n\n".join(paragraphs))
    return bodies


def _plan_comments(rng, sources, number, theme_count, joins, activity, body_count):
    if not number:
        return []
    live = [i for i, source in enumerate(sources) if source.status in Source.LIVE_STATUSES]
    on_themes = round(number * THEME_COMMENT_SHARE) if theme_count else 0
    if not live:
        on_themes = number
    # Targets as (theme index, source index, open since); a few draw hundreds of comments,
    # a quarter of the sources none at all.
    targets = [(t, None, 0.0) for t in range(theme_count)]
    source_targets = [(None, i, open_since(sources[i])) for i in live]
    weights = []
    for _, i, _ in source_targets:
        quiet = rng.random() < 0.25
        approved = sources[i].status == Source.Status.APPROVED
        weight = min(rng.paretovariate(1.3), MAX_WEIGHT)
        weights.append(0.0 if quiet else weight * (1 if approved else 0.2))
    if source_targets and not any(weights):
        weights[0] = 1.0
    per_target = defaultdict(int)
    for _ in range(on_themes):
        per_target[rng.randrange(theme_count)] += 1
    if source_targets:
        cumulative = _cumulative(weights)
        for _ in range(number - on_themes):
            per_target[theme_count + _pick(rng, cumulative)] += 1
    targets += source_targets

    statuses = (
        [Comment.Status.DELETED] * round(number * DELETED_SHARE)
        + [Comment.Status.HELD] * round(number * HELD_SHARE)
        + [Comment.Status.HIDDEN] * round(number * HIDDEN_SHARE)
    )
    statuses += [Comment.Status.VISIBLE] * (number - len(statuses))
    rng.shuffle(statuses)

    comments = []
    for target_index in sorted(per_target):
        theme, source, since = targets[target_index]
        moments = sorted(rng.uniform(since, SPAN) for _ in range(per_target[target_index]))
        top_level = []
        for moment in moments:
            parent = None
            if top_level and rng.random() < REPLY_SHARE:
                parent = rng.choice(top_level)
            status = statuses[len(comments)]
            if parent is None:
                top_level.append(len(comments))
            comments.append(
                CommentSpec(
                    theme=theme,
                    source=source,
                    parent=parent,
                    author=_member_before(rng, joins, activity, moment),
                    body=None if status == Comment.Status.DELETED else rng.randrange(body_count),
                    status=status,
                    moderation_reason=rng.choice(HIDE_REASONS)
                    if status == Comment.Status.HIDDEN
                    else "",
                    created=moment,
                )
            )
    return comments


def _plan_flags(rng, comments, members, threshold):
    """Held comments carry enough open flags, from members other than the author."""
    flags = []
    reasons = [Flag.Reason.OFF_TOPIC, Flag.Reason.ABUSIVE, Flag.Reason.SPAM, Flag.Reason.OTHER]
    for c, comment in enumerate(comments):
        if comment.status != Comment.Status.HELD:
            continue
        flaggers = set()
        wanted = min(threshold, members - 1)
        while len(flaggers) < wanted:
            flaggers.add(rng.randrange(members))
            flaggers.discard(comment.author)
        reason = rng.choice(reasons)
        for m in sorted(flaggers):
            moment = rng.uniform(comment.created, SPAN)
            flags.append(FlagSpec(c, m, reason, moment))
    return flags


def _plan_events(rng, sources, comments, moderators):
    """The moderation log: each submission and decision, and each comment hidden."""
    Action = ModerationEvent.Action
    decision = {
        Source.Status.APPROVED: Action.APPROVE,
        Source.Status.DECLINED: Action.DECLINE,
        Source.Status.CHANGES_REQUESTED: Action.REQUEST_CHANGES,
    }
    events = []
    for s, source in enumerate(sources):
        events.append(
            EventSpec(
                s,
                None,
                source.proposer,
                Action.SUBMIT,
                "",
                Source.Status.PROPOSED,
                "",
                source.created,
            )
        )
        if source.status in decision:
            events.append(
                EventSpec(
                    s,
                    None,
                    source.decided_by,
                    decision[source.status],
                    Source.Status.PROPOSED,
                    source.status,
                    source.decision_reason,
                    source.decided,
                )
            )
    for comment in comments:
        if comment.status == Comment.Status.HIDDEN:
            moment = rng.uniform(comment.created, SPAN)
            events.append(
                EventSpec(
                    comment.source,
                    comment.theme,
                    rng.choice(moderators),
                    Action.HIDE_COMMENT,
                    "",
                    "",
                    comment.moderation_reason,
                    moment,
                )
            )
    return events
