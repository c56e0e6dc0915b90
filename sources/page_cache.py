"""Whole pages from the shared cache, with exact invalidation.

Each cached page is stored with the library's version at the time it was rendered, and any
write that a page could show (a decision, an endorsement, a comment, an edit, a profile or
account change) moves the version on, so the very next read renders the page afresh. The version
moves both at once and when the transaction commits: a page rendered from data that was not yet
committed carries a version that is already gone once the commit lands.
"""

import hashlib
import uuid
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.cache import patch_vary_headers

VERSION_KEY = "library:version"
MESSAGES_SESSION_KEY = "_messages"
# Short enough that relative times ("5 minutes ago") never drift far.
PAGE_TIMEOUT = 60
# Models whose rows readers see on some page; a change to any of them invalidates every page.
WATCHED_APPS = {"sources", "comments", "qlibrary", "taggit", "account", "auth"}
UNSEEN_FIELDS = {"last_login", "digest_sent_at"}


def current_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return version


def remember(name, compute):
    """A value derived from the library (counts, filter options), kept until the library changes."""
    key = f"derived:{current_version()}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, PAGE_TIMEOUT)
    return value


def _move_version():
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def library_changed():
    """Invalidate every cached page now and again once the current transaction commits."""
    _move_version()
    pending = transaction.get_connection().run_on_commit
    if not any(callback is _move_version for _, callback, _ in pending):
        transaction.on_commit(_move_version)


def _page_key(request):
    """The cache key of this request's page, or None when it must be rendered afresh.

    Readers without a session share one copy of each page; a signed-in member gets their own,
    filed under their session (it shows their name, their endorsements and their CSRF token).
    Nothing is served from the cache while a message waits to be shown.
    """
    if not settings.PAGE_CACHE:
        return None
    if request.method not in ("GET", "HEAD") or "messages" in request.COOKIES:
        return None
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return f"page:reader:{path}"
    if MESSAGES_SESSION_KEY in request.session:
        return None
    return f"page:session:{hashlib.sha256(session_key.encode()).hexdigest()}:{path}"


def cache_page(view):
    """Serve the page from the shared cache while the library has not changed since it was made.

    One round trip asks for the library's version and the page together; the page was stored
    with the version it was rendered at, so a page older than the last write is never served.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = _page_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY) or current_version()
        stored = found.get(key)
        if stored is not None and stored[0] == version:
            response = stored[1]
        else:
            response = view(request, *args, **kwargs)
            if _can_store(request, response):
                cache.set(key, (version, response), PAGE_TIMEOUT)
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper


def _can_store(request, response):
    messages = getattr(request, "_messages", None)
    shown_messages = messages is not None and messages.used
    return response.status_code == 200 and not response.cookies and not shown_messages


def _on_change(sender, update_fields=None, **kwargs):
    # Migrations save through historical models, before the cache table may even exist.
    if sender._meta.app_label not in WATCHED_APPS or sender._meta.apps is not apps:
        return
    # Signing in stamps last_login, and a digest digest_sent_at, which no page shows.
    if update_fields is not None and set(update_fields) <= UNSEEN_FIELDS:
        return
    library_changed()


def watch_library_changes():
    """Connect the invalidation to every save and delete of the watched apps' rows."""
    post_save.connect(_on_change, dispatch_uid="page_cache_save")
    post_delete.connect(_on_change, dispatch_uid="page_cache_delete")
    m2m_changed.connect(_on_change, dispatch_uid="page_cache_m2m")
