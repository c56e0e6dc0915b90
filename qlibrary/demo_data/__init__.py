"""Invented demo data at scale: members, sources, endorsements and discussions.

Used by `manage.py generate_demo_data` to see how the library behaves with thousands of sources
and a hundred thousand comments. Generation has two steps, each in its own module:

* planner.make_plan() decides everything from the seed alone, with the word lists of words.py;
* inserter.generate() writes the plan in bulk, then sets the denormalized counts exactly and (on
  PostgreSQL) the search vectors, through the same queryset method the library uses.

This package lives in the site app because it writes to both `sources` and `comments`.
"""

from .inserter import Reporter, generate
from .planner import (
    DEFAULTS,
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    Counts,
    DemoDataError,
    comment_bodies,
    make_plan,
)

__all__ = [
    "DEFAULTS",
    "DEMO_DOMAIN",
    "DEMO_PASSWORD",
    "Counts",
    "DemoDataError",
    "Reporter",
    "comment_bodies",
    "generate",
    "make_plan",
]
