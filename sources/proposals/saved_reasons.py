"""Ready-made reasons for moderators' decisions: the words a moderator would otherwise type again
and again. The review page offers them beside the reason box; a chosen one is added to the box,
where the moderator can still change it. Edit this list to change what is offered."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SavedReason:
    key: str
    title: str
    text: str


SAVED_REASONS = [
    SavedReason(
        "out-of-scope",
        "Outside the themes",
        "It does not fit any of the library's themes: please say how it bears on one of them, "
        "or propose it where it belongs.",
    ),
    SavedReason(
        "duplicate",
        "Already in the library",
        "The library already holds this work; please endorse or comment on it there instead.",
    ),
    SavedReason(
        "link",
        "The link does not work",
        "The link does not open the work itself: please give an address that does, or its DOI.",
    ),
    SavedReason(
        "summary",
        "Say why it matters",
        "Please say in the summary, in your own words, why it matters for improvement and who "
        "would find it useful.",
    ),
    SavedReason(
        "interest",
        "Declare an interest",
        "Please declare any interest you have in it (for example if you wrote it, or your "
        "organisation published or sells it), as the community guidelines ask.",
    ),
    SavedReason(
        "promotional",
        "Promotional material",
        "It promotes a product or service rather than sharing evidence, which the community "
        "guidelines do not allow.",
    ),
    SavedReason(
        "details",
        "Details missing",
        "Please complete its details (authors, year and publisher or journal) so that readers "
        "can find and cite it.",
    ),
]
BY_KEY = {reason.key: reason for reason in SAVED_REASONS}


def with_saved_reason(text, key):
    """`text` with the saved reason `key` added after it (unchanged for an unknown key)."""
    reason = BY_KEY.get(key)
    if reason is None:
        return text
    text = (text or "").strip()
    return f"{text}\n\n{reason.text}" if text else reason.text
