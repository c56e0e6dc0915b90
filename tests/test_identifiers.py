"""Identifiers: each checked and written one way, and read from a search box."""

import pytest
from django.core.exceptions import ValidationError

from sources.evidence.identifiers import (
    format_isbn,
    identifier_in,
    normalize_doi,
    normalize_isbn,
    normalize_issn,
    normalize_pmcid,
    normalize_pmid,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("978-1-906461-38-6", "9781906461386"),
        ("ISBN 978-1-906461-38-6", "9781906461386"),
        ("9781906461386", "9781906461386"),
        ("0-385-54111-2", "9780385541114"),  # an ISBN-10 becomes its ISBN-13
        (" 978 0 385 54111 4 ", "9780385541114"),
        ("0-8044-2957-X", "9780804429573"),
        ("", ""),
    ],
)
def test_an_isbn_is_stored_as_the_digits_of_its_isbn_13(value, expected):
    assert normalize_isbn(value) == expected


def test_an_isbn_is_shown_hyphenated():
    assert format_isbn("9781906461386") == "978-1-906461-38-6"
    assert format_isbn("") == ""


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("978-1-906461-38-7", "last digit does not match"),
        ("12345", "10 or 13 digits"),
        ("ISBN please", "10 or 13 digits"),
    ],
)
def test_a_malformed_isbn_says_what_is_wrong(value, message):
    with pytest.raises(ValidationError, match=message):
        normalize_isbn(value)


def test_an_issn_is_checked_and_hyphenated():
    assert normalize_issn("20445415") == "2044-5415"
    assert normalize_issn("ISSN 0959-8138") == "0959-8138"
    with pytest.raises(ValidationError, match="last digit does not match"):
        normalize_issn("0959-8139")
    with pytest.raises(ValidationError, match="8 digits"):
        normalize_issn("0959-81")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30305291", "30305291"),
        ("PMID: 30305291", "30305291"),
        ("https://pubmed.ncbi.nlm.nih.gov/30305291/", "30305291"),
        ("", ""),
    ],
)
def test_a_pmid_is_digits(value, expected):
    assert normalize_pmid(value) == expected


@pytest.mark.parametrize("value", ["1234567890", "PMC123", "12a", "0"])
def test_a_malformed_pmid_is_refused(value):
    with pytest.raises(ValidationError, match="1 to 9 digits"):
        normalize_pmid(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("PMC6180460", "PMC6180460"),
        ("pmc6180460", "PMC6180460"),
        ("https://pmc.ncbi.nlm.nih.gov/articles/PMC6180460/", "PMC6180460"),
        ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC6180460/", "PMC6180460"),
    ],
)
def test_a_pmcid_is_pmc_and_digits_in_capitals(value, expected):
    assert normalize_pmcid(value) == expected


@pytest.mark.parametrize("value", ["6180460", "PMC", "PMCX1"])
def test_a_malformed_pmcid_is_refused(value):
    with pytest.raises(ValidationError, match="PMCID"):
        normalize_pmcid(value)


def test_a_doi_is_bare_and_lower_case_and_refuses_control_characters():
    assert normalize_doi("https://doi.org/10.1136/BMJ.k3617") == "10.1136/bmj.k3617"
    assert normalize_doi("doi: 10.1136/bmj.k3617") == "10.1136/bmj.k3617"
    with pytest.raises(ValidationError, match="control characters"):
        normalize_doi("10.1136/bmj.\x1bk3617")
    with pytest.raises(ValidationError, match="not a DOI"):
        normalize_doi("bmj.k3617")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.1136/bmj.k3617", ("doi", "10.1136/bmj.k3617")),
        ("https://doi.org/10.1136/bmj.k3617", ("doi", "10.1136/bmj.k3617")),
        ("doi:10.1136/BMJ.K3617", ("doi", "10.1136/bmj.k3617")),
        ("PMID 30305291", ("pmid", "30305291")),
        ("30305291", ("pmid", "30305291")),
        ("PMC6180460", ("pmcid", "PMC6180460")),
        ("978-1-906461-38-6", ("isbn", "9781906461386")),
        ("9781906461386", ("isbn", "9781906461386")),
        ("2014", None),
        ("quality improvement", None),
        ("", None),
    ],
)
def test_a_search_box_holding_an_identifier_is_read_as_one(text, expected):
    assert identifier_in(text) == expected
