import pytest

from sources.models import Theme

from .factories import SourceFactory, UserFactory


@pytest.fixture
def themes(db):
    """The three themes the data migration creates, in display order."""
    return list(Theme.objects.all())


@pytest.fixture
def theme(themes):
    return themes[0]


@pytest.fixture
def member(db):
    return UserFactory(username="member", display_name="Mia Member")


@pytest.fixture
def staff(db):
    return UserFactory(username="staff", is_staff=True, is_superuser=True)


@pytest.fixture
def source(theme):
    return SourceFactory(title="Skilled for improvement", themes=[theme], tags=["skills"])


@pytest.fixture
def make_source(theme):
    def make(**kwargs):
        kwargs.setdefault("themes", [theme])
        return SourceFactory(**kwargs)

    return make
