"""Fixtures for tests that drive Chromium through Playwright (imported into conftest.py).

The system's Chromium is used (env CHROMIUM_PATH or /usr/bin/chromium), never a browser that
`playwright install` downloads. Without it, browser tests are skipped, unless REQUIRE_BROWSER=1
(as in CI) makes that a failure.
"""

import os
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connections

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}


def chromium_path():
    """The Chromium to drive, or skip (fail under REQUIRE_BROWSER=1) when there is none."""
    path = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
    if Path(path).is_file() and os.access(path, os.X_OK):
        return path
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"Chromium not found at {path}; REQUIRE_BROWSER=1 makes this a failure")
    pytest.skip(
        f"Chromium not found at {path}: browser tests skipped "
        "(install Debian's chromium or set CHROMIUM_PATH)"
    )


PASSWORD = "a-long-test-password"  # noqa: S105  (the factories' password)


def watched(page):
    """Give the page a modest timeout and collect its console errors in `page.console_errors`."""
    page.set_default_timeout(10_000)
    page.console_errors = []
    page.on(
        "console",
        lambda message: (
            page.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    return page


def new_page(browser_page):
    """A page in a new browser context (its own cookies), for a second person in the test."""
    return watched(browser_page.context.browser.new_context().new_page())


def log_in(page, base_url, username):
    """Log in through allauth's form and wait to be sent on to the home page."""
    page.goto(base_url + "/accounts/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(base_url + "/")


@pytest.fixture
def browser_page(monkeypatch):
    """A Playwright page in a fresh Chromium; its console errors collect in `page.console_errors`.

    Playwright's sync API runs an event loop in this thread, which trips Django's async-safety
    check for the database work the test does itself, so that check is switched off here.
    """
    path = chromium_path()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield watched(browser.new_page())
        finally:
            browser.close()
            # Inside Playwright's loop Django hands out other connection objects (they live in a
            # context-local); left open, they stop the test database from being dropped.
            connections.close_all()


@pytest.fixture
def live_themes(transactional_db):
    """The data migration's three themes, made again for a transactional (live server) test.

    The flush after each transactional test deletes rows that data migrations made, so they are
    re-created here from the migration's own function rather than restored with
    serialized_rollback, which would skip recreating content types and permissions on flush.
    """
    migration = import_module("sources.migrations.0002_create_themes")
    migration.create_themes(apps, schema_editor=None)
    return list(apps.get_model("sources", "Theme").objects.all())


@pytest.fixture
def live_site_pages(transactional_db):
    """The guidelines, about, privacy and contact pages, made again after a flush (as above)."""
    migration = import_module("qlibrary.migrations.0004_first_site_pages")
    migration.create_pages(apps, schema_editor=None)
