"""A source's contributors: the people and organisations who wrote or edited it, in order.

Each contributor is a CSL-JSON name with a role:
    {"role": "author", "family": "van der Berg", "given": "J.", "suffix": "Jr."}  a person
    {"role": "editor", "literal": "Sustainable Improvement Team, NHS England"}   an organisation
Particles stay in `family` ("van der Berg", "le May"); names in other scripts are kept as given;
an organisation is one literal name, never split into people.

`clean_contributors` checks and tidies such a list (the model, the forms and the imports all use
it). The text forms people type are read here too:
- one name: "Batalden P" (family, then initials), "Donald M. Berwick" (given names first),
  "Berwick, Donald M." or "King, Martin Luther, Jr." (family first, after a comma);
- a list of names: "Dixon-Woods M, Martin G, et al." (the starter file's form; "et al." says the
  list is not complete) or names separated by semicolons;
- the forms' lines (`parse_lines`): one contributor a line, "Family, Given" for a person,
  "Organisation: ..." for a body and "Editor: ..." before either for an editor.
`display_names` gives the short text a card shows: "Dixon-Woods M, Baker R, Charles K".
"""

import re

from django.core.exceptions import ValidationError

AUTHOR = "author"
EDITOR = "editor"
ROLES = (AUTHOR, EDITOR)
PERSON_PARTS = ("family", "given", "suffix")
MAX_CONTRIBUTORS = 200
MAX_NAME_LENGTH = 300
DISPLAY_LENGTH = 500

ET_AL = {"et al", "et al.", "et. al.", "and others", "others", "and colleagues", "colleagues"}
SUFFIXES = {
    "jr": "Jr.",
    "jr.": "Jr.",
    "junior": "Jr.",
    "sr": "Sr.",
    "sr.": "Sr.",
    "senior": "Sr.",
    "ii": "II",
    "iii": "III",
    "iv": "IV",
    "v": "V",
    "2nd": "2nd",
    "3rd": "3rd",
}
# Words that begin a family name when written after the given names: "Ludwig van Beethoven".
PARTICLES = {
    "van",
    "von",
    "der",
    "den",
    "de",
    "del",
    "della",
    "di",
    "da",
    "dos",
    "das",
    "du",
    "le",
    "la",
    "ten",
    "ter",
    "zu",
    "bin",
    "ibn",
    "al",
    "el",
    "st",
    "st.",
    "mac",
}
# Words that make a name read as a body rather than a person ("The Health Foundation").
ORGANISATION_WORDS = {
    "academy",
    "agency",
    "alliance",
    "association",
    "authority",
    "board",
    "care",
    "centre",
    "center",
    "college",
    "collaboration",
    "collaborative",
    "commission",
    "committee",
    "community",
    "council",
    "department",
    "england",
    "foundation",
    "government",
    "group",
    "health",
    "hospital",
    "hospitals",
    "improvement",
    "inc",
    "inc.",
    "institute",
    "ltd",
    "ltd.",
    "ministry",
    "network",
    "networks",
    "nhs",
    "office",
    "organisation",
    "organization",
    "partnership",
    "programme",
    "scotland",
    "service",
    "services",
    "society",
    "team",
    "the",
    "trust",
    "unit",
    "university",
    "wales",
}
# "et al." or "and colleagues" closing a list, alone or after the last name.
TRAILING_ET_AL = re.compile(
    r"(?:^|\s+(?:and|&)\s+|\s+)(?:et\.?\s*al\.?|others|colleagues)$|^(?:and|&)\s+(?:others|colleagues)$",
    re.IGNORECASE,
)
ORGANISATION_PREFIX = re.compile(r"^(?:organi[sz]ation|body|group)\s*:\s*", re.IGNORECASE)
EDITOR_PREFIX = re.compile(r"^(?:editor|ed\.|eds?\.?)\s*:\s*", re.IGNORECASE)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# -- Checking a list ---------------------------------------------------------------------------


def _clean_text(value, what):
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"A contributor's {what} must be text.", code="invalid_name")
    if CONTROL_CHARACTERS.search(value):
        raise ValidationError(
            f"A contributor's {what} cannot hold control characters.", code="invalid_name"
        )
    value = " ".join(value.split())
    if len(value) > MAX_NAME_LENGTH:
        raise ValidationError(
            f"A contributor's {what} is longer than {MAX_NAME_LENGTH} characters.",
            code="invalid_name",
        )
    return value


def clean_contributors(value):
    """The contributors checked and tidied (spaces collapsed, empty parts dropped, keys in
    order), or ValidationError saying what is wrong."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError("Contributors must be a list of names.", code="invalid_contributors")
    if len(value) > MAX_CONTRIBUTORS:
        raise ValidationError(
            f"Name at most {MAX_CONTRIBUTORS} contributors; add “et al.” for the rest.",
            code="too_many",
        )
    cleaned = []
    for position, name in enumerate(value, start=1):
        if not isinstance(name, dict):
            raise ValidationError(
                f"Contributor {position} is not a name.", code="invalid_contributors"
            )
        unknown = set(name) - {"role", "literal", *PERSON_PARTS}
        if unknown:
            raise ValidationError(
                f"Contributor {position} has parts a name cannot hold: "
                f"{', '.join(sorted(map(str, unknown)))}.",
                code="invalid_contributors",
            )
        role = name.get("role") or AUTHOR
        if role not in ROLES:
            raise ValidationError(
                f"Contributor {position}'s role must be author or editor.", code="invalid_role"
            )
        parts = {key: _clean_text(name.get(key), key) for key in ("literal", *PERSON_PARTS)}
        if parts["literal"]:
            if parts["family"] or parts["given"] or parts["suffix"]:
                raise ValidationError(
                    f"Contributor {position} is either an organisation or a person, not both.",
                    code="invalid_contributors",
                )
            cleaned.append({"role": role, "literal": parts["literal"]})
        elif parts["family"]:
            person = {"role": role, "family": parts["family"]}
            person.update({key: parts[key] for key in ("given", "suffix") if parts[key]})
            cleaned.append(person)
        else:
            raise ValidationError(
                f"Contributor {position} needs a family name (or an organisation's name).",
                code="invalid_contributors",
            )
    return cleaned


def validate_contributors(value):
    """The model field's validator."""
    clean_contributors(value)


# -- Reading one name --------------------------------------------------------------------------


def _letters(word):
    return "".join(character for character in word if character.isalpha())


def _is_initials(word):
    """ "P", "GR", "J-L", "J.H.", "И": capital letters alone, at most four of them."""
    letters = _letters(word)
    return (
        0 < len(letters) <= 4
        and letters.isupper()
        and re.fullmatch(r"(?:[^\W\d_]\.?[\s-]?)+", word) is not None
    )


def _dotted(initials):
    """ "GR" -> "G. R.", "J-L" -> "J.-L.", "J.H." -> "J. H.": the form CSL styles abbreviate."""
    pieces = []
    for part in initials.split("-"):
        letters = _letters(part)
        pieces.append(" ".join(f"{letter}." for letter in letters))
    return "-".join(pieces)


def _suffix(word):
    return SUFFIXES.get(word.lower().strip(","))


def _has_case(text):
    """Whether the script tells capitals from small letters (Latin, Greek, Cyrillic...)."""
    return any(character.isupper() or character.islower() for character in text)


def looks_like_organisation(text):
    """Whether a name in a list of people reads as a body: "The Health Foundation", "NHS
    England", "Department of Health and Social Care"."""
    words = text.split()
    lowered = {word.lower().strip(",.()") for word in words}
    return (
        bool(lowered & ORGANISATION_WORDS)
        or "&" in text
        or any(word in ("of", "for", "and") for word in words[1:-1])
        or len(words) > 5
    )


def parse_name(text, role=AUTHOR):
    """One contributor from text: "Batalden P", "Donald M. Berwick", "Berwick, Donald M.",
    "King, Martin Luther, Jr." or "van der Berg J". Returns None for empty text."""
    text = " ".join((text or "").split()).strip(" ;")
    if not text.strip(","):
        return None
    if "," in text:
        family, *rest = [part.strip() for part in text.split(",")]
        rest = [part for part in rest if part]
        suffix = next((_suffix(part) for part in rest if _suffix(part)), "")
        given = " ".join(part for part in rest if not _suffix(part))
        if not family:
            return parse_name(" ".join(rest), role)
        if given and all(_is_initials(word) for word in given.split()):
            given = _dotted("".join(given.split()))
        return person(role, family, given, suffix)
    words = text.split(" ")
    suffix = ""
    if len(words) > 2 and _suffix(words[-1]):
        suffix, words = _suffix(words[-1]), words[:-1]
    if len(words) == 1:
        return person(role, words[0], "", suffix)
    if not _has_case(text):
        # Scripts without capitals (Chinese, Japanese, Korean...) put the family name first.
        return person(role, words[0], " ".join(words[1:]), suffix)
    if _is_initials(words[-1]):
        return person(role, " ".join(words[:-1]), _dotted(words[-1]), suffix)
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in PARTICLES:
        start -= 1
    return person(role, " ".join(words[start:]), " ".join(words[:start]), suffix)


def person(role, family, given="", suffix=""):
    """A person's CSL name, with only the parts that are given."""
    name = {"role": role, "family": family}
    if given:
        name["given"] = given
    if suffix:
        name["suffix"] = suffix
    return name


def organisation(name, role=AUTHOR):
    return {"role": role, "literal": " ".join(name.split())}


# -- Reading a list ----------------------------------------------------------------------------


def parse_name_list(text, role=AUTHOR):
    """The contributors in a list as the starter file and older records write it, and whether
    it ends in "et al.": ("Dixon-Woods M, Martin G, et al." -> two people and True).

    Names are separated by commas, or by semicolons when any is used (then each may be
    "Family, Given"). A part that reads as a body ("The Health Foundation") is an organisation.
    """
    text = " ".join((text or "").split())
    separator = ";" if ";" in text else ","
    parts = [part.strip() for part in text.split(separator)]
    names, et_al = [], False
    for part in parts:
        if TRAILING_ET_AL.search(part):
            part, et_al = TRAILING_ET_AL.sub("", part), True
        if not part:
            continue
        if separator == "," and _suffix(part) and names and "family" in names[-1]:
            names[-1]["suffix"] = _suffix(part)
            continue
        pieces = _split_and(part)
        if len(pieces) == 1 and looks_like_organisation(part) and not reads_as_person(part):
            names.append(organisation(part, role))
            continue
        names.extend(parse_name(piece, role) for piece in pieces)
    return [name for name in names if name], et_al


def reads_as_person(part):
    """ "Martin G" or "Donald M. Berwick": family and initials, or two or three plain words."""
    words = part.split()
    return 2 <= len(words) <= 4 and (
        _is_initials(words[-1])
        or all(word[:1].isupper() for word in words)
        and not {word.lower() for word in words} & ORGANISATION_WORDS
    )


def _split_and(part):
    """ "Smith J and Jones K" -> two people; "Department of Health and Social Care" stays."""
    pieces = re.split(r"\s+(?:and|&)\s+", part)
    return pieces if all(reads_as_person(piece) for piece in pieces) else [part]


# -- The forms' lines --------------------------------------------------------------------------


def parse_lines(text):
    """The contributors a form's text area lists, one a line, and whether a line says "et al.".

    "Batalden, Paul" or "Batalden P" is a person; "Organisation: The Health Foundation" a body
    (its name kept whole, commas and all); "Editor: " before either makes an editor.
    Raises ValidationError naming the line that cannot be read.
    """
    names, et_al = [], False
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = " ".join(line.split())
        if not line:
            continue
        if line.lower() in ET_AL:
            et_al = True
            continue
        role = AUTHOR
        if EDITOR_PREFIX.match(line):
            role, line = EDITOR, EDITOR_PREFIX.sub("", line)
        if ORGANISATION_PREFIX.match(line):
            body = ORGANISATION_PREFIX.sub("", line)
            if not body:
                raise ValidationError(
                    f"Line {number} says “Organisation:” but gives no name.", code="invalid_line"
                )
            names.append(organisation(body, role))
            continue
        if ";" in line:
            raise ValidationError(
                f"Line {number} holds more than one name: put each on a line of its own.",
                code="invalid_line",
            )
        name = parse_name(line, role)
        if name is None:
            raise ValidationError(f"Line {number} gives no name.", code="invalid_line")
        names.append(name)
    return clean_contributors(names), et_al


def name_as_line(name):
    """One contributor as a form's line (parse_lines reads it back to the same name)."""
    prefix = "Editor: " if name.get("role") == EDITOR else ""
    if name.get("literal"):
        return f"{prefix}Organisation: {name['literal']}"
    # "Family, Given, Suffix"; a family name alone keeps its comma ("van der Berg,").
    text = f"{name['family']}, {name.get('given', '')}".rstrip()
    if name.get("suffix"):
        text += f", {name['suffix']}"
    return prefix + text


def as_lines(contributors, et_al=False):
    """The contributors as a form's text area holds them."""
    lines = [name_as_line(name) for name in contributors or []]
    if et_al:
        lines.append("et al.")
    return "\n".join(lines)


# -- Showing names -----------------------------------------------------------------------------


def _initials(given):
    """ "Donald M." -> "DM", "J.-L." -> "J-L", "Jean-Louis" -> "J-L"."""
    initials = []
    for word in re.sub(r"\.(?=-)", "", given).replace(".", " ").split():
        pieces = [_letters(piece)[:1] for piece in word.split("-")]
        initials.append("-".join(piece for piece in pieces if piece))
    return "".join(initials)


def full_name(name):
    """A contributor written out: "Mary Dixon-Woods", "Martin Luther King Jr.", "山田 太郎" (the
    family name first in scripts without capitals), or the organisation's name."""
    if name.get("literal"):
        return name["literal"]
    given = name.get("given", "")
    parts = [name["family"], given] if given and not _has_case(given) else [given, name["family"]]
    text = " ".join(part for part in parts if part)
    return f"{text} {name['suffix']}" if name.get("suffix") else text


def short_name(name):
    """A contributor as a card shows it: "Batalden P", "Berwick DM", "King ML Jr.", or the
    organisation's name."""
    if name.get("literal"):
        return name["literal"]
    given = name.get("given", "")
    if given and not _has_case(given):
        text = f"{name['family']} {given}"
    else:
        text = " ".join(part for part in (name["family"], _initials(given)) if part)
    return f"{text} {name['suffix']}" if name.get("suffix") else text


def display_names(contributors, et_al=False, limit=DISPLAY_LENGTH):
    """The authors (or, with none, the editors) as one line of text, at most `limit` long:
    "Dixon-Woods M, Baker R, Charles K", "Berwick DM (ed.)"."""
    contributors = contributors or []
    authors = [name for name in contributors if name.get("role", AUTHOR) == AUTHOR]
    editors = [name for name in contributors if name.get("role") == EDITOR]
    names = [short_name(name) for name in authors or editors]
    suffix = ""
    if not authors and editors:
        suffix = " (ed.)" if len(editors) == 1 else " (eds)"
    while True:
        shown = list(names)
        if et_al:
            shown.append("et al.")
        text = ", ".join(shown) + (suffix if names else "")
        if len(text) <= limit or not names:
            return text[:limit]
        names.pop()
        et_al = True
