"""Logging filters for the console log."""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """A refused request (a 4xx, or a Host header the site does not serve) is the client's
    mistake, not the site's: it is logged as one line, and the traceback is kept for server
    errors, so that a traceback in the log always means something to fix."""

    def filter(self, record):
        status = getattr(record, "status_code", None)
        if record.name.startswith("django.security.") or (status is not None and status < 500):
            record.exc_info = None
            record.exc_text = None
        return True
