"""Response headers and encodings every page gets: the features a page may use, how caches may
keep a signed-in page, and compression where it cannot leak a secret."""

import re

from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_cache_control, patch_vary_headers

try:
    import brotli
except ImportError:  # Brotli is optional: gzip alone then.
    brotli = None

# What compresses well; images, archives and fonts are compressed already.
COMPRESSIBLE = re.compile(
    r"^(text/|application/(json|[\w.+-]*\+json|atom\+xml|xml|[\w.+-]*\+xml|javascript|"
    r"x-research-info-systems|x-bibtex|vnd\.citationstyles\.csl\+json)|image/svg\+xml)"
)
ACCEPTS_BROTLI = re.compile(r"\bbr\b")


class PermissionsPolicyMiddleware:
    """Turn off the browser features the site never uses (camera, location...), so that nothing
    it shows, nor any script injected into it, can ask for them."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_OFF)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class PrivateCacheControlMiddleware:
    """A page for a signed-in member is theirs alone: any response to them that does not say how
    it may be cached gets `Cache-Control: private`, so no shared cache on the way keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True)
        return response


def holds_a_secret(request, response):
    """A response that must never be compressed (BREACH): it is for a signed-in member, or it
    carries a CSRF token, whose bytes a compressed length would give away to an attacker who can
    put text of their own on the same page."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the page asked for the token
        return True
    return not response.streaming and b"csrfmiddlewaretoken" in response.content


class PublicCompressionMiddleware(GZipMiddleware):
    """Compress what is the same for every reader (pages, feeds, the API's JSON, open data) with
    Brotli where the browser takes it and the library is installed, gzip otherwise; never a
    response that holds a secret (`holds_a_secret`)."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "")
        if not COMPRESSIBLE.match(content_type) or holds_a_secret(request, response):
            return response
        accepted = request.META.get("HTTP_ACCEPT_ENCODING", "")
        if brotli is None or response.streaming or not ACCEPTS_BROTLI.search(accepted):
            return super().process_response(request, response)
        if len(response.content) < 200 or response.has_header("Content-Encoding"):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        compressed = brotli.compress(response.content, quality=5)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "br"
        return response
