"""The cache, in one idea: keys made from the data they show ("key-based expiration").

Whatever is cached, a reader's whole page or a fragment of one (a source's card, a rendered
discussion), is stored under a key that holds the `updated_at` of the rows it shows: a source's card
under the source's id and `updated_at`; a page that lists the library under the newest `updated_at`
of any source, which one indexed query reads (sources/library/page_keys.py). A write never deletes
or invalidates anything: it sets `updated_at` on the rows it changes (`save()` does, and so does
every `.update()` of a source, a theme or a reading list, counters moved with `F()` included: their
querysets' `update` add it), so the next read works out a different key and misses, while the entry
under the old key is never read again and ages out.

A key may follow part of a row: a source's `record_updated_at` moves with every change but its
counters' and other rows' touches, and what listings are filtered and counted by follows it, so
a comment does not make every listing count the library again (sources/library/page_keys.py).

A row whose changes show on another row's page says so with `touches` (Rails' `touch: true`):
saving or deleting a comment sets `updated_at` on its source or theme, an endorsement on its
source, a link check or a correction notice on its source. `connect_touches()` reads that
attribute on every model, so a new model needs one line and no receiver of its own.

The few changes that no `updated_at` shows, and that reach every page, start a new
*generation*, a number in the database that every key holds: a member renamed (their name is on
their comments and sources), a theme or a tag edited (their names are on every card), a source,
theme or tag deleted, a migration, a bulk load.

Readers (nobody signed in, no message waiting) share one stored copy of each page
(`cached_page`); its ETag is its key, so a browser or feed reader revisiting it gets 304. A
signed-in person's page holds their name and a CSRF token: it is rendered afresh, from the same
fragments, and sent with `Cache-Control: private`.
Entries live in the shared cache ("pages": Redis in production), and each worker keeps its own
copy of those it read last ("local"): a key never names two values, so no copy can be stale, and
an entry read again costs no round trip. An entry that another version of the code wrote (a class
it holds has moved) cannot be read, and is a miss.
"""

import contextlib
import hashlib
import pickle
import time
from datetime import datetime
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.db import DatabaseError, models
from django.db.models.signals import post_delete, post_save
from django.http import QueryDict
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, urlencode

CACHE_ALIAS = "pages"
# Each process's own copy of the entries it read last: a key never names two values, so a copy
# can never be stale, and an entry read again costs no round trip to the shared cache.
LOCAL_ALIAS = "local"
# Pages and fragments that show relative times ("5 minutes ago") are kept this long at most.
PAGE_TIMEOUT = 60
# The others are exact while their key holds: their timeout only bounds how long an unread one
# takes room.
FRAGMENT_TIMEOUT = 24 * 60 * 60


def _cache():
    return caches[CACHE_ALIAS]


# What an entry written by another version of the code raises when read (a class it holds was
# moved or renamed): such an entry is a miss, worked out again and written over.
UNREADABLE = (ImportError, AttributeError, EOFError, TypeError, pickle.UnpicklingError)


def _get(key, timeout):
    return _get_many([key], timeout).get(key)


def _get_many(keys, timeout):
    """The entries at `keys` found in this process's copy or, for the others, in one read of the
    shared cache (copied here for `timeout` seconds)."""
    local = caches[LOCAL_ALIAS]
    found = _readable(local.get_many, keys)
    wanted = [key for key in keys if key not in found]
    if wanted:
        shared = _readable(_cache().get_many, wanted)
        local.set_many(shared, timeout)
        found.update(shared)
    return found


def _readable(get_many, keys):
    try:
        return get_many(keys)
    except UNREADABLE:
        return {}


def _set_many(entries, timeout, *, copy_here=False):
    """Store `entries` in the shared cache and, with `copy_here`, in this process's copy. A
    fragment is copied here when first read, not when written: most of what a first visit
    writes (a page's rows and cards) is not read again by this process, and a copy costs
    pickling it a second time."""
    _cache().set_many(entries, timeout)
    if copy_here:
        caches[LOCAL_ALIAS].set_many(entries, timeout)


# Generations


def new_generation():
    """Start a new generation: every key changes. For the rare changes no `updated_at` shows."""
    generations = apps.get_model("qlibrary", "CacheGeneration").objects
    if not generations.filter(pk=1).update(number=models.F("number") + 1):
        generations.get_or_create(pk=1)


def new_generation_on_change(sender, **kwargs):
    """A receiver, connected for the models whose change no `updated_at` shows."""
    new_generation()


def new_generation_after_migrate(**kwargs):
    # Data migrations write through historical models, which set no `updated_at` of their own.
    with contextlib.suppress(DatabaseError):  # no table yet (a migration of another database)
        new_generation()


# Touching what a row shows on


def touch(model, pks):
    """Set `updated_at` on these rows of `model` to now: what they show has changed."""
    pks = [pk for pk in pks if pk is not None]
    if pks:
        model._base_manager.filter(pk__in=pks).update(updated_at=timezone.now())


def _touch_related(sender, instance, **kwargs):
    for name in sender.touches:
        field = sender._meta.get_field(name)
        touch(field.related_model, [getattr(instance, field.attname)])


def connect_touches():
    """For every model with `touches = [names of foreign keys]`, saving or deleting a row sets
    `updated_at` on the rows those keys point to."""
    for model in apps.get_models():
        if getattr(model, "touches", None):
            uid = f"touch:{model._meta.label}"
            post_save.connect(_touch_related, sender=model, dispatch_uid=uid)
            post_delete.connect(_touch_related, sender=model, dispatch_uid=uid)


class TouchingQuerySet(models.QuerySet):
    """A queryset whose `.update()` sets `updated_at` too, unless it is given: a counter moved
    with `F()` changes what the row's pages show, like any save."""

    def update(self, **kwargs):
        kwargs.setdefault("updated_at", timezone.now())
        return super().update(**kwargs)


# Keys


def key(*parts):
    """A cache key for these parts (strings, numbers, datetimes, None), short whatever they hold."""
    text = "|".join(_text(part) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()


def _text(part):
    if isinstance(part, datetime):
        return f"{part.timestamp():.6f}"
    return str(part)


def newest(parts):
    """The latest datetime among a key's parts, or None: a page's Last-Modified."""
    times = [part for part in parts if isinstance(part, datetime)]
    return max(times, default=None)


# Fragments


def fragment(name, parts, compute, *, timeout=FRAGMENT_TIMEOUT):
    """The value cached under `name` and `parts` (what it shows, with their `updated_at`), or
    `compute()` stored there."""
    entry_key = f"fragment:{name}:{key(*parts)}"
    value = _get(entry_key, timeout)
    if value is None:
        value = compute()
        _set_many({entry_key: value}, timeout)
    return value


def fragments(entries, compute, *, timeout=FRAGMENT_TIMEOUT):
    """Many values at once: `entries` maps each value's name to its key parts; `compute(names)`
    returns the missing ones as {name: value}, leaving out any it cannot make (a row deleted
    since), which the answer leaves out too. One cache round trip when all are there."""
    keys = {name: f"fragment:{name}:{key(*parts)}" for name, parts in entries.items()}
    stored = _get_many(list(keys.values()), timeout) if keys else {}
    found = {name: stored[k] for name, k in keys.items() if k in stored}
    missing = [name for name in entries if name not in found]
    if missing:
        computed = compute(missing)
        _set_many({keys[name]: value for name, value in computed.items()}, timeout)
        found.update(computed)
    return {name: found[name] for name in entries if name in found}


# Whole pages


def cached_page(*, page_key, parameters=(), relative_times=True):
    """Serve readers this page from the cache under a key made from the address and
    `page_key(**url_kwargs)`: a tuple read in one query (sources/library/page_keys.py), None when
    there is nothing at that address; the view finds it in `request.page_key`, for its fragments.
    `parameters` are the query parameters the page reads (any other is dropped before the view
    runs, so it cannot make a new key). With `relative_times`, a page
    is kept PAGE_TIMEOUT at most and its ETag changes as often, so "5 minutes ago" stays true."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            # The view may key its fragments by it too (`request.page_key`).
            parts = request.page_key = page_key(**kwargs)
            if request.user.is_authenticated:
                return private(view(request, *args, **kwargs))
            request.GET = _only(request.GET, parameters)
            stored_for_readers = settings.PAGE_CACHE and request.method in ("GET", "HEAD")
            if parts is None or not stored_for_readers:
                return view(request, *args, **kwargs)  # nothing there (a 404), or not stored
            if len(messages.get_messages(request)):
                response = view(request, *args, **kwargs)
                patch_vary_headers(response, ["Cookie"])
                return response
            if relative_times:
                parts = (*parts, int(time.time() // PAGE_TIMEOUT))
            # The address with only the parameters the page reads (`?utm_source=` makes no copy).
            address = request.build_absolute_uri(request.path) + "?" + request.GET.urlencode()
            entry_key = "page:" + key(address, *parts)
            timeout = PAGE_TIMEOUT if relative_times else FRAGMENT_TIMEOUT
            response = _get(entry_key, timeout)
            if response is None:
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.streaming:
                    patch_vary_headers(response, ["Cookie"])
                    return response
                response.headers.pop("Last-Modified", None)
                _for_readers(response, entry_key, parts)
                if _can_store(request, response):
                    # Copied here too: a page pickles cheaply (its HTML is bytes).
                    _set_many({entry_key: response}, timeout, copy_here=True)
            changed = newest(parts)
            if relative_times:
                period_start = timezone.make_aware(datetime.fromtimestamp(parts[-1] * PAGE_TIMEOUT))
                changed = max(changed, period_start) if changed else period_start
            return _last_modified(response, changed)

        return wrapper

    return decorator


def private_page(view):
    """A page only members see: rendered afresh, never stored by any cache on the way."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return private(view(request, *args, **kwargs))

    return wrapper


def private(response):
    # Revalidated by ConditionalGetMiddleware against an ETag of the content itself.
    response.headers.pop("Last-Modified", None)
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def _only(query, parameters):
    """The query string reduced to the parameters a page reads (the last value of each)."""
    kept = [(name, query[name]) for name in parameters if query.get(name)]
    return QueryDict(urlencode(kept))


def _for_readers(response, entry_key, parts):
    """Vary on the cookie (members get another page) and give the key as the ETag."""
    response.headers["ETag"] = f'W/"{entry_key[5:45]}"'
    patch_cache_control(response, no_cache=True)
    patch_vary_headers(response, ["Cookie"])


def _last_modified(response, changed):
    """Last-Modified counts whole seconds: only once the second of the last change is over can no
    later write share it (so an If-Modified-Since with it is never answered 304 wrongly); until
    then the ETag alone. A feed sets its own from its newest entry, which a retired source leaves
    as it was: only the key says when the page changed."""
    response.headers.pop("Last-Modified", None)
    if changed is not None and time.time() - changed.timestamp() >= 1:
        response.headers["Last-Modified"] = http_date(int(changed.timestamp()))
    return response


def _can_store(request, response):
    """Only a page that is the same for every reader: no cookie set, no message shown, no form
    token (which belongs to one browser)."""
    used_messages = getattr(messages.get_messages(request), "used", False)
    return (
        not response.cookies
        and not used_messages
        and b'name="csrfmiddlewaretoken"' not in response.content
    )


def clear():
    """Empty the cache of pages and fragments, and this process's copy (a deleted member's name
    is in some); other processes' copies are under keys of the past generation, read no more,
    and expire within a day."""
    for cache in (_cache(), caches[LOCAL_ALIAS]):
        cache.clear()
