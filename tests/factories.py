import factory
from django.utils import timezone

from qlibrary.models import User
from sources.keys import normalize_url
from sources.models import Source, Theme


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
    authors = "A. Author"
    organisation = "The Example Trust"
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
