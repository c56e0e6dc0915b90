"""The distinct run's addresses (bench/run.py): each one a valid page, most of them different.

Also read by bench/page_work.py --first-visits, so that its first visits are the run's kind of
address. Called with Django set up.
"""

import math
import random
import re
from urllib.parse import quote

KINDS = ("source pages", "searches", "library pages", "theme pages")


def distinct_addresses(wanted, seed=1):
    """`wanted` addresses as (kind, path), in every 20: 10 source pages among all approved
    sources, 4 searches for a word of a title, 3 pages of the library listing and 3 of a theme's,
    up to the last; and what they were drawn from (the words, the library's pages, the themes)."""
    from django.conf import settings
    from django.urls import reverse

    from sources.models import Source, Theme

    rng = random.Random(seed)  # noqa: S311 - picks addresses, no secret
    library = Source.objects.approved()

    def last_page(count):
        return max(1, math.ceil(count / settings.LIBRARY_PAGE_SIZE))

    slugs = list(library.values_list("slug", flat=True))
    words = sorted(
        {
            word.lower()
            for title in library.values_list("title", flat=True)
            for word in re.findall(r"[^\W\d_]{4,}", title)
        }
    )
    themes = [
        (theme.get_absolute_url(), last_page(library.in_theme(theme).count()))
        for theme in Theme.objects.all()
    ]
    browse_last = last_page(len(slugs))
    addresses = []
    for index in range(wanted):
        share = index % 20
        if share < 10:
            kind, path = "source pages", reverse("sources:detail", args=[rng.choice(slugs)])
        elif share < 14:
            kind, path = "searches", "/sources/?q=" + quote(rng.choice(words))
        elif share < 17:
            kind, path = "library pages", f"/sources/?page={rng.randint(1, browse_last)}"
        else:
            theme, last = rng.choice(themes)
            kind, path = "theme pages", f"{theme}?page={rng.randint(1, last)}"
        addresses.append((kind, path))
    drawn_from = {"words": len(words), "library_pages": browse_last, "themes": len(themes)}
    return addresses, drawn_from
