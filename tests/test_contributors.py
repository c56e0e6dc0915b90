"""Contributors: reading the names people type, checking the stored list, showing it."""

import pytest
from django.core.exceptions import ValidationError

from sources.evidence.contributors import (
    as_lines,
    clean_contributors,
    display_names,
    parse_lines,
    parse_name,
    parse_name_list,
)


def person(family, given="", suffix="", role="author"):
    name = {"role": role, "family": family}
    if given:
        name["given"] = given
    if suffix:
        name["suffix"] = suffix
    return name


def body(literal, role="author"):
    return {"role": role, "literal": literal}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Batalden P", person("Batalden", "P.")),
        ("Baker GR", person("Baker", "G. R.")),
        ("Denis J-L", person("Denis", "J.-L.")),
        ("Donald M. Berwick", person("Berwick", "Donald M.")),
        ("Berwick, Donald M.", person("Berwick", "Donald M.")),
        ("Berwick, D M", person("Berwick", "D. M.")),
        ("van der Berg J", person("van der Berg", "J.")),
        ("Ludwig van Beethoven", person("van Beethoven", "Ludwig")),
        ("Jean de La Fontaine", person("de La Fontaine", "Jean")),
        ("le May A", person("le May", "A.")),
        ("van der Berg, Jan", person("van der Berg", "Jan")),
        ("King, Martin Luther, Jr.", person("King", "Martin Luther", "Jr.")),
        ("Martin Luther King Jr", person("King", "Martin Luther", "Jr.")),
        ("Smith J III", person("Smith", "J.", "III")),
        ("Иванов И", person("Иванов", "И.")),
        ("山田 太郎", person("山田", "太郎")),
        ("毛泽东", person("毛泽东")),
    ],
)
def test_one_name_is_read_in_each_form_people_write_it(text, expected):
    assert parse_name(text) == expected


def test_the_starter_files_list_form_reads_as_people_and_et_al():
    names, et_al = parse_name_list("Dixon-Woods M, Martin G, Tarrant C, Bion J, et al.")

    assert names == [
        person("Dixon-Woods", "M."),
        person("Martin", "G."),
        person("Tarrant", "C."),
        person("Bion", "J."),
    ]
    assert et_al is True


def test_a_list_in_given_first_form_and_with_colleagues():
    names, et_al = parse_name_list("Mary Dixon-Woods, Michael West and colleagues")

    assert names == [person("Dixon-Woods", "Mary"), person("West", "Michael")]
    assert et_al is True


def test_semicolons_separate_names_written_family_first():
    names, et_al = parse_name_list("Berwick, Donald M.; Batalden, Paul")

    assert names == [person("Berwick", "Donald M."), person("Batalden", "Paul")]
    assert et_al is False


def test_a_body_in_a_list_stays_one_organisation():
    names, _ = parse_name_list("Department of Health and Social Care")
    assert names == [body("Department of Health and Social Care")]

    names, _ = parse_name_list("Innovation Unit; The Health Foundation")
    assert names == [body("Innovation Unit"), body("The Health Foundation")]


def test_two_people_joined_by_and_are_two_people():
    names, _ = parse_name_list("Smith J and Jones K")
    assert names == [person("Smith", "J."), person("Jones", "K.")]


def test_a_suffix_after_a_comma_belongs_to_the_name_before_it():
    names, _ = parse_name_list("King ML, Jr, Smith J")
    assert names == [person("King", "M. L.", "Jr."), person("Smith", "J.")]


def test_form_lines_mark_organisations_and_editors():
    text = (
        "Batalden, Paul\n"
        "Organisation: Sustainable Improvement Team, NHS England\n"
        "\n"
        "Editor: Berwick, Donald M.\n"
        "Editor: Organisation: The Health Foundation\n"
        "et al.\n"
    )

    names, et_al = parse_lines(text)

    assert names == [
        person("Batalden", "Paul"),
        body("Sustainable Improvement Team, NHS England"),
        person("Berwick", "Donald M.", role="editor"),
        body("The Health Foundation", role="editor"),
    ]
    assert et_al is True


@pytest.mark.parametrize(
    "name",
    [
        person("van der Berg", "Jan"),
        person("van der Berg"),
        person("de La Fontaine", "Jean"),
        person("King", "Martin Luther", "Jr."),
        person("King", suffix="III"),
        person("Smith", "J.", "III", role="editor"),
        person("Иванов", "Иван"),
        person("山田", "太郎"),
        person("毛泽东"),
        person("O'Brien", "Seán"),
        body("Sustainable Improvement Team, NHS England"),
        body("Healthcare Improvement Scotland (ihub)", role="editor"),
    ],
)
def test_every_name_survives_a_round_trip_through_the_form(name):
    names, et_al = parse_lines(as_lines([name], et_al=True))

    assert names == [name]
    assert et_al is True


def test_a_line_with_two_names_or_no_name_is_refused_with_its_number():
    with pytest.raises(ValidationError, match="Line 2 holds more than one name"):
        parse_lines("Batalden P\nBerwick D; Batalden P")
    with pytest.raises(ValidationError, match="Line 1 says “Organisation:” but gives no name"):
        parse_lines("Organisation:   ")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Batalden P", "must be a list"),
        ([{"role": "author"}], "needs a family name"),
        ([{"role": "author", "literal": "X", "family": "Y"}], "either an organisation"),
        ([{"role": "translator", "family": "Y"}], "author or editor"),
        ([{"role": "author", "family": "Y", "born": 1900}], "cannot hold: born"),
        ([{"role": "author", "family": "Y\x00"}], "control characters"),
        ([{"role": "author", "family": 7}], "must be text"),
        (["Batalden P"], "is not a name"),
        ([{"role": "author", "family": "x" * 301}], "longer than 300"),
        ([{"role": "author", "family": "Y"}] * 201, "at most 200"),
    ],
)
def test_a_malformed_list_is_refused_with_a_message(value, message):
    with pytest.raises(ValidationError, match=message):
        clean_contributors(value)


def test_a_list_is_tidied():
    cleaned = clean_contributors(
        [
            {"family": "  van der  Berg ", "given": "", "suffix": None},
            {"role": "editor", "literal": " The  Health Foundation "},
        ]
    )
    assert cleaned == [person("van der Berg"), body("The Health Foundation", role="editor")]


def test_the_display_line_reads_family_and_initials():
    names = [
        person("Dixon-Woods", "M."),
        person("Berwick", "Donald M."),
        person("Denis", "J.-L."),
        person("King", "Martin Luther", "Jr."),
        person("山田", "太郎"),
        body("Sustainable Improvement Team, NHS England"),
        person("Editor", "E.", role="editor"),
    ]

    assert display_names(names) == (
        "Dixon-Woods M, Berwick DM, Denis J-L, King ML Jr., 山田 太郎, "
        "Sustainable Improvement Team, NHS England"
    )
    assert display_names(names[:1], et_al=True) == "Dixon-Woods M, et al."


def test_the_display_line_names_editors_when_no_one_is_author():
    assert display_names([person("Berwick", "D.", role="editor")]) == "Berwick D (ed.)"
    assert (
        display_names([person("A", "B.", role="editor"), person("C", "D.", role="editor")])
        == "A B, C D (eds)"
    )


def test_a_long_display_line_ends_in_et_al_within_its_length():
    names = [person(f"Contributor{number}", "A.") for number in range(100)]

    text = display_names(names)

    assert len(text) <= 500
    assert text.startswith("Contributor0 A, Contributor1 A")
    assert text.endswith(", et al.")
