"""A theme's "Start here": the public lists moderators feature on its page, read with the theme's
own row, so that a theme page costs no query more for them, and shown on the very next read after
any change to them, whether whole pages are cached or only their parts."""

import pytest

from sources.lists import services
from sources.lists.models import ReadingList

from .factories import MemberFactory, SourceFactory

pytestmark = pytest.mark.django_db

CACHING = pytest.mark.parametrize(
    "page_cache", [True, False], ids=["whole pages cached", "parts cached"]
)
Visibility = ReadingList.Visibility


def read(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def start_here(page):
    """The "Start here" section of a theme page, or "" when it has none."""
    if 'id="start-here-heading"' not in page:
        return ""
    start = page.index('id="start-here-heading"')
    return page[start : page.index("</section>", start)]


@pytest.fixture
def owner(db):
    return MemberFactory(username="olu", display_name="Olu Owner")


@pytest.fixture
def public_list(owner, theme):
    return services.create_list(
        owner=owner,
        title="Begin with these",
        visibility=Visibility.PUBLIC,
        sources=[SourceFactory(themes=[theme]), SourceFactory(themes=[theme])],
    )


@CACHING
def test_featuring_and_hiding_a_list_shows_on_the_next_read(
    client, settings, page_cache, theme, public_list, moderator
):
    settings.PAGE_CACHE = page_cache
    url = theme.get_absolute_url()
    assert start_here(read(client, url)) == ""

    services.feature_list(reading_list=public_list, theme=theme, moderator=moderator)
    shown = start_here(read(client, url))
    assert "Begin with these" in shown and public_list.get_absolute_url() in shown
    assert "by Olu Owner" in shown and "2 sources" in shown

    services.hide_list(reading_list=public_list, moderator=moderator, reason="Advertising")
    assert start_here(read(client, url)) == ""


@CACHING
def test_a_featured_list_s_changes_show_on_the_next_read(
    client, settings, page_cache, theme, public_list, moderator, owner, member
):
    """Its title, its owner's name, its counts of sources and followers; made private, it
    leaves; no longer featured, too."""
    settings.PAGE_CACHE = page_cache
    url = theme.get_absolute_url()
    services.feature_list(reading_list=public_list, theme=theme, moderator=moderator)
    assert "Begin with these" in start_here(read(client, url))

    services.update_list(
        reading_list=public_list, title="Read these first", introduction="", visibility="public"
    )
    assert "Read these first" in start_here(read(client, url))

    services.add_source(reading_list=public_list, source=SourceFactory(themes=[theme]))
    assert "3 sources" in start_here(read(client, url))
    services.remove_item(item=public_list.items.order_by("position").first())
    assert "2 sources" in start_here(read(client, url))

    services.set_follow(member=member, reading_list=public_list, follow=True)
    assert "1 follower" in start_here(read(client, url))

    owner.display_name = "Olu Renamed"
    owner.save()
    assert "by Olu Renamed" in start_here(read(client, url))

    services.update_list(
        reading_list=public_list, title="Read these first", introduction="", visibility="private"
    )
    assert start_here(read(client, url)) == ""

    services.update_list(
        reading_list=public_list, title="Read these first", introduction="", visibility="public"
    )
    assert "Read these first" in start_here(read(client, url))
    services.feature_list(reading_list=public_list, theme=theme, moderator=moderator, feature=False)
    assert start_here(read(client, url)) == ""


@pytest.mark.parametrize("featured", [0, 4])
def test_a_theme_page_reads_its_featured_lists_with_its_row(
    client, theme, moderator, featured, assert_db_queries
):
    """The same queries however many lists it features (and a private or hidden one among
    them is not shown); read again from its kept parts, none of them."""
    owners = [MemberFactory() for _ in range(featured)]
    lists = [
        services.create_list(owner=owner, title=f"List {n}", visibility=Visibility.PUBLIC)
        for n, owner in enumerate(owners)
    ]
    for reading_list in lists:
        services.feature_list(reading_list=reading_list, theme=theme, moderator=moderator)
    if lists:
        services.hide_list(reading_list=lists[0], moderator=moderator, reason="Spam")
        services.update_list(
            reading_list=lists[1], title="List 1", introduction="", visibility="private"
        )
    url = theme.get_absolute_url()

    # The page's key, the theme's row with its lists, the filter options (kinds, themes, tags,
    # years), the count and the page's count, and the discussion's latest threads (none: no
    # replies read).
    with assert_db_queries(9):
        page = read(client, url)

    shown = start_here(page)
    assert [n for n in range(featured) if f"List {n}<" in shown] == list(range(2, featured))
    if featured:  # the latest featured first
        assert shown.index("List 3<") < shown.index("List 2<")

    with assert_db_queries(1):  # its key: the page is stored under it
        read(client, url)
