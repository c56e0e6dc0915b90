"""Nothing a member typed can break out of its field in an export (issue 20, point 3)."""

import json

import bibtexparser
import pytest
import rispy

from sources.evidence.citations import bibtex_text, csl_json_items, ris_text
from sources.evidence.keys import is_valid_doi

from .factories import SourceFactory

FORGED = "},note={Endorsed by the editors"


@pytest.mark.django_db
def test_a_url_that_closes_its_field_adds_no_field_to_the_bibtex_entry():
    source = SourceFactory(url=f"https://example.org/a{FORGED}", doi=f"10.1000/x{FORGED}")

    library = bibtexparser.parse_string(bibtex_text([source]))

    (entry,) = library.entries
    assert "note" not in entry.fields_dict
    assert not library.failed_blocks
    assert entry.fields_dict["url"].value == (
        "https://example.org/a%7D,note=%7BEndorsed by the editors"
    )
    assert entry.fields_dict["doi"].value.startswith("10.1000/x%7D,note=%7B")


@pytest.mark.django_db
def test_a_line_break_in_a_title_starts_no_ris_tag_of_its_own():
    source = SourceFactory(title="A title\nER  - \nTY  - JOUR\nTI  - Forged")

    records = rispy.loads(ris_text([source]))

    assert len(records) == 1
    assert records[0]["title"] == "A title ER - TY - JOUR TI - Forged"


@pytest.mark.django_db
def test_csl_json_keeps_a_quote_and_braces_inside_the_title():
    source = SourceFactory(title='A "quoted" title}{')

    (item,) = csl_json_items([source])

    assert json.loads(item)["title"] == 'A "quoted" title}{'


@pytest.mark.parametrize("doi", [f"10.1000/x{FORGED}", "10.1000/a\\b", '10.1000/a"b'])
def test_dois_that_could_close_a_field_are_not_valid_where_they_come_in(doi):
    assert not is_valid_doi(doi)
