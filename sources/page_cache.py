"""Readers' whole pages from the "pages" cache, invalidated locally; conditional requests.

Who gets a cached page
    A reader (nobody signed in, no message waiting) shares one copy of each page with every
    other reader. A signed-in person's page shows their name, their buttons and a CSRF token,
    so it is rendered afresh and sent with `Cache-Control: private`; a session cookie whose
    session has ended (after log-out) is a reader's cookie and gets the readers' page.

What a cached page is filed under
    The scheme, host and path, and of the query string only the parameters that page reads (the
    view sees only those, so its links cannot carry the others); `?cachebust=1` is the same page.

Versions
    Each page depends on a few version keys, read in the same round trip as the page. A page is
    stored with the versions it was rendered at and served only while they are all current. A
    version is a timestamp with a random suffix: it gives readers' pages and feeds their ETag and
    Last-Modified, so ConditionalGetMiddleware answers a revalidating browser or feed reader
    with 304. A version that is lost (evicted) is replaced by a new one, which only costs renders.
    Versions move at once and again when the transaction commits, so a page rendered from data
    not yet committed carries a version that is gone once the commit lands.

Which write invalidates what (the one place to read and to change it):

    write                                              versions moved
    -------------------------------------------------  ---------------------------------------
    anything shown of a source: a decision, an edit,   source:<slug> and those of the sources
    its themes or tags                                 it supersedes; while the source is (or
                                                       was) in the library also library,
                                                       theme-sources:<slug> of its themes,
                                                       tag:<slug> of its tags, each of these
                                                       listings' listed:<listing>, and
                                                       member:<username> of its proposer
    an endorsement of a source (given, taken back)     the same but listed:<listing> and the
                                                       sources it supersedes; endorsements while
                                                       the source is (or was) in the library
    a comment on a source (post, edit, delete, hold,   the same but listed:<listing> and the
    hide, restore)                                     sources it supersedes: the listings
                                                       still list the same sources
    a comment on a theme (same actions)                theme:<slug>, themes
    a member's profile or account                      member:<username>, and the above for the
                                                       sources they proposed, endorsed or
                                                       commented on and the themes they
                                                       commented on or that feature their
                                                       reading lists
    a reading list featured on a theme (featured or    theme:<slug> of those themes, themes
    no longer, hidden, edited, deleted, its sources    (sources/lists/services.py)
    or followers counted)
    a site page (About, Guidelines...) in the admin    site-page:<slug>
    a member follows or stops following a theme or a   follows:<member id>
    source (a Follow saved or deleted)
    any change to a source but to its discussion,      open-proposals
    its deletion while open
    a theme or a tag itself (admin), a member          everything
    deleted, a link check's record deleted (admin), a
    migration, a bulk load

    page                   depends on
    ---------------------  ------------------------------------------------
    home                   library, themes, listed:library
    browse and search      library, listed:library (and endorsements read with them, for
                           the rows in the "most endorsed" order: `also_read`)
    evidence map           listed:library, endorsements
    theme page             theme:<slug>, theme-sources:<slug>,
                           listed:theme-sources:<slug> (endorsements read with them)
    theme's feed           theme:<slug>, theme-sources:<slug>
    source page            source:<slug>
    tag page               tag:<slug>, listed:tag:<slug> (endorsements read with them)
    member's profile       member:<username>
    new-sources feed       library
    About, Guidelines...   site-page:<slug>
    (every page also depends on `everything`; a listed:<listing> moves only with its listing,
    so it is named to be read with the page's other versions, for the parts that use it)

    Parts of pages, kept in the same cache and used whether or not whole pages are (`remember`,
    `remember_each`), so that a page rendered afresh costs little more than a cached one:

    part                                    depends on
    --------------------------------------  ------------------------------------------------
    a source card (sources/cards.py)        source:<slug>
    a source's data in the API's list       source:<slug>
    (sources/api.py `kept_source_data`)
    a discussion as readers, members or     source:<slug> or theme:<slug>; at most
    moderators see it (comments/            PAGE_TIMEOUT, for its relative times
    discussion.py `on_page`)
    what a source page shows of its themes, source:<slug>, and the day (citations of
    tags and endorsers (sources/views.py    web sources say "accessed" today)
    `source_facts`)
    the home page's two rows of cards       library (which moves with listed:library,
                                            endorsements and every card of the library)
    a listing's count, filter options and   what the listing lists: listed:library,
    rendered filter bar, a search's         listed:theme-sources:<slug> or listed:tag:<slug>
    ordered results (sources/filters.py)
    the drawn evidence map                  listed:library, endorsements
    the home page's theme cards (their      listed:library, themes
    sources and comments counted)
    a source's row, as its page shows it    source:<slug>
    (sources/views.py `kept_source`)
    a theme's row and the lists it features theme:<slug>
    ("Start here"), as its page shows them
    (sources/lists/featured.py)
    a listing page's rows (ids and slugs)   listed:<listing>; in the "most endorsed"
                                            order (and a search's results in it) also
                                            endorsements
    a listing page's cards, as one part     the listing: library, theme-sources:<slug>
    (sources/filters.py `page`)             or tag:<slug> (which every change to a card
                                            of theirs moves, as `sources_changed` says)
    a page of the API's list, whole         library
    the number of open proposals and a      open-proposals
    page's rows (for each theme, stance and
    order, sources/proposal_views.py)
    the themes in the proposals' filter     (everything alone)
    what a member follows (sources/         follows:<member id>
    following.py `followed`)
    (all also depend on `everything`; citations are filed under their own content instead,
    sources/citations.py, so they need no version; a listed:<listing> never moves without its
    listing, so a part kept under the listing is never older than one kept under listed:)

A count written through `.update()` moves its versions itself (comments/discussion.py
`adjust_count`) unless a row's own signal in the same transaction already did (an endorsement's);
saves and deletes of the models pages show (through the services, the admin or the shell) reach
these functions through the signals connected in `watch_library_changes()`, `comments.apps` and
`qlibrary.apps`, each for its own model only; `migrate` moves `everything`.
"""

import contextlib
import hashlib
import secrets
import time
from functools import partial, wraps

from asgiref.local import Local
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.db import DatabaseError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_save
from django.http import QueryDict
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, urlencode
from taggit.models import Tag

from .models import Endorsement, Follow, LinkHealth, Source, TaggedSource, Theme

CACHE_ALIAS = "pages"
# This process's own copy of the parts it used last (a LocMemCache): see `remember`.
PARTS_ALIAS = "parts"
# Short enough that relative times ("5 minutes ago") never drift far.
PAGE_TIMEOUT = 60
# Derived values (counts, filter bars, cards, the map) hold no relative time and are exact while
# their versions hold: their timeout only bounds how long an unread one takes room.
DERIVED_TIMEOUT = 24 * 60 * 60
# Sources that listings show, or showed until their last change (approved -> retired).
LISTED = (Source.Status.APPROVED, Source.Status.RETIRED)

EVERYTHING = "everything"
LIBRARY = "library"
THEMES = "themes"
# What the members' list of open proposals lists: moved by every change to any source (a new
# proposal, a decision, an edit, an endorsement), not by comments.
OPEN_PROPOSALS = "open-proposals"
# The endorsement counts of the library's sources, as orders and sums over many of them: the
# "most endorsed" order and the perspectives on the evidence map. An endorsement moves this
# instead of `listed`, so a listing's counts, filter options and pages in other orders outlive it.
# It never moves without the listings of the endorsed source (`sources_changed`): a listing's page
# follows its listing, and reads this version only for its rows (`cached_page(also_read=...)`).
ENDORSEMENTS = "endorsements"

# The query parameters each kind of page reads; any other is dropped before the view runs.
LISTING_PARAMETERS = ("stance", "kind", "tag", "year", "sort", "page")
SEARCH_PARAMETERS = ("q", "theme", *LISTING_PARAMETERS)
DISCUSSION_PARAMETERS = ("comments",)


def source_page(slug):
    return f"source:{slug}"


def theme_page(slug):
    return f"theme:{slug}"


def theme_sources(slug):
    return f"theme-sources:{slug}"


def listed(listing):
    """What a listing (LIBRARY, theme_sources(slug) or tag_page(slug)) lists: which sources, and
    everything it filters, counts and orders them by but endorsements. Moved with the listing
    by every change to its sources except to their discussions and endorsements, which change
    the counts on the cards (and, for an endorsement, ENDORSEMENTS): so the parts worked out
    from it (counts, filter bars, search results) outlive a comment and an endorsement."""
    return f"listed:{listing}"


def tag_page(slug):
    return f"tag:{slug}"


def member_page(username):
    return f"member:{username}"


def site_page(slug):
    return f"site-page:{slug}"


def follows(member_id):
    """What a member follows; read with the versions of every page they see."""
    return f"follows:{member_id}"


def _cache():
    return caches[CACHE_ALIAS]


def _version_key(name):
    # After "page:" and "derived:" in key order: the database cache culls the lowest keys first.
    # A name made from a long address (a made-up username) is hashed to keep keys short.
    if len(name) > 200:
        name = "hashed:" + hashlib.sha256(name.encode()).hexdigest()
    return f"v:{name}"


def _new_version():
    return f"{time.time():.6f}-{secrets.token_hex(4)}"


def _set_new_versions(names):
    versions = {name: _new_version() for name in names}
    _cache().set_many({_version_key(name): version for name, version in versions.items()}, None)
    _known_versions().update(versions)


# The versions read during the request being answered, each read once: a page made of several
# parts then costs one cache round trip for all their versions, and none for a part this process
# still holds at those versions. Outside a request (a command, a test calling a function) every
# read goes to the cache.
_request = Local()


def _start_request(**kwargs):
    _request.versions = {}


def _end_request(**kwargs):
    _request.versions = None


def _known_versions():
    known = getattr(_request, "versions", None)
    return {} if known is None else known


def _move(names):
    """Move these versions now and, inside a transaction, again once it commits."""
    names = sorted(set(names))  # one order for every writer: rows of a database cache are locked
    if not names:
        return
    _set_new_versions(names)
    if not transaction.get_autocommit():
        transaction.on_commit(partial(_set_new_versions, names))


def _current_versions_many(names, extra_keys):
    """The versions of `names` (made when missing) and the entries at `extra_keys` (a dict of
    those found), in one read; versions already read in this request are not read again."""
    cache = _cache()
    known = _known_versions()
    unknown = [name for name in names if name not in known]
    keys = [_version_key(name) for name in unknown]
    found = cache.get_many([*keys, *extra_keys]) if keys or extra_keys else {}
    for name, key in zip(unknown, keys, strict=True):
        version = found.get(key)
        if version is None:
            version = _new_version()
            if not cache.add(key, version, None):
                version = cache.get(key) or version
        known[name] = version
    versions = tuple(known[name] for name in names)
    return versions, {key: found[key] for key in extra_keys if key in found}


def _parts():
    return caches[PARTS_ALIAS]


# Writes: what each one invalidates (see the table above).


def library_changed():
    """Invalidate every page: after a bulk load, a migration, or a change to a theme or a tag."""
    _move([EVERYTHING])


# What changed of the sources, for `sources_changed`: anything, or only their discussions (the
# comment counts on their cards), or only their endorsements (the counts on their cards, and what
# is ordered or counted by endorsements).
ANYTHING, DISCUSSION, ENDORSED = "anything", "discussion", "endorsed"


def sources_changed(source_ids, *, what=ANYTHING):
    """The pages that show these sources (one query to find their themes, tags and proposers);
    what their listings list (`listed`) too when `what` is ANYTHING; ENDORSEMENTS when it is
    ENDORSED."""
    rows = Source.objects.filter(pk__in=list(source_ids)).values_list(
        "slug", "status", "themes__slug", "tags__slug", "proposer__username", "supersedes__slug"
    )
    names = set() if what == DISCUSSION else {OPEN_PROPOSALS}
    for slug, status, theme_slug, tag_slug, proposer, older in rows:
        names.add(source_page(slug))
        if older and what == ANYTHING:
            names.add(source_page(older))  # its page names this source as its successor
        if status in LISTED:
            listings = {LIBRARY}
            if theme_slug:
                listings.add(theme_sources(theme_slug))
            if tag_slug:
                listings.add(tag_page(tag_slug))
            names.update(listings)
            if what == ANYTHING:
                names.update(listed(listing) for listing in listings)
            elif what == ENDORSED:
                names.add(ENDORSEMENTS)  # with its listings: see ENDORSEMENTS
            if proposer:
                names.add(member_page(proposer))
    _move(names)


def source_changed(source):
    sources_changed([source.pk])


def theme_changed(theme):
    """A theme's own page and feed (its discussion) and the home page's theme cards."""
    _move([theme_page(theme.slug), THEMES])


def comment_changed(comment):
    """The pages that show a comment: those of its theme or its source."""
    if comment.theme_id is not None:
        _move([theme_page(slug) for slug in _theme_slugs([comment.theme_id])] + [THEMES])
    else:
        sources_changed([comment.source_id], what=DISCUSSION)


def member_changed(member):
    """Everything that shows a member's name or perspective, and their profile."""
    ids = Source.objects.order_by().values_list("pk", flat=True)
    proposed = ids.filter(proposer=member)
    source_ids = set(
        proposed.union(ids.filter(endorsements__member=member), ids.filter(comments__author=member))
    )
    slugs = Theme.objects.order_by().values_list("slug", flat=True)
    # The themes they commented on, and those whose "Start here" shows their lists.
    themes = slugs.filter(comments__author=member).union(
        slugs.filter(featured_lists__reading_list__owner=member)
    )
    names = {member_page(member.username)}
    names.update(theme_page(slug) for slug in set(themes))
    _move(names)
    if source_ids:
        sources_changed(source_ids)


def site_page_changed(page):
    """A page of the site's rules or promises (About, Guidelines...), edited in the admin."""
    _move([site_page(page.slug)])


def _theme_slugs(ids):
    return Theme.objects.filter(pk__in=ids).values_list("slug", flat=True)


# Pages.


def cached_page(*, depends_on, also_read=(), parameters=(), relative_times=True):
    """Serve readers this page from the page cache while the versions it depends on hold.

    `depends_on(**url_kwargs)` names the versions (besides `everything`): those of the page and
    of its parts, all read in the request's first cache round trip, so that a part this process
    holds at those versions costs none (`remember`). `also_read` names versions that only some
    of its parts use, read in that round trip too, which the whole page follows otherwise (the
    rows in the "most endorsed" order follow ENDORSEMENTS; the page, its listing). `parameters`
    are the query parameters the page reads. With `relative_times`, the ETag also changes each
    PAGE_TIMEOUT, so a revalidated page never keeps "5 minutes ago" for an hour.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            names = [EVERYTHING, *depends_on(**kwargs)]
            first_reads = [*names, *also_read]

            def render_afresh():
                _current_versions_many(first_reads, [])  # the parts' versions, in one round trip
                return view(request, *args, **kwargs)

            if request.user.is_authenticated:
                first_reads.append(follows(request.user.pk))  # their Follow buttons
                return _private(render_afresh())
            request.GET = _only(request.GET, parameters)
            if not settings.PAGE_CACHE or request.method not in ("GET", "HEAD"):
                return render_afresh()
            if len(messages.get_messages(request)):
                response = render_afresh()
                patch_vary_headers(response, ["Cookie"])
                return response
            key = _page_key(request)
            versions, found = _current_versions_many(first_reads, [key])
            versions, stored = versions[: len(names)], found.get(key)
            if stored is not None and stored[0] == versions:
                return _last_modified(stored[2], stored[1])
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                patch_vary_headers(response, ["Cookie"])
                return response
            changed = _mark_for_readers(response, key, versions, relative_times)
            response.headers.pop("Last-Modified", None)
            if _can_store(request, response):
                _cache().set(key, (versions, changed, response), PAGE_TIMEOUT)
            return _last_modified(response, changed)

        return wrapper

    return decorator


def read_first(names):
    """Read these versions (and `everything`) now, in one round trip, for the parts of a page
    that follow them: a page that is not a `cached_page` (a member's own) calls it first."""
    _current_versions_many([EVERYTHING, *names], [])


def private_page(view):
    """A page only members see: rendered afresh, never stored by any cache on the way."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return _private(view(request, *args, **kwargs))

    return wrapper


def _private(response):
    # Revalidated by ConditionalGetMiddleware against an ETag of the content itself.
    response.headers.pop("Last-Modified", None)
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def _only(query, parameters):
    """The query string reduced to the parameters a page reads (the last value of each)."""
    kept = [(name, query[name]) for name in parameters if query.get(name)]
    return QueryDict(urlencode(kept))


def _page_key(request):
    query = request.GET.urlencode()
    address = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    return "page:" + hashlib.sha256(address.encode()).hexdigest()


def _mark_for_readers(response, key, versions, relative_times):
    """Vary on the cookie (members get another page) and give the ETag; return the time the
    page's content last changed, for Last-Modified."""
    changed = max(_timestamp(version) for version in versions)
    tag = [key, *versions]
    if relative_times:
        period = int(time.time() // PAGE_TIMEOUT)
        changed = max(changed, period * PAGE_TIMEOUT)
        tag.append(str(period))
    response.headers["ETag"] = f'W/"{hashlib.sha256("|".join(tag).encode()).hexdigest()[:40]}"'
    patch_cache_control(response, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return changed


def _last_modified(response, changed):
    """Last-Modified counts whole seconds: only once the second of the last change is over can no
    later write share it (so an If-Modified-Since with it is never answered 304 wrongly); until
    then the ETag alone. A feed sets its own from its newest entry, which a retired source or an
    edited comment leaves as it was: only the versions say when the page changed."""
    if time.time() - changed >= 1:
        response.headers["Last-Modified"] = http_date(int(changed))
    else:
        response.headers.pop("Last-Modified", None)
    return response


def _timestamp(version):
    try:
        return float(version.partition("-")[0])
    except ValueError:
        return time.time()


def _can_store(request, response):
    """Only a page that is the same for every reader: no cookie set, no message shown, no form
    token (which belongs to one browser)."""
    used_messages = getattr(messages.get_messages(request), "used", False)
    return (
        not response.cookies
        and not used_messages
        and b'name="csrfmiddlewaretoken"' not in response.content
    )


def remember(name, compute, *, depends_on, timeout=DERIVED_TIMEOUT):
    """A value derived from the library (counts, filter options), kept while `depends_on` hold
    (and at most `timeout` seconds: PAGE_TIMEOUT for what shows relative times).

    Kept in the shared cache, and this process keeps its own copy ("parts" cache): a copy whose
    versions are current is used without reading the shared one. With the versions read once
    per request, the parts of a page that share them (a listing's options, count and filter bar)
    cost one round trip together. A value with a short `timeout` (relative times) is held only
    by the process that made it, so that no copy outlives the shared entry."""
    key = f"derived:{name}"
    names = [EVERYTHING, *depends_on]
    held = _parts().get(key)
    # The shared entry is read with the versions unless this process holds a copy to check.
    versions, found = _current_versions_many(names, [key] if held is None else [])
    if held is not None and held[0] == versions:
        return held[1]
    stored = found.get(key) if held is None else _cache().get(key)
    if stored is not None and stored[0] == versions:
        if timeout >= DERIVED_TIMEOUT:
            _parts().set(key, stored, timeout)
        return stored[1]
    value = compute()
    _cache().set(key, (versions, value), timeout)
    _parts().set(key, (versions, value), timeout)
    return value


def remember_each(entries, compute, *, timeout=DERIVED_TIMEOUT):
    """Many derived values at once, each kept while its own versions hold: `entries` maps each
    value's name to the versions it depends on (besides `everything`); `compute(names)` returns
    the missing ones as {name: value}, leaving out any it cannot make (a source deleted since
    the caller listed it), which are left out of the answer too. One cache round trip when every
    value is there."""
    if not entries:
        return {}
    keys = {name: f"derived:{name}" for name in entries}
    names = sorted({EVERYTHING, *(v for depends in entries.values() for v in depends)})
    versions, stored = _current_versions_many(names, list(keys.values()))
    current = dict(zip(names, versions, strict=True))
    found, wanted = {}, {}
    for name, depends in entries.items():
        expected = tuple(current[v] for v in (EVERYTHING, *depends))
        entry = stored.get(keys[name])
        if entry is not None and entry[0] == expected:
            found[name] = entry[1]
        else:
            wanted[name] = expected
    if wanted:
        computed = compute(list(wanted))
        made = {keys[name]: (wanted[name], computed[name]) for name in wanted if name in computed}
        _cache().set_many(made, timeout)
        found.update(computed)
    return {name: found[name] for name in entries if name in found}


# Signals: saves and deletes of the models pages show, each receiver for its own model.


def _on_source_saving(sender, instance, update_fields=None, **kwargs):
    # A slug changed in the admin: the page at the old address must not outlive it.
    if instance.pk is None or (update_fields is not None and "slug" not in update_fields):
        return
    old = Source.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
    if old and old != instance.slug:
        _move([source_page(old)])


def _on_source_saved(sender, instance, **kwargs):
    source_changed(instance)


def _on_source_deleted(sender, instance, **kwargs):
    # Its themes and tags are gone with it; a source that was listed may be on any listing.
    names = [source_page(instance.slug)]
    if instance.status in LISTED:
        names.append(EVERYTHING)
    elif instance.status in Source.OPEN_STATUSES:
        names.append(OPEN_PROPOSALS)
    _move(names)


def _on_links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A source's themes or tags: before a removal (the old ones) and after an addition."""
    if action not in ("pre_remove", "pre_clear", "post_add") or pk_set == set():
        return
    if not reverse:
        source_changed(instance)
    elif pk_set:
        sources_changed(pk_set)
    else:
        library_changed()


def _on_follow_changed(sender, instance, **kwargs):
    # Connected, so a theme or source deleted loads its follows to delete them one by one (two
    # cache writes each): they are few, and a member's buttons must not outlive them.
    _move([follows(instance.member_id)])


def _on_endorsement_changed(sender, instance, **kwargs):
    sources_changed([instance.source_id], what=ENDORSED)


def _on_everything_changed(sender, **kwargs):
    library_changed()


def _on_tag_saved(sender, instance, created, **kwargs):
    # A new tag is on no page yet; a renamed one is on cards and filter bars everywhere.
    if not created:
        library_changed()


def _on_member_saving(sender, instance, update_fields=None, **kwargs):
    if instance.pk is None or (update_fields is not None and "username" not in update_fields):
        return
    model = type(instance)
    old = model.objects.filter(pk=instance.pk).values_list("username", flat=True).first()
    if old and old != instance.username:
        _move([member_page(old)])


def _on_member_saved(sender, instance, created, update_fields=None, **kwargs):
    # Signing in stamps last_login, and a digest digest_sent_at, which no page shows.
    if update_fields is not None and set(update_fields) <= {"last_login", "digest_sent_at"}:
        return
    if created:
        _move([member_page(instance.username)])
    else:
        member_changed(instance)


def _after_migrate(sender, **kwargs):
    # Data migrations write through historical models, which send no signal to the receivers
    # above. Before `createcachetable` has run there is no page table, and nothing cached.
    with contextlib.suppress(DatabaseError):
        library_changed()


def watch_library_changes(app_config):
    """Connect the receivers for the sources app's models and the user model."""
    user = get_user_model()
    pre_save.connect(_on_source_saving, sender=Source, dispatch_uid="pages_source_saving")
    post_save.connect(_on_source_saved, sender=Source, dispatch_uid="pages_source_saved")
    post_delete.connect(_on_source_deleted, sender=Source, dispatch_uid="pages_source_deleted")
    m2m_changed.connect(
        _on_links_changed, sender=Source.themes.through, dispatch_uid="pages_source_themes"
    )
    m2m_changed.connect(_on_links_changed, sender=TaggedSource, dispatch_uid="pages_source_tags")
    for signal in (post_save, post_delete):
        signal.connect(_on_endorsement_changed, sender=Endorsement, dispatch_uid="pages_endorse")
        signal.connect(_on_follow_changed, sender=Follow, dispatch_uid="pages_follow")
        signal.connect(_on_everything_changed, sender=Theme, dispatch_uid="pages_theme")
    post_save.connect(_on_tag_saved, sender=Tag, dispatch_uid="pages_tag_saved")
    post_delete.connect(_on_everything_changed, sender=Tag, dispatch_uid="pages_tag_deleted")
    # Checks record their results through sources/link_health.py, which says what moved; a
    # record deleted in the admin takes its notice off the cards and pages too.
    post_delete.connect(
        _on_everything_changed, sender=LinkHealth, dispatch_uid="pages_link_health_deleted"
    )
    pre_save.connect(_on_member_saving, sender=user, dispatch_uid="pages_member_saving")
    post_save.connect(_on_member_saved, sender=user, dispatch_uid="pages_member_saved")
    post_delete.connect(_on_everything_changed, sender=user, dispatch_uid="pages_member_deleted")
    post_migrate.connect(_after_migrate, sender=app_config, dispatch_uid="pages_migrate")
    request_started.connect(_start_request, dispatch_uid="pages_request_started")
    request_finished.connect(_end_request, dispatch_uid="pages_request_finished")
