"""Whole pages cached for readers, with exact invalidation.

Readers without a session (no sign-in, no pending message) get the library's pages from the
shared cache. Every cached page is filed under the library's current version, and any write that
readers could see (a decision, an endorsement, a comment, an edit, a profile change) moves the
version on, so the very next read renders the page afresh. The version moves both at once and
when the transaction commits: a page rendered from data that was not yet committed is filed
under a version nobody asks for after the commit.
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
PAGE_TIMEOUT = 60 * 60
# Models whose rows readers see on some page; a change to any of them invalidates every page.
WATCHED_APPS = {"sources", "comments", "qlibrary", "taggit"}


def current_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return version


def _move_version():
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def library_changed():
    """Invalidate every cached page now and again once the current transaction commits."""
    _move_version()
    pending = transaction.get_connection().run_on_commit
    if not any(callback is _move_version for _, callback, _ in pending):
        transaction.on_commit(_move_version)


def _is_plain_reader(request):
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
    )


def cache_for_readers(view):
    """Serve the page from the shared cache to readers without a session; others get it fresh."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _is_plain_reader(request):
            return view(request, *args, **kwargs)
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"page:{current_version()}:{path}"
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.cookies:
                cache.set(key, response, PAGE_TIMEOUT)
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper


def _on_change(sender, **kwargs):
    # Migrations save through historical models, before the cache table may even exist.
    if sender._meta.app_label in WATCHED_APPS and sender._meta.apps is apps:
        library_changed()


def watch_library_changes():
    """Connect the invalidation to every save and delete of the watched apps' rows."""
    post_save.connect(_on_change, dispatch_uid="page_cache_save")
    post_delete.connect(_on_change, dispatch_uid="page_cache_delete")
    m2m_changed.connect(_on_change, dispatch_uid="page_cache_m2m")
