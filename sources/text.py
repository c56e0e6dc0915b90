"""Text that members type, kept free of characters that no reader sees but that break things.

C0 and C1 control characters are invisible on a page yet make an Atom feed unserializable (XML
1.0 refuses them) and an e-mail header invalid; bidirectional overrides and isolates reorder
the text around them, so a title or a name can show something other than what is stored.
Every form strips them on the way in (`CleanTextMixin`); tab and newline stay where the text
may span several lines. NUL is left to Django, which refuses it with its own form error.

It lives in `sources` because `comments` and the site package both import from here, and the
apps never import the site package.
"""

import re

from django import forms

# C0 controls but NUL, tab, newline and carriage return; DEL and the C1 controls; the bidi
# embeddings, overrides and isolates (U+202A-202E, U+2066-2069); the two non-characters that
# XML forbids.
_INVISIBLE = "\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff"
_FORBIDDEN = re.compile(f"[{_INVISIBLE}]")
_LINE_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029\t]")
_ALL_FORBIDDEN = re.compile(f"[\x00{_INVISIBLE}]")


def clean_text(value, *, multiline=False):
    """The text without invisible controls; single-line text also loses its line breaks and
    tabs (each becomes a space), multi-line text keeps newlines and tabs (CR LF becomes LF)."""
    if not isinstance(value, str):
        return value
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        value = value.replace("\u2028", "\n").replace("\u2029", "\n\n")
    else:
        value = _LINE_BREAKS.sub(" ", value)
    return _FORBIDDEN.sub("", value)


def safe_to_show(value, *, multiline=True):
    """Stored text made safe for strict outputs (feeds, e-mail headers), NUL included: rows
    written before the forms stripped these characters may still hold them."""
    if not value:
        return value
    return _ALL_FORBIDDEN.sub("", clean_text(str(value), multiline=multiline))


def one_line(value):
    """Stored text for an e-mail header or a one-line title: no line breaks, no controls."""
    return " ".join(safe_to_show(value, multiline=False).split()) if value else ""


def has_forbidden(value):
    """True when the text holds a character that `clean_text` would remove (or NUL)."""
    return bool(_ALL_FORBIDDEN.search(value or ""))


class CleanTextMixin:
    """A form mixin: every text field strips invisible characters before Django cleans it.

    A field is multi-line when its widget is a textarea; password fields are left alone (a
    password is a secret, not text anyone reads, and must match exactly what was chosen).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if _is_text(field):
                _strip_before_cleaning(field)


def _is_text(field):
    return isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput)


def _strip_before_cleaning(field):
    multiline = isinstance(field.widget, forms.Textarea)
    to_python = field.to_python
    # Each form holds its own deep copy of its fields, so this changes only this form's field.
    field.to_python = lambda value: to_python(clean_text(value, multiline=multiline))
