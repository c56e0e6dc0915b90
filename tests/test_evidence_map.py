"""The evidence-and-gap map: its counts, its gaps, whose voices are missing, and its cost."""

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sources.models import Endorsement, Source
from sources.perspectives import Perspective

from .factories import MemberFactory, ProposalFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(themes):
    """A small library that leaves gaps: nothing challenges the second or third theme."""
    first, second, third = themes
    made = [
        SourceFactory(themes=[first], stance=Source.Stance.REINFORCES, kind=Source.Kind.REPORT),
        SourceFactory(themes=[first], stance=Source.Stance.REINFORCES, kind=Source.Kind.BOOK),
        SourceFactory(themes=[first, second], stance=Source.Stance.CHALLENGES, year=2021),
        SourceFactory(themes=[second], stance=Source.Stance.REFINES, tags=["networks"]),
        SourceFactory(themes=[third], stance=Source.Stance.REFINES, kind=Source.Kind.WEBSITE),
    ]
    # Not in the library: a proposal and a declined source must never be counted.
    ProposalFactory(themes=[third], stance=Source.Stance.CHALLENGES)
    SourceFactory(themes=[third], stance=Source.Stance.CHALLENGES, status=Source.Status.DECLINED)
    clinician = MemberFactory(perspective=Perspective.CLINICIAN)
    patient = MemberFactory(perspective=Perspective.PATIENT)
    unsaid = MemberFactory(perspective="")
    for member in (clinician, patient, unsaid):
        Endorsement.objects.create(source=made[0], member=member)
    Endorsement.objects.create(source=made[2], member=clinician)
    return made


def listing_count(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["page"].paginator.count


@pytest.mark.parametrize("axis", ["stance", "kind"])
def test_every_cell_counts_what_its_listing_shows(client, library, axis):
    response = client.get(reverse("sources:map"), {"by": axis})

    assert response.status_code == 200
    cells = [cell for _, row in response.context["map"].rows for cell in row]
    assert len(cells) == 3 * len(Source.Stance if axis == "stance" else Source.Kind)
    assert sum(cell.count for cell in cells) == 6  # one source sits in two themes
    for cell in cells:
        if cell.count:
            assert listing_count(client, cell.listing_url) == cell.count, cell.listing_url


def test_cells_keep_the_filters_chosen_on_the_map(client, library, themes):
    response = client.get(reverse("sources:map"), {"year": "2021"})

    assert response.context["map"].total == 1
    counted = {
        (theme.slug, cell.value): cell.count
        for theme, row in response.context["map"].rows
        for cell in row
        if cell.count
    }
    assert counted == {(themes[0].slug, "challenges"): 1, (themes[1].slug, "challenges"): 1}
    for _theme, row in response.context["map"].rows:
        for cell in row:
            if cell.count:
                assert "year=2021" in cell.listing_url
                assert listing_count(client, cell.listing_url) == 1


def test_an_empty_cell_invites_a_proposal_with_theme_and_stance_chosen(client, library, themes):
    response = client.get(reverse("sources:map"))

    page = response.content.decode()
    propose = f"{reverse('sources:propose')}?theme={themes[2].slug}&amp;stance=challenges"
    assert f"No source here challenges “{themes[2].title}” yet" in page
    assert propose in page
    # The first theme has a challenging source, so it is not called a gap.
    assert f"No source here challenges “{themes[0].title}”" not in page


def test_endorsements_are_spread_by_perspective(client, library, themes):
    response = client.get(reverse("sources:map"))

    first_row = response.context["map"].rows[0][1]
    reinforces = next(cell for cell in first_row if cell.value == "reinforces")
    assert reinforces.perspectives == {"clinician": 1, "patient": 1, "": 1}
    assert "Endorsed by 1 patient or carer partner, 1 clinician, 1 perspective not given" in (
        response.content.decode()
    )


def test_whose_voices_are_missing_per_theme(client, library, themes):
    response = client.get(reverse("sources:map"))

    voices = {v.theme: v for v in response.context["map"].voices}
    assert voices[themes[0]].heard == [("clinicians", 2), ("patient or carer partner", 1)]
    assert "patient or carer partners" in voices[themes[1]].missing
    assert "clinicians" not in voices[themes[1]].missing
    assert voices[themes[2]].heard == []
    assert len(voices[themes[2]].missing) == len(Perspective)


def test_the_drawing_is_hidden_from_assistive_technology_and_the_table_carries_the_links(
    client, library
):
    page = client.get(reverse("sources:map")).content.decode()

    svg = re.search(r"<svg class=\"evidence-map__grid\"[^>]*>", page).group(0)
    assert 'aria-hidden="true"' in svg
    # Links inside the hidden drawing are out of the tab order; the table's are not.
    drawing = page[page.index(svg) : page.index("</svg>")]
    assert drawing.count("<a ") == drawing.count('tabindex="-1"') > 0
    assert "<table" in page


def test_an_unknown_axis_falls_back_to_stance(client, library):
    response = client.get(reverse("sources:map"), {"by": "<script>"})

    assert response.status_code == 200
    assert response.context["map"].axis == "stance"


def test_the_map_costs_the_same_queries_whatever_the_library_size(
    client, library, themes, settings
):
    settings.PAGE_CACHE = False

    def queries():
        """Queries of a map drawn from nothing kept, then of the same map drawn again."""
        caches["pages"].clear()
        with CaptureQueriesContext(connection) as cold:
            client.get(reverse("sources:map"), {"by": "kind"})
        with CaptureQueriesContext(connection) as warm:
            client.get(reverse("sources:map"), {"by": "kind"})
        return len(cold), len(warm)

    small = queries()
    SourceFactory.create_batch(30, themes=[themes[1]], stance=Source.Stance.CHALLENGES)
    assert queries() == small
    # Drawn again, the counts come from the cache: no aggregate query runs.
    assert small[1] < small[0]


def test_a_new_approval_shows_on_the_map_at_once(client, library, themes, settings):
    settings.PAGE_CACHE = False
    before = client.get(reverse("sources:map")).context["map"].total

    SourceFactory(themes=[themes[2]], stance=Source.Stance.CHALLENGES)

    after = client.get(reverse("sources:map")).context["map"]
    assert after.total == before + 1
    third = dict(after.rows)[themes[2]]
    assert next(cell for cell in third if cell.value == "challenges").count == 1


def test_the_drawing_places_each_cell_and_splits_its_bar_by_perspective(client, library, themes):
    response = client.get(reverse("sources:map"))

    page = response.content.decode()
    svg = page[page.index('<svg class="evidence-map__grid"') : page.index("</svg>")]
    # The first theme's "reinforces" cell: two sources, the most of any cell, so the darkest;
    # three endorsements (a patient, a clinician, one who gave no perspective) in its bar.
    row = next(cells for theme, cells in response.context["map"].rows if theme == themes[0])
    reinforces = next(cell for cell in row if cell.value == Source.Stance.REINFORCES)
    assert reinforces.count == 2
    cell = re.search(
        r'<a href="' + re.escape(reinforces.listing_url.replace("&", "&amp;")) + r'".*?</a>',
        svg,
        re.DOTALL,
    ).group(0)
    box = re.search(r'<rect class="evidence-map__cell" ([^>]*)>', cell).group(1)
    assert 'x="254" y="68" width="142" height="78"' in box  # first column, first row, inset 4
    assert 'fill-opacity="0.9"' in box
    assert 'class="evidence-map__count evidence-map__count--on-dark" x="325" y="106"' in cell
    bar = re.findall(r'<rect x="([\d.]+)" y="126" width="([\d.]+)" height="10" fill="(#\w+)"', cell)
    assert [colour for _, _, colour in bar] == ["#b3400a", "#1d4a85", "#d6d2c6"]
    assert [x for x, _, _ in bar] == ["262", "304", "346"]  # each segment where the last ended
    assert [width for _, width, _ in bar] == ["42", "42", "42"]  # no "42.0": attribute text


def test_theme_names_are_never_cut_in_the_drawing(client, themes):
    themes[2].title = "Nurturing peer networks to enable iterative learning and spread far and wide"
    themes[2].save()
    SourceFactory(themes=[themes[2]])

    for axis in ("kind", "stance"):
        html = client.get(reverse("sources:map"), {"by": axis}).content.decode()
        svg = html[html.index("<svg") : html.index("</svg>")]
        drawn = " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg))
        assert themes[2].title in drawn, (axis, drawn)


def test_the_legend_shows_only_when_the_cells_have_bars(client, themes):
    source = SourceFactory(themes=[themes[0]])

    before = client.get(reverse("sources:map")).content.decode()
    Endorsement.objects.create(source=source, member=MemberFactory(perspective="clinician"))
    Source.objects.filter(pk=source.pk).update(endorsement_count=1)
    for cache in caches.all():
        cache.clear()
    after = client.get(reverse("sources:map")).content.decode()

    assert "evidence-map__legend" not in before
    assert "No source on the map has been endorsed yet" in before
    assert "evidence-map__legend" in after
    assert "Clinicians" in after[after.index("evidence-map__legend") :]


def test_the_map_form_has_one_submit_button(client, library):
    html = client.get(reverse("sources:map")).content.decode()

    form = html[html.index('<form method="get" action="/map/"') :]
    form = form[: form.index("</form>")]
    assert form.count('type="submit"') == 1
