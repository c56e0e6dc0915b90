"""Invented demo data at scale: members, sources, endorsements and discussions.

Used by `manage.py generate_demo_data` to see how the library behaves with thousands of sources
and a hundred thousand comments. Generation has two steps:

* make_plan() decides everything from the seed alone (random.Random(seed) and fixed dates, no
  database), referring to members, sources, themes and comments by their position in the plan;
* insert_plan() writes the plan with bulk_create in batches, maps positions to primary keys,
  then sets the denormalized counts exactly and (on PostgreSQL) the search vectors in bulk.

This module lives in the site app because it writes to both `sources` and `comments`.
"""

import bisect
import math
import random
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

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

from comments.markdown import render
from comments.models import Comment, Flag
from sources.keys import normalize_doi, normalize_url
from sources.models import SEARCH_CONFIG, Endorsement, ModerationEvent, Source, TaggedSource, Theme
from sources.page_cache import library_changed
from sources.perspectives import Perspective

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


# --- Vocabulary ---------------------------------------------------------------------------------


def _words(text):
    return text.split()


FIRST_NAMES = _words(
    "Amara Aisha Alex Ana Ben Bronwen Chen Chiara Chidi Dafydd Deepa Eilidh Elena Emeka Farah "
    "Fatima Finn Grace Hamza Hannah Ifeoma Imran Isla Jamal Jo Kai Kavita Kwame Lars Leila Lina "
    "Luca Maeve Malik Maria Mei Mohammed Nadia Niamh Noah Olu Omar Priya Rhys Rosa Ruth Sam Sanjay "
    "Sara Seren Siobhan Sofia Tariq Tom Uzma Wei Yusuf Zainab Zofia"
)
LAST_NAMES = _words(
    "Adebayo Ahmed Ali Anderson Bailey Banerjee Bell Campbell Chen Clarke Costa Davies Evans "
    "Fernandes Fraser Ghosh Gray Hughes Hussain Ibrahim Jones Kaur Kelly Khan Kowalski Lewis Lim "
    "Lindqvist MacLeod Martin Mensah Mitchell Morgan Murphy Nguyen Novak Okafor Osei O'Brien Patel "
    "Price Rahman Reid Roberts Rossi Shah Singh Smith Stewart Taylor Thomas Walker Wang Watson "
    "Williams Wilson Wright Young Zhang"
)
MEMBER_ORGANISATIONS = [
    "",
    "",
    "Leeds Teaching Hospitals NHS Trust",
    "NHS Greater Glasgow and Clyde",
    "Cardiff and Vale University Health Board",
    "Belfast Health and Social Care Trust",
    "Bristol, North Somerset and South Gloucestershire ICB",
    "University of Manchester",
    "A GP practice in Cornwall",
    "Healthwatch",
    "The Health Foundation",
    "NHS England",
    "Imperial College Healthcare NHS Trust",
    "A community pharmacy",
    "Local authority public health team",
    "Improvement Cymru",
    "Healthcare Improvement Scotland",
    "Patient and public involvement panel",
    "University of Leicester",
    "Mental health trust in the North West",
]
BIOS = [
    "",
    "",
    "",
    "Interested in how improvement spreads between teams.",
    "I lead quality improvement in a busy emergency department.",
    "Patient partner on several improvement projects; carer for my mother.",
    "Researcher in implementation science and health services.",
    "Nurse by background, now supporting frontline teams with improvement.",
    "Working on flow and discharge across our integrated care system.",
    "GP with an interest in population health and reducing inequalities.",
    "I coach teams in measurement for improvement.",
]

PERSPECTIVES = [choice for choice, _ in Perspective.choices] + [""]
PERSPECTIVE_WEIGHTS = [8, 14, 16, 12, 14, 12, 6, 4, 14]

OPENINGS = [
    "Spreading improvement",
    "Reducing avoidable harm",
    "Building improvement capability",
    "Co-designing services",
    "Measuring what matters",
    "Sustaining change",
    "Improving patient flow",
    "Reducing waiting times",
    "Making care safer",
    "Learning from excellence",
    "Tackling health inequalities",
    "Improving discharge",
    "Strengthening teamwork",
    "Engaging clinicians in improvement",
    "Scaling up successful pilots",
    "Reducing unwarranted variation",
    "Improving the experience of care",
    "Preventing pressure ulcers",
    "Reducing falls",
    "Improving sepsis recognition",
    "Redesigning outpatient care",
    "Supporting staff wellbeing",
    "Developing improvement leaders",
    "Aligning improvement with strategy",
    "Embedding continuous improvement",
    "Improving medicines safety",
    "Shortening length of stay",
    "Joining up health and social care",
    "Improving end-of-life care",
    "Reducing readmissions",
    "Improving access to mental health care",
    "Building a learning health system",
    "Listening to patients",
    "Designing for reliability",
    "Reducing hospital-acquired infections",
    "Improving handover",
    "Making improvement everyone's job",
    "Using data for improvement",
    "Improving maternity safety",
    "Getting evidence into practice",
]
MECHANISMS = [
    "through peer networks",
    "with patient partners",
    "using statistical process control",
    "through collaborative learning",
    "with frontline teams",
    "through quality improvement collaboratives",
    "using Plan-Do-Study-Act cycles",
    "through system-wide alignment",
    "with lean methods",
    "through experience-based co-design",
    "using a driver diagram",
    "through clinical audit and feedback",
    "with improvement coaches",
    "through board leadership",
    "using huddles and safety crosses",
    "through communities of practice",
    "with positive deviance",
    "using human factors",
    "through shared decision making",
    "with a national programme",
    "using digital dashboards",
    "through local ownership",
    "with Breakthrough Series collaboratives",
    "through distributed leadership",
    "using behavioural insights",
]
SETTINGS = [
    "in acute hospitals",
    "in primary care",
    "across integrated care systems",
    "in mental health services",
    "in community nursing",
    "in care homes",
    "in maternity units",
    "in emergency departments",
    "in general practice",
    "in children's services",
    "in intensive care",
    "in ambulance services",
    "in community pharmacy",
    "in surgical wards",
    "in the NHS",
    "in low-resource settings",
    "across a region",
    "in Scotland",
    "in Wales",
    "in Northern Ireland",
]
SUBTITLES = {
    Source.Kind.REPORT: [
        "a report",
        "lessons from a national programme",
        "what the evidence says",
        "an overview for boards",
        "findings and recommendations",
    ],
    Source.Kind.JOURNAL_ARTICLE: [
        "a mixed-methods study",
        "a qualitative study",
        "a stepped-wedge cluster randomised trial",
        "an interrupted time series analysis",
        "a cohort study",
        "a multi-site study",
    ],
    Source.Kind.SYSTEMATIC_REVIEW: [
        "a systematic review",
        "a scoping review",
        "a rapid evidence review",
        "a realist review",
        "a meta-analysis",
    ],
    Source.Kind.EVALUATION: [
        "a realist evaluation",
        "an independent evaluation",
        "a process evaluation",
        "an economic evaluation",
        "a formative evaluation",
    ],
    Source.Kind.CASE_STUDY: [
        "a case study",
        "a story from the front line",
        "how one trust did it",
        "what we learned",
        "a tale of two teams",
    ],
    Source.Kind.BOOK: ["a practical handbook", "a guide for leaders", "theory and practice"],
    Source.Kind.METHODOLOGY: [
        "a practical guide",
        "a toolkit",
        "a measurement framework",
        "a how-to guide",
        "templates and tools",
    ],
    Source.Kind.PROGRAMME: ["a programme overview", "the first two years", "programme theory"],
    Source.Kind.WEBSITE: ["resources for teams", "an online hub", "a learning library"],
    Source.Kind.BLOG_POST: ["reflections", "five things we learned", "a view from the ward"],
    Source.Kind.VIDEO: ["a webinar", "a recorded talk", "conference keynote"],
    Source.Kind.EVENT: ["a learning event", "a national conference", "a masterclass series"],
    Source.Kind.OTHER: ["a briefing", "notes", "a discussion paper"],
}
KINDS = list(SUBTITLES)
KIND_WEIGHTS = [16, 22, 8, 10, 10, 3, 8, 4, 4, 6, 4, 2, 3]
STANCES = [Source.Stance.REINFORCES, Source.Stance.REFINES, Source.Stance.CHALLENGES]
STANCE_WEIGHTS = [60, 30, 10]

SOURCE_ORGANISATIONS = [
    "The Health Foundation",
    "NHS England",
    "Institute for Healthcare Improvement",
    "The King's Fund",
    "Nuffield Trust",
    "Healthcare Improvement Scotland",
    "THIS Institute",
    "Improvement Cymru",
    "NIHR",
    "Royal College of Physicians",
    "Royal College of Nursing",
    "Academy of Medical Royal Colleges",
    "Public Health Scotland",
    "BMJ Quality & Safety",
    "Implementation Science",
    "Q community",
    "Kaiser Permanente",
    "Canadian Patient Safety Institute",
    "World Health Organization",
    "University of Oxford",
    "University College London",
    "Health Innovation Network",
]
ORGANISATION_WEIGHTS = [5, 5, 4, 4, 3, 3, 2, 2, 3, 1, 1, 1, 1, 3, 2, 2, 1, 1, 1, 2, 2, 1]

TAG_VOCABULARY = [
    # The starter library's tags, so demo sources share them.
    "perspectives",
    "skills",
    "safety",
    "evaluation",
    "capability",
    "quality improvement",
    "co-production",
    "patient engagement",
    "context",
    "system flow",
    "service design",
    "lean",
    "system levels",
    "alignment",
    "leadership",
    "culture",
    "data",
    "priorities",
    "organisation-wide improvement",
    "quality management",
    "power",
    "networks",
    "spread",
    "adoption",
    "scaling up",
    "knowledge sharing",
    "community building",
    "practical resources",
    # And more of the same kind.
    "measurement",
    "statistical process control",
    "PDSA",
    "human factors",
    "patient safety",
    "primary care",
    "mental health",
    "maternity",
    "emergency care",
    "care homes",
    "health inequalities",
    "digital",
    "workforce",
    "staff wellbeing",
    "teamwork",
    "collaboratives",
    "sustainability",
    "implementation",
    "realist evaluation",
    "systematic review",
    "co-design",
    "patient experience",
    "discharge",
    "infection prevention",
    "medicines safety",
    "clinical audit",
    "governance",
    "boards",
    "learning systems",
    "positive deviance",
    "behaviour change",
    "costs and value",
]

SUMMARY_OPENERS = [
    "This {kind} looks at how {group} {setting} used {method} to {aim}.",
    "Drawing on work {setting}, this {kind} describes {method} as a way to {aim}.",
    "A {kind} on what it takes to {aim} when {group} lead the work.",
    "The {kind} follows {group} {setting} over two years as they tried to {aim}.",
    "This {kind} asks why some teams manage to {aim} and others do not.",
]
SUMMARY_FINDINGS = [
    "It finds that {finding}.",
    "The authors conclude that {finding}.",
    "Its main lesson is that {finding}.",
    "The evidence suggests that {finding}.",
    "Teams involved reported that {finding}.",
]
SUMMARY_CLOSERS = [
    "It is useful for anyone planning similar work.",
    "Boards and senior leaders will find the final chapter especially relevant.",
    "The appendix includes measures and templates others can adapt.",
    "It is short and readable, with practical examples throughout.",
    "The limitations section is candid about what did not work.",
    "It pairs well with other sources on this theme.",
    "Patient partners contributed to the analysis and the write-up.",
    "It challenges the assumption that one method fits every setting.",
]
GROUPS = [
    "frontline teams",
    "ward managers",
    "patient partners",
    "improvement advisers",
    "GP practices",
    "nurses and allied health professionals",
    "junior doctors",
    "executive boards",
    "peer networks",
    "care home staff",
    "pharmacists",
    "commissioners",
]
METHODS = [
    "run charts and statistical process control",
    "Plan-Do-Study-Act cycles",
    "experience-based co-design",
    "a quality improvement collaborative",
    "daily safety huddles",
    "peer review and feedback",
    "lean value-stream mapping",
    "a shared improvement method",
    "structured patient feedback",
    "a driver diagram and family of measures",
]
AIMS = [
    "reduce harm",
    "spread a successful change",
    "cut waiting times",
    "improve discharge",
    "sustain gains after a project ends",
    "involve patients as equal partners",
    "align improvement with organisational priorities",
    "build improvement skills at every level",
    "reduce variation between sites",
    "make care more reliable",
]
FINDINGS = [
    "context matters more than the choice of method",
    "protected time for staff made the biggest difference",
    "patient partners changed which problems were tackled first",
    "gains faded where senior support was withdrawn",
    "peer networks spread ideas faster than formal programmes",
    "measurement helped only when teams owned their data",
    "small tests of change built confidence before scale-up",
    "alignment between teams and boards was the hardest part",
    "the most successful teams mixed clinical and managerial skills",
    "results varied widely between sites with similar resources",
]
RATIONALES = [
    "It gives practical detail that is often missing from reports like this.",
    "A candid account of what went wrong as well as right.",
    "One of the few studies that follows improvement beyond the first year.",
    "It brings patients' views into a debate usually held among professionals.",
    "It offers a different view from most sources in this theme.",
    "Useful evidence for anyone making the case for investment in improvement.",
    "",
]
DECLINE_REASONS = [
    "This is a marketing page rather than a source about improvement.",
    "It duplicates a source already in the library under another address.",
    "The link needs a subscription and no open version could be found.",
    "It is about clinical treatment rather than improving how care is delivered.",
]
CHANGES_REASONS = [
    "Please add the year and the organisation that published it.",
    "Could you say more in the summary about why it matters for this theme?",
    "The link goes to a landing page; please link to the document itself.",
    "Please choose the kind that fits best: this looks like an evaluation.",
]
HIDE_REASONS = [
    "Hidden: personal remarks about another member.",
    "Hidden: advertising.",
    "Hidden: details that could identify a patient.",
]

COMMENT_SENTENCES = [
    "We tried something very similar on our ward last year.",
    "This matches our experience almost exactly.",
    "I'd be interested to know how they measured the outcome.",
    "The section on sustaining the change is the most useful part for me.",
    "As a patient partner, I found the co-design chapter really encouraging.",
    "Has anyone used this approach in primary care?",
    "The sample is small, so I'd be cautious about generalising.",
    "Our board found the summary helpful when setting priorities.",
    "It's worth reading alongside the evaluation from the same programme.",
    "Context seems to explain more of the variation than the method does.",
    "We struggled with the data collection; it took far more time than planned.",
    "Protected time for staff was the thing that made it work for us.",
    "I disagree with the conclusion about scale-up: it depends on local ownership.",
    "Thanks for sharing this, it's exactly what I was looking for.",
    "The run charts in the appendix are a good example for teams starting out.",
    "Does anyone know if there is a follow-up study?",
    "This challenges some of what we were taught about spread.",
    "Our network shared this last month and it sparked a good discussion.",
    "I wonder how transferable this is outside acute care.",
    "The patient stories make the case far better than the statistics.",
    "We adapted the toolkit for community nursing with good results.",
    "Good to see the limitations discussed openly.",
    "The cost analysis would be useful for commissioners.",
    "I'd love to hear from anyone who has tried this in a care home.",
    "Leadership support came up again and again in our own review.",
]
MARKDOWN_EXTRAS = [
    "**The key point for me:** teams need time, not just tools.",
    "The *real* work starts after the pilot ends.",
    "What helped us:\n\n- a weekly huddle\n- one shared measure\n- a named sponsor on the board",
    "Three things we would do again:\n\n1. involve patients from day one\n2. test small\n"
    "3. share results openly",
    "> Improvement is a team sport.\n\nThat line from the report stuck with me.",
    "There's a good summary of the method at [the IHI website](https://www.ihi.org/).",
    "We tracked it with a simple `run chart` in a spreadsheet.",
    "See also the [NHS improvement guide](https://example.org/improvement-guide) on this.",
    # How the discussion treats raw HTML: shown as text, never passed through.
    "Someone asked whether <script>alert('hi')</script> gets through in comments: it shows as "
    "text.",
    "Raw HTML like <b>this</b> is shown as typed, which is reassuring.",
]


# --- The plan -----------------------------------------------------------------------------------


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


# --- Writing the plan ---------------------------------------------------------------------------


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
        transaction.on_commit(library_changed)
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
            self.timed("search vectors", lambda: refresh_search_vectors(self.source_pks))
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


# --- Denormalized counts and search vectors -----------------------------------------------------


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


def refresh_search_vectors(source_pks):
    """PostgreSQL: one UPDATE with the weights of SourceQuerySet.refresh_search_vectors
    (title A, tags B, authors and organisation B, summary C)."""
    if connection.vendor != "postgresql" or not source_pks:
        return
    source_table = connection.ops.quote_name(Source._meta.db_table)
    link_table = connection.ops.quote_name(TaggedSource._meta.db_table)
    tag_table = connection.ops.quote_name(Tag._meta.db_table)
    link_source = TaggedSource._meta.get_field("content_object").column
    link_tag = TaggedSource._meta.get_field("tag").column
    sql = f"""
        UPDATE {source_table} AS s SET search_vector =
            setweight(to_tsvector(%(config)s::regconfig, COALESCE(s.title, '')), 'A')
            || setweight(to_tsvector(%(config)s::regconfig, COALESCE((
                SELECT string_agg(t.name, ' ' ORDER BY l.id)
                FROM {link_table} AS l JOIN {tag_table} AS t ON t.id = l.{link_tag}
                WHERE l.{link_source} = s.id
            ), '')), 'B')
            || setweight(to_tsvector(%(config)s::regconfig,
                COALESCE(s.authors, '') || ' ' || COALESCE(s.organisation, '')), 'B')
            || setweight(to_tsvector(%(config)s::regconfig, COALESCE(s.summary, '')), 'C')
        WHERE s.id = ANY(%(pks)s)
    """  # noqa: S608  (table and column names come from the models, values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"config": SEARCH_CONFIG, "pks": list(source_pks)})
