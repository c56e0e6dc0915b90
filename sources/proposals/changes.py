"""What a proposer changed after a moderator sent the proposal back.

When a moderator asks for changes, the proposal's fields are kept in the event's snapshot; on
resubmission the review page compares them with the proposal as it now stands, field by field,
and shows each changed field word by word (difflib over words, spaces and punctuation).
"""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from sources.evidence.contributors import as_lines
from sources.models import ModerationEvent, Source
from sources.proposals.forms import SourceForm

# The fields a member describes a source with, in the order the proposal form shows them.
FIELDS = SourceForm.Meta.fields
LABELS = {"themes": "Themes", "tags": "Tags"}
CHOICES = {"kind": dict(Source.Kind.choices), "stance": dict(Source.Stance.choices)}


# Words, runs of punctuation and runs of white space: the units a change is shown in.
TOKENS = re.compile(r"\w+|[^\w\s]+|\s+")
# Screen readers do not all announce <del> and <ins>, so each says what it is.
REMOVED = '<del><span class="visually-hidden">removed: </span>{}</del>'
ADDED = '<ins><span class="visually-hidden">added: </span>{}</ins>'


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str

    @property
    def diff(self):
        """The change word by word, as safe HTML."""
        return word_diff(self.before, self.after)


def word_diff(before, after):
    """Safe HTML of `after` compared with `before`: the words that went in <del>, the words that
    came in <ins>, the rest as it was; every word escaped."""
    old, new = TOKENS.findall(before), TOKENS.findall(after)
    parts = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            parts.append(escape("".join(new[new_start:new_end])))
            continue
        # The spaces around a change are the new text's, unmarked: a mark holds words only.
        removed = "".join(old[old_start:old_end]).strip()
        if removed:
            parts.append(format_html(REMOVED, removed))
        added = "".join(new[new_start:new_end])
        core = added.strip()
        if not core:
            parts.append(escape(added))
            continue
        start = added.index(core)
        parts.append(escape(added[:start]))
        parts.append(format_html(ADDED, core))
        parts.append(escape(added[start + len(core) :]))
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 (each part escaped)


def snapshot(source):
    """The proposal's fields as plain JSON values (themes by title, tags by name, sorted)."""
    values = {name: getattr(source, name) for name in FIELDS if name not in ("themes", "tags")}
    values["themes"] = sorted(theme.title for theme in source.themes.all())
    values["tags"] = sorted(tag.name for tag in source.tag_list)
    return values


def changes_since(before, source):
    """Each field whose value differs between the snapshot `before` and `source`, in words."""
    after = snapshot(source)
    return [
        Change(label=_label(name), before=_shown(name, before[name]), after=_shown(name, value))
        for name, value in after.items()
        if name in before and before[name] != value
    ]


def resubmitted_changes(source, events):
    """What changed since the last request for changes, if the proposal came back after it.

    `events` is the source's event history (any order); returns (request event, changes) or
    (None, []) when the proposal was never sent back, or is still waiting for its proposer.
    """
    ordered = sorted(events, key=lambda event: (event.created_at, event.pk))
    requests = [
        index
        for index, event in enumerate(ordered)
        if event.action == ModerationEvent.Action.REQUEST_CHANGES and event.snapshot
    ]
    if not requests:
        return None, []
    request = ordered[requests[-1]]
    resubmitted = any(
        event.action == ModerationEvent.Action.RESUBMIT for event in ordered[requests[-1] + 1 :]
    )
    if not resubmitted:
        return None, []
    return request, changes_since(request.snapshot, source)


def _label(name):
    if name in LABELS:
        return LABELS[name]
    label = str(Source._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def _shown(name, value):
    if name == "contributors":
        return "; ".join(as_lines(value or []).splitlines())
    if name in CHOICES:
        return str(CHOICES[name].get(value, value))
    if isinstance(value, list):
        return ", ".join(value)
    return "" if value is None else str(value)
