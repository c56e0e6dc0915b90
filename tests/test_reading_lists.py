"""Reading lists: saved from the selection, ordered and annotated by their owner without
JavaScript, shared by link or in public, copied and followed, their sources' fate shown."""

import bibtexparser
import pytest
import rispy
from django.urls import reverse

from sources.lists import services
from sources.lists.models import ListChange, ListFollow, ListItem, ReadingList
from sources.models import ModerationEvent, Source

from .factories import MemberFactory, ProposalFactory, SourceFactory, three_sources_out_of_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(theme):
    return three_sources_out_of_order(theme)


@pytest.fixture
def public_list(other_member, three):
    return services.create_list(
        owner=other_member,
        title="Start with these",
        introduction="Read *these* first. <script>alert(1)</script>",
        visibility=ReadingList.Visibility.PUBLIC,
        sources=three,
    )


def titles_in_order(html, sources):
    return sorted(sources, key=lambda source: html.index(source.title))


def test_a_member_saves_the_selection_as_a_list_and_makes_it_public_with_notes(
    client, member, three
):
    client.force_login(member)
    for source in three:
        client.post("/basket/add/", {"source": source.slug}, HTTP_ACCEPT="application/json")
    response = client.post("/basket/save/")
    reading_list = ReadingList.objects.get(owner=member)
    assert response.url == f"/lists/{reading_list.slug}/edit/"
    assert [item.source for item in reading_list.items.all()] == three
    assert reading_list.visibility == "private"

    item = reading_list.items.get(source=three[1])
    client.post(
        f"/lists/{reading_list.slug}/items/{item.pk}/note/",
        {f"item-{item.pk}-note": "For the aims."},
    )
    client.post(
        f"/lists/{reading_list.slug}/edit/",
        {"title": "Our path", "introduction": "Hello **all**", "visibility": "public"},
    )
    reading_list.refresh_from_db()
    assert reading_list.title == "Our path" and reading_list.visibility == "public"
    assert reading_list.introduction_html == "<p>Hello <strong>all</strong></p>"

    client.logout()
    html = client.get(reading_list.get_absolute_url()).content.decode()
    assert "For the aims." in html and "<strong>all</strong>" in html
    assert "/lists/" in client.get("/lists/").content.decode()
    assert "Our path" in client.get("/lists/").content.decode()


def test_the_owner_reorders_without_javascript(client, other_member, public_list, three):
    client.force_login(other_member)
    last = public_list.items.get(source=three[2])
    client.post(f"/lists/{public_list.slug}/items/{last.pk}/up/")
    client.post(f"/lists/{public_list.slug}/items/{last.pk}/up/")
    client.post(f"/lists/{public_list.slug}/items/{last.pk}/up/")  # at the top: nothing
    assert [item.source for item in public_list.items.all()] == [three[2], three[0], three[1]]
    first = public_list.items.get(source=three[2])
    client.post(f"/lists/{public_list.slug}/items/{first.pk}/down/")
    assert [item.source for item in public_list.items.all()] == [three[0], three[2], three[1]]
    html = client.get(public_list.get_absolute_url(), {"style": "vancouver"}).content.decode()
    body = html[html.index('id="bibliography-text"') :]
    assert titles_in_order(body, three) == [three[0], three[2], three[1]]


def test_the_introduction_never_becomes_markup(client, public_list):
    html = client.get(public_list.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html and "<em>these</em>" in html


def test_a_member_copies_a_public_list_with_its_notes(client, member, public_list, three):
    ListItem.objects.filter(reading_list=public_list, source=three[0]).update(note="Start here")
    client.force_login(member)
    response = client.post(f"/lists/{public_list.slug}/copy/")
    copy = ReadingList.objects.get(owner=member)
    assert response.url == f"/lists/{copy.slug}/edit/"
    assert copy.visibility == "private" and copy.copied_from == public_list
    assert [(item.source, item.note) for item in copy.items.all()] == [
        (three[0], "Start here"),
        (three[1], ""),
        (three[2], ""),
    ]


def test_a_member_follows_a_public_list_and_its_changes_are_recorded(
    client, member, public_list, theme
):
    client.force_login(member)
    client.post(f"/lists/{public_list.slug}/follow/")
    client.post(f"/lists/{public_list.slug}/follow/")
    public_list.refresh_from_db()
    assert ListFollow.objects.filter(member=member).count() == 1
    assert public_list.follower_count == 1
    services.add_source(
        reading_list=public_list, source=SourceFactory(title="New one", themes=[theme])
    )
    assert ListChange.objects.filter(reading_list=public_list, source_title="New one").exists()
    assert "Start with these" in client.get("/lists/").content.decode()
    client.post(f"/lists/{public_list.slug}/follow/", {"follow": "0"})
    public_list.refresh_from_db()
    assert public_list.follower_count == 0


def test_a_private_list_is_a_404_for_others_and_a_shared_one_opens_with_its_key(
    client, member, other_member, three
):
    private = services.create_list(owner=other_member, title="Mine", sources=three)
    shared = services.create_list(
        owner=other_member, title="Shared", visibility="link", sources=three
    )
    client.force_login(member)
    assert client.get(private.get_absolute_url()).status_code == 404
    assert client.get(shared.get_absolute_url()).status_code == 404
    assert client.get(shared.get_absolute_url(), {"key": "guess"}).status_code == 404
    page = client.get(shared.share_url).content.decode()
    assert three[0].title in page
    ris = client.get(f"/lists/{shared.slug}/export/ris/", {"key": shared.share_key})
    assert len(rispy.loads(ris.content.decode())) == 3
    assert "Shared" not in client.get("/lists/").content.decode()


def test_a_private_list_holds_the_owners_proposal_unseen_by_others(
    client, proposer, member, theme, three
):
    proposal = ProposalFactory(title="My open idea", proposer=proposer, themes=[theme])
    reading_list = services.create_list(owner=proposer, title="Drafts", sources=three[:1])
    services.add_source(reading_list=reading_list, source=proposal)
    assert reading_list.items.count() == 2

    with pytest.raises(services.ListRefused, match="open proposals"):
        services.update_list(
            reading_list=reading_list, title="Drafts", introduction="", visibility="public"
        )
    someone_elses = ProposalFactory(title="Not mine", proposer=member, themes=[theme])
    with pytest.raises(services.ListRefused, match="Only sources in the library"):
        services.add_source(reading_list=reading_list, source=someone_elses)

    client.force_login(proposer)
    assert "My open idea" in client.get(reading_list.get_absolute_url()).content.decode()


def test_a_source_that_leaves_the_library_stays_as_a_note(client, public_list, three):
    Source.objects.filter(pk=three[1].pk).update(
        status=Source.Status.RETIRED, decision_reason="Out of date"
    )
    html = client.get(public_list.get_absolute_url()).content.decode()
    assert "Aims of care" in html and "No longer in the library: Out of date." in html
    bib = client.get(f"/lists/{public_list.slug}/export/bibtex/").content.decode()
    assert [entry["title"] for entry in bibtexparser.parse_string(bib).entries] == [
        three[0].title,
        three[2].title,
    ]
    three[2].delete()
    html = client.get(public_list.get_absolute_url()).content.decode()
    assert "Measuring change" in html and html.count("No longer in the library") == 2


def test_a_list_item_carries_its_sources_banners(client, public_list, three):
    Source.objects.filter(pk=three[0].pk).update(alert=Source.Alert.RETRACTED)
    Source.objects.filter(pk=three[1].pk).update(superseded_by=three[2])
    html = client.get(public_list.get_absolute_url()).content.decode()
    assert "<strong>Retracted.</strong>" in html
    assert "<strong>Superseded.</strong>" in html


def test_limits_say_so_and_change_nothing(member, three, monkeypatch):
    monkeypatch.setattr(services, "ITEMS_PER_LIST", 2)
    reading_list = services.create_list(owner=member, title="Small", sources=three[:2])
    with pytest.raises(services.ListRefused, match="at most 2 sources"):
        services.add_source(reading_list=reading_list, source=three[2])
    assert reading_list.items.count() == 2
    monkeypatch.setattr(services, "LISTS_PER_MEMBER", 1)
    with pytest.raises(services.ListRefused, match="already have 1 reading lists"):
        services.create_list(owner=member, title="Another")


@pytest.mark.parametrize("title", ["new", "mine", "Feed", "export"])
def test_slugs_never_take_a_site_address_or_another_lists(member, title):
    first = services.create_list(owner=member, title=title)
    second = services.create_list(owner=member, title=title)
    assert first.slug not in services.RESERVED_SLUGS
    assert first.slug != second.slug
    assert reverse("lists:detail", args=[first.slug]) not in (
        reverse("lists:mine"),
        "/lists/new/",
    )


def test_the_atom_feed_lists_the_sources(client, public_list, three):
    response = client.get(f"/lists/{public_list.slug}/feed/")
    text = response.content.decode()
    assert response["Content-Type"].startswith("application/atom+xml")
    assert all(source.title in text for source in three)


def test_a_moderator_hides_a_spammy_list_with_a_reason_in_the_public_log(
    client, moderator, public_list
):
    client.force_login(moderator)
    refused = client.post(f"/lists/{public_list.slug}/hide/", {"reason": ""}, follow=True)
    assert "Say why" in refused.content.decode()
    client.post(f"/lists/{public_list.slug}/hide/", {"reason": "Advertising"})
    public_list.refresh_from_db()
    assert public_list.is_hidden and public_list.hidden_reason == "Advertising"
    client.logout()
    assert client.get(public_list.get_absolute_url()).status_code == 404
    assert "Start with these" not in client.get("/lists/").content.decode()
    log = client.get("/moderation/log/").content.decode()
    assert "Hid a reading list" in log and "Start with these" in log and "Advertising" in log
    assert public_list.get_absolute_url() not in log
    event = ModerationEvent.objects.get(reading_list=public_list)
    assert (event.action, event.actor, event.reason) == (
        ModerationEvent.Action.HIDE_LIST,
        moderator,
        "Advertising",
    )


def test_a_moderator_features_a_list_on_a_theme(client, moderator, public_list, theme):
    client.force_login(moderator)
    client.post(f"/lists/{public_list.slug}/feature/", {"theme": theme.pk})
    assert public_list.features.filter(theme=theme).exists()
    event = ModerationEvent.objects.get(theme=theme)
    assert (event.action, event.reading_list, event.reading_list_title, event.actor) == (
        ModerationEvent.Action.FEATURE_LIST,
        public_list,
        "Start with these",
        moderator,
    )
    client.logout()
    page = client.get(theme.get_absolute_url()).content.decode()
    assert "Start here" in page and public_list.get_absolute_url() in page
    log = client.get("/moderation/log/").content.decode()
    assert "Featured a reading list" in log and public_list.get_absolute_url() in log


@pytest.mark.parametrize("number", [1, 20])
def test_a_list_page_runs_the_same_queries_for_few_and_many(
    client, theme, number, assert_db_queries
):
    owner = MemberFactory(username="owner")
    sources = [SourceFactory(themes=[theme], tags=["t"]) for _ in range(number)]
    reading_list = services.create_list(
        owner=owner, title="Big", visibility="public", sources=sources
    )
    with assert_db_queries(4):  # its key, the list, its items with their sources, their notices
        first = client.get(reading_list.get_absolute_url())
    # Read again, its row, sources and bibliography are fragments under the list's key.
    with assert_db_queries(1):
        response = client.get(reading_list.get_absolute_url())
    assert response.content == first.content
    assert response.content.decode().count('class="list-item"') == number
    assert f"<span>{number} source{'s' if number > 1 else ''}</span>" in response.content.decode()


@pytest.mark.parametrize("number", [1, 20])
def test_the_owner_reads_their_list_in_the_same_queries_for_few_and_many(
    client, theme, number, assert_db_queries
):
    owner = MemberFactory(username="owner")
    sources = [SourceFactory(themes=[theme]) for _ in range(number)]
    proposal = SourceFactory(status=Source.Status.PROPOSED, proposer=owner)
    reading_list = services.create_list(owner=owner, title="Mine", sources=[*sources, proposal])
    client.force_login(owner)
    client.get(reading_list.get_absolute_url())
    # The member, the list's key, whether they follow it: its row is a fragment, and its
    # sources and their bibliography one of the owner's own (with their open proposal).
    with assert_db_queries(3):
        page = client.get(reading_list.get_absolute_url()).content.decode()
    assert page.count('class="list-item"') == number + 1 and proposal.title in page
    client.logout()
    assert proposal.title not in client.get(reading_list.get_absolute_url()).content.decode()


@pytest.mark.parametrize("number", [1, 20])
def test_the_lists_index_runs_the_same_queries_for_few_and_many(
    client, three, number, assert_db_queries
):
    for index in range(number):
        services.create_list(
            owner=MemberFactory(), title=f"List {index}", visibility="public", sources=three
        )
    with assert_db_queries(2):
        response = client.get("/lists/")
    assert response.content.decode().count('class="card list-card"') == number


def test_a_members_own_data_holds_their_lists_and_notes(
    client, other_member, public_list, three, settings
):
    ListItem.objects.filter(reading_list=public_list, source=three[0]).update(note="First")
    client.force_login(other_member)
    data = client.get(reverse("download_my_data")).json()["reading_lists"]
    assert [entry["title"] for entry in data["lists"]] == ["Start with these"]
    assert data["lists"][0]["items"][0] == {
        "title": three[0].title,
        "page": settings.SITE_URL.rstrip("/") + three[0].get_absolute_url(),
        "note": "First",
        "added": data["lists"][0]["items"][0]["added"],
    }


def test_what_a_lists_row_shows_changes_on_the_next_read(client, three):
    owner = MemberFactory(username="owner", display_name="Olive Owner")
    reading_list = services.create_list(
        owner=owner, title="Start here", visibility="public", sources=list(three)
    )
    url = reading_list.get_absolute_url()
    assert "Olive Owner" in client.get(url).content.decode()

    owner.display_name = "Olive Renamed"
    owner.save()
    assert "Olive Renamed" in client.get(url).content.decode()

    services.set_follow(member=MemberFactory(), reading_list=reading_list, follow=True)
    assert "1 follower" in client.get(url).content.decode()

    services.update_list(
        reading_list=ReadingList.objects.get(pk=reading_list.pk),
        title="Start here",
        introduction="Read these *first*.",
        visibility="private",
    )
    assert client.get(url).status_code == 404
