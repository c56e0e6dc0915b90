"""The console log keeps tracebacks for server errors only."""

import io
import logging
import logging.config
import sys

import pytest
from django.conf import settings
from django.core.exceptions import DisallowedHost, PermissionDenied


@pytest.fixture
def console():
    """The site's logging configuration, writing to a buffer we can read."""
    logging.config.dictConfig(settings.LOGGING)
    stream = io.StringIO()
    handler = logging.getLogger().handlers[0]
    handler.setStream(stream)
    yield stream
    logging.config.dictConfig(settings.LOGGING)


def raised(error):
    try:
        raise error
    except type(error):
        return sys.exc_info()


def test_a_refused_request_is_one_line_without_a_traceback(console):
    logging.getLogger("django.request").warning(
        "Forbidden (Permission denied): /moderation/",
        exc_info=raised(PermissionDenied("Only moderators can do that.")),
        extra={"status_code": 403},
    )
    logging.getLogger("django.security.DisallowedHost").error(
        "Invalid HTTP_HOST header: 'evil.example'.", exc_info=raised(DisallowedHost("evil"))
    )

    log = console.getvalue()
    assert "Forbidden (Permission denied): /moderation/" in log
    assert "Invalid HTTP_HOST header" in log
    assert "Traceback" not in log


def test_a_server_error_keeps_its_traceback(console):
    logging.getLogger("django.request").error(
        "Internal Server Error: /sources/",
        exc_info=raised(RuntimeError("broken")),
        extra={"status_code": 500},
    )

    assert "Traceback" in console.getvalue()
    assert "RuntimeError: broken" in console.getvalue()
