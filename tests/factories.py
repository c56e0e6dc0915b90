import factory
from django.utils import timezone

from comments.discussion import adjust_count
from comments.models import Comment
from qlibrary.markdown import render as render_markdown
from qlibrary.models import User
from sources.evidence.contributors import as_lines
from sources.evidence.keys import normalize_url
from sources.models import Source, Theme
from sources.proposals.forms import PUBLICATION_FIELDS


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    display_name = factory.Faker("name")
    password = factory.django.Password("a-long-test-password")


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"theme-{n}")
    title = factory.Sequence(lambda n: f"Theme {n}")
    summary = "A theme for tests."
    body = "What the theme is about."


class SourceFactory(factory.django.DjangoModelFactory):
    """An approved source by default; pass status= for proposals and other states."""

    class Meta:
        model = Source
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Evidence report number {n}")
    slug = factory.Sequence(lambda n: f"evidence-report-{n}")
    url = factory.Sequence(lambda n: f"https://example.org/reports/{n}")
    contributors = factory.LazyFunction(
        lambda: [{"role": "author", "family": "Author", "given": "A."}]
    )
    authors = "Author A"
    organisation = "The Example Trust"
    publisher = "The Example Trust"
    year = 2019
    kind = Source.Kind.REPORT
    stance = Source.Stance.REINFORCES
    summary = "Why this report matters to improvement work."
    status = Source.Status.APPROVED
    approved_at = factory.LazyFunction(timezone.now)
    url_key = factory.LazyAttribute(lambda source: normalize_url(source.url))

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)
        if create:
            Source.objects.filter(pk=self.pk).refresh_search_vectors()


def verify_email(user):
    """Give the user a verified primary allauth address: what makes an account a member."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def make_moderator(user):
    """Put a user in the Moderators group, creating the group if a flushed database lost it."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    content_type, _ = ContentType.objects.get_or_create(app_label="sources", model="source")
    permission, _ = Permission.objects.get_or_create(
        codename="moderate_source",
        content_type=content_type,
        defaults={"name": "Can review proposals and decide on sources"},
    )
    group, _ = Group.objects.get_or_create(name="Moderators")
    group.permissions.add(permission)
    user.groups.add(group)
    return user


class MemberFactory(UserFactory):
    """A signed-up user whose e-mail address is verified."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            verify_email(self)


class ModeratorFactory(MemberFactory):
    """A verified member in the Moderators group."""

    @factory.post_generation
    def moderators_group(self, create, extracted, **kwargs):
        if create:
            make_moderator(self)


class ProposalFactory(SourceFactory):
    """An open proposal awaiting a decision; pass proposer=."""

    title = factory.Sequence(lambda n: f"Proposed evidence {n}")
    slug = factory.Sequence(lambda n: f"proposed-evidence-{n}")
    url = factory.Sequence(lambda n: f"https://example.org/proposals/{n}")
    status = Source.Status.PROPOSED
    approved_at = factory.LazyAttribute(
        lambda source: timezone.now() if source.status == Source.Status.APPROVED else None
    )


def proposal_form_data(theme, **fields):
    """A valid POST body for the proposal and edit forms; keyword arguments override fields."""
    return {
        "title": "Spreading improvement through networks",
        "url": "https://example.org/spreading",
        "doi": "10.1136/bmjqs-2015-004315",
        "contributors": "Author, A.\nAuthor, B.",
        "publisher": "The Health Foundation",
        "year": "2020",
        "kind": Source.Kind.REPORT,
        "themes": [theme.pk],
        "tags": "networks, Spread",
        "summary": "How networks carry improvement from one place to another.",
        "stance": Source.Stance.REFINES,
        "rationale": "It is the best evidence we have on spread.",
        "conflict_of_interest": "",
        **fields,
    }


def review_form_data(source, decision, reason="", **changes):
    """The moderator's review POST body: the source as it stands (with changes) and a decision."""
    fields = {
        "title": source.title,
        "url": source.url,
        "doi": source.doi,
        "contributors": as_lines(source.contributors, source.et_al),
        **{name: getattr(source, name) or "" for name in PUBLICATION_FIELDS},
        "kind": source.kind,
        "summary": source.summary,
        "stance": source.stance,
        "rationale": source.rationale,
        "conflict_of_interest": source.conflict_of_interest,
        "tags": ", ".join(source.tags.names()),
        "themes": [theme.pk for theme in source.themes.all()],
        "confirm_not_duplicate": "on",
        **changes,
    }
    data = {f"source-{name}": value for name, value in fields.items()}
    data["decision-decision"] = decision
    data["decision-reason"] = reason
    return data


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment on a theme or source (pass theme= or source=); parent= makes it a reply.

    Like the discussion service, it keeps the target's comment_count equal to its visible
    comments, so tests can build discussions quickly and still check the counts.
    """

    class Meta:
        model = Comment

    author = factory.SubFactory(MemberFactory)
    body = factory.Sequence(lambda n: f"A thought on improvement, number {n}.")
    body_html = factory.LazyAttribute(lambda comment: render_markdown(comment.body))
    status = Comment.Status.VISIBLE

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        comment = super()._create(model_class, *args, **kwargs)
        if comment.status == Comment.Status.VISIBLE:
            adjust_count(comment.target, +1)
        return comment


def three_sources_out_of_order(theme):
    """Three sources in `theme` whose order by first author (Brown, Martin, Young) is not the
    order they are made in: for bibliographies that sort by author."""

    def person(family, given):
        return {"role": "author", "family": family, "given": given}

    return [
        SourceFactory(
            title="Zeal for quality",
            contributors=[person("Young", "K.")],
            authors="Young K",
            year=2020,
            themes=[theme],
        ),
        SourceFactory(
            title="Aims of care",
            contributors=[person("Brown", "A.")],
            authors="Brown A",
            year=2018,
            themes=[theme],
        ),
        SourceFactory(
            title="Measuring change",
            contributors=[person("Martin", "G.")],
            authors="Martin G",
            year=2015,
            themes=[theme],
        ),
    ]
