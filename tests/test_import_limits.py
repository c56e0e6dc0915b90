"""Reading lists are bounded before the expensive work: size, entries, @strings, keywords per
entry and field length; LaTeX is decoded in the fields kept only.

The attack files are those of the second review (issue 20): their refusal or their bounded
result is asserted here, never a duration; the parser is made to fail the test if the list
reaches it when it should have been refused before.
"""

import bibtexparser
import pytest
import rispy
from django.core.files.uploadedfile import SimpleUploadedFile

from sources.evidence import imports
from sources.models import ImportRun, Source
from sources.proposals.forms import MAX_TAGS

pytestmark = pytest.mark.django_db


def bibtex_of_entries(count):
    """About 83 bytes an entry: 10,000 of them make the 868 KB file of the review."""
    return "".join(
        f"@article{{k{n},\n  title = {{Report {n}}},\n  year = {{2019}},\n"
        f"  doi = {{10.1000/{n}}}\n}}\n"
        for n in range(count)
    )


def bibtex_of_strings(count):
    """200,000 @string definitions and one entry: the 4.5 MB file of the review."""
    return "".join(f'@string{{s{n} = "x"}}\n' for n in range(count)) + "@book{a, title = {One}}\n"


def ris_of_keywords(count, keyword="kw{n}"):
    """One RIS record with `count` keyword lines: 100,000 make the 1.3 MB file of the review."""
    lines = "".join(f"KW  - {keyword.format(n=n)}\n" for n in range(count))
    return f"TY  - RPRT\nTI  - Many keywords\n{lines}ER  - \n"


def upload(client, content, themes, *, name="list.bib", stance="refines", follow=False):
    return client.post(
        "/moderation/import/",
        {
            "import-file": SimpleUploadedFile(name, content.encode()),
            "import-themes": [theme.pk for theme in themes],
            "import-stance": stance,
        },
        follow=follow,
    )


@pytest.fixture
def no_parsing(monkeypatch):
    """Fail the test if a list reaches the BibTeX or RIS parser."""

    def parser_reached(*args, **kwargs):
        raise AssertionError("the list reached the parser: it should have been refused before")

    monkeypatch.setattr(bibtexparser, "parse_string", parser_reached)
    monkeypatch.setattr(rispy, "loads", parser_reached)


def test_a_bibtex_file_of_ten_thousand_entries_is_refused_before_it_is_parsed(
    client, moderator, themes, no_parsing
):
    text = bibtex_of_entries(10_000)
    assert 800_000 < len(text) < 900_000
    client.force_login(moderator)

    page = upload(client, text, themes[:1]).content.decode()

    assert "The list holds more than 5,000 entries; import at most 5,000 at a time" in page
    assert not Source.objects.exists()
    assert not ImportRun.objects.exists()


def test_a_bibtex_file_of_two_hundred_thousand_strings_is_refused_before_it_is_parsed(
    client, moderator, themes, no_parsing
):
    text = bibtex_of_strings(200_000)
    assert 4_000_000 < len(text) < imports.MAX_BYTES
    client.force_login(moderator)

    page = upload(client, text, themes[:1]).content.decode()

    assert "The list defines more than 500 @string abbreviations" in page
    assert not ImportRun.objects.exists()


def test_a_ris_file_of_too_many_records_is_refused_before_any_is_parsed(no_parsing):
    text = "".join(f"TY  - RPRT\nTI  - Report {n}\nER  - \n" for n in range(5001))

    with pytest.raises(imports.ImportRefused, match="more than 5,000 entries"):
        imports.read_entries(text, "list.ris")


def test_an_entry_limit_is_counted_as_the_text_is_scanned():
    at_limit = bibtex_of_entries(imports.MAX_ENTRIES)
    assert imports.scan(at_limit, "list.bib").entries == imports.MAX_ENTRIES

    with pytest.raises(imports.ImportRefused, match="more than 5,000 entries"):
        imports.scan(at_limit + "@misc{one_more, title={x}}", "list.bib")
    with pytest.raises(imports.ImportRefused, match="more than 5,000 entries"):
        imports.scan("\n".join(f"10.1000/{n}" for n in range(5001)))


def test_blocks_hidden_mid_line_are_counted_too(no_parsing):
    # The parser finds blocks anywhere on a line; so must the count that guards it.
    text = "@book{a, title={One}} " + " ".join(f'@string{{s{n}="x"}}' for n in range(501))

    with pytest.raises(imports.ImportRefused, match="more than 500 @string"):
        imports.scan(text, "list.bib")


def test_a_ris_entry_with_a_hundred_thousand_keywords_keeps_a_bounded_number(
    client, moderator, themes
):
    text = ris_of_keywords(100_000)
    assert 1_200_000 < len(text) < 1_500_000

    format, [entry] = imports.read_entries(text, "list.ris")

    assert len(entry.tags) == imports.MAX_KEYWORDS  # read, before duplicates are dropped
    checked = imports.preview([entry], format)
    assert checked.new[0].tags == [f"kw{n}" for n in range(MAX_TAGS)]


def test_keywords_are_capped_before_duplicates_are_dropped():
    # The first MAX_KEYWORDS keywords are all the same: the rest is never looked at.
    names = ["same"] * imports.MAX_KEYWORDS + [f"kw{n}" for n in range(50)]

    assert imports._tags(names) == ["same"]
    assert imports._tags(["A", "a ", "b", "A"]) == ["a", "b"]


def test_latex_is_decoded_in_the_fields_kept_only(monkeypatch):
    decoded = []
    decode = imports.LATEX_DECODER.latex_to_text

    def recording(value, **kwargs):
        decoded.append(value)
        return decode(value, **kwargs)

    monkeypatch.setattr(imports.LATEX_DECODER, "latex_to_text", recording)
    bib = (
        "@article{a, title = {{\\'E}tude -- caf\\'e}, author = {M{\\\"u}ller, Anna and Plain, "
        "Pat}, note = {\\textbf{never read}}, journal = {\\emph{unread}},\n"
        "  url = {https://example.org/a%20b}, doi = {10.1000/a\\_b}, year = {2020}}\n"
    )

    _, [entry] = imports.read_entries(bib, "list.bib")

    assert entry.fields["title"] == "Étude – café"
    assert entry.fields["authors"] == "Müller A, Plain P"
    assert entry.fields["url"] == "https://example.org/a%20b"  # addresses stay verbatim
    # The note is never read; the journal is (a record's container) and decoded with the rest.
    assert "\\textbf{never read}" not in decoded
    assert "{\\'E}tude -- caf\\'e" in decoded and 'M{\\"u}ller' in decoded
    assert entry.fields["container_title"] == "unread"


def test_an_overlong_field_makes_its_entry_malformed_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr(imports.LATEX_DECODER, "latex_to_text", None)  # never reached
    long_title = "\\'e" * imports.MAX_FIELD_LENGTH
    bib = (
        f"@book{{a, title = {{{long_title}}}}}\n"
        f"@book{{b, title = {{Long abstract}}, abstract = {{{'word ' * 2000}}}}}\n"
    )

    format, entries = imports.read_entries(bib, "list.bib")
    checked = imports.preview(entries, format)

    assert [entry.problem for entry in checked.malformed] == [
        "its title is longer than 4,000 characters."
    ]
    [kept] = checked.new
    assert kept.fields["title"] == "Long abstract"
    assert len(kept.fields["summary"]) == 2000


def test_the_ris_keyword_attack_gets_its_preview_in_the_request(client, moderator, themes):
    client.force_login(moderator)

    preview = upload(client, ris_of_keywords(100_000), themes[:1], name="list.ris")

    [entry] = preview.context["preview"].new
    assert entry.tags == [f"kw{n}" for n in range(MAX_TAGS)]
    assert "1</strong> new proposal to import" in preview.content.decode()


def test_a_million_blank_lines_are_read_in_one_pass():
    # Finding the format once tried each blank line against every line after it: a list padded
    # with blank lines held the worker for hours.
    text = "\n" * 1_000_000 + "10.1000/after-the-blanks\n"

    format, [entry] = imports.read_entries(text, "list.txt")

    assert (format, entry.fields["doi"]) == ("doi", "10.1000/after-the-blanks")


def test_a_ris_record_of_a_hundred_thousand_authors_is_read_up_to_a_bound(monkeypatch):
    from sources.evidence import ris

    mapped = []
    record_from_ris = ris.record_from_ris

    def recording(data):
        mapped.append(len(data["authors"]))
        return record_from_ris(data)

    monkeypatch.setattr(ris, "record_from_ris", recording)
    authors = "".join(f"AU  - Family{n}, Given\n" for n in range(100_000))
    text = f"TY  - JOUR\nTI  - Many authors\n{authors}ER  - \n"

    format, entries = imports.read_entries(text, "list.ris")
    [entry] = imports.preview(entries, format).malformed

    assert mapped == [imports.MAX_REPEATED]
    assert entry.problem.startswith("contributors: Name at most 200 contributors")
