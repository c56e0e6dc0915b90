import pytest

from sources.evidence.keys import is_valid_doi, normalize_doi, normalize_url


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/report",
        "http://example.org/report",
        "https://EXAMPLE.org/report",
        "https://www.example.org/report",
        "https://example.org/report/",
        "  https://Www.Example.ORG/report/  ",
    ],
)
def test_normalize_url_ignores_scheme_host_case_www_and_trailing_slash(url):
    assert normalize_url(url) == "example.org/report"


def test_normalize_url_keeps_path_case():
    # Paths are case-sensitive on most servers, so only the host is folded.
    assert normalize_url("https://example.org/Reports/A") == "example.org/Reports/A"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/report?utm_source=newsletter",
        "https://example.org/report?utm_medium=email&utm_campaign=spring",
        "https://example.org/report?fbclid=abc123",
        "https://example.org/report?gclid=xyz",
        "https://example.org/report?UTM_Source=x&fbclid=y&gclid=z",
    ],
)
def test_normalize_url_strips_tracking_parameters(url):
    assert normalize_url(url) == "example.org/report"


def test_normalize_url_keeps_other_parameters_sorted():
    key = normalize_url("https://example.org/search?page=2&id=7&utm_source=x")

    assert key == "example.org/search?id=7&page=2"
    assert normalize_url("https://example.org/search?id=7&page=2") == key


def test_normalize_url_tells_different_parameters_apart():
    assert normalize_url("https://example.org/item?id=1") != normalize_url(
        "https://example.org/item?id=2"
    )


def test_normalize_url_keeps_a_non_default_port():
    assert normalize_url("http://example.org:8080/a") == "example.org:8080/a"
    assert normalize_url("https://example.org:443/a") == "example.org/a"


@pytest.mark.parametrize("empty", ["", "   ", None])
def test_normalize_url_of_nothing_is_empty(empty):
    assert normalize_url(empty) == ""


@pytest.mark.parametrize(
    "doi",
    [
        "10.1000/xyz",
        "10.1000/XYZ",
        "https://doi.org/10.1000/XYZ",
        "http://doi.org/10.1000/xyz",
        "doi:10.1000/xyz",
        "DOI: 10.1000/xyz",
        "http://dx.doi.org/10.1000/xyz",
        "https://www.doi.org/10.1000/xyz",
        "  https://dx.doi.org/10.1000/Xyz ",
    ],
)
def test_normalize_doi_gives_the_bare_lower_case_doi(doi):
    assert normalize_doi(doi) == "10.1000/xyz"


@pytest.mark.parametrize("empty", ["", "  ", None])
def test_normalize_doi_of_nothing_is_empty(empty):
    assert normalize_doi(empty) == ""


@pytest.mark.parametrize(
    "doi",
    [
        "10.1000/xyz",
        "10.1136/bmjqs-2015-004411",
        "https://doi.org/10.1001/jama.2020.1234",
        "doi:10.123456789/a.b(c)",
    ],
)
def test_is_valid_doi_accepts_dois_in_any_written_form(doi):
    assert is_valid_doi(doi)


@pytest.mark.parametrize(
    "doi",
    [
        "",
        "xyz",
        "10.1/xyz",  # registrant code too short
        "10.1000",  # no suffix
        "10.1000/",  # empty suffix
        "10.1000/with space",
        "11.1000/xyz",
        "https://example.org/10.1000/xyz",
    ],
)
def test_is_valid_doi_refuses_what_is_not_a_doi(doi):
    assert not is_valid_doi(doi)
