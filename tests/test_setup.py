"""Set-up traps: the steps a deployer knows (migrate, seed_library, gunicorn) serve the site on an
empty database; the 500 page needs nothing that may be missing; the admin cannot change a
source's status or decision behind the lifecycle's back."""

import os
import secrets
import subprocess
import sys

import pytest
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from comments.models import Comment, Flag
from sources.models import ModerationEvent, Source

from .factories import CommentFactory, MemberFactory, ProposalFactory
from .load import BASE_DIR, gunicorn_server, request

DATABASE_CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
    },
    "pages": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "page_cache"},
}


def cache_tables():
    return {"django_cache", "page_cache"} & set(connection.introspection.table_names())


def drop_cache_tables():
    with connection.cursor() as cursor:
        for table in cache_tables():
            cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")


# migrate alone makes the database cache tables


def test_migrate_creates_every_database_cache_table_then_seeding_works(live_themes):
    with override_settings(CACHES=DATABASE_CACHES):
        drop_cache_tables()
        assert cache_tables() == set()
        try:
            call_command("migrate", verbosity=0, interactive=False)

            assert cache_tables() == {"django_cache", "page_cache"}
            call_command("seed_library", verbosity=0)
            caches["pages"].set("probe", 1)
            assert caches["pages"].get("probe") == 1
        finally:
            caches["pages"].close()
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS page_cache")
    assert Source.objects.filter(status=Source.Status.APPROVED).exists()
    assert "django_cache" in connection.introspection.table_names()


def manage(*arguments, env):
    result = subprocess.run(  # noqa: S603 (this Python, fixed arguments)
        [sys.executable, "manage.py", *arguments],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_migrate_seed_and_gunicorn_serve_an_empty_database_with_debug_off(tmp_path):
    """What a deployer types, in order, on an empty SQLite file, with DEBUG off."""
    database_url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    secret_key = secrets.token_urlsafe(64)
    env = {
        **{name: value for name, value in os.environ.items() if name != "REDIS_URL"},
        "DJANGO_SETTINGS_MODULE": "qlibrary.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    manage("migrate", "--no-input", env=env)
    assert "Starter library: 23 sources added." in manage("seed_library", env=env)

    with gunicorn_server(
        settings_dict={"NAME": "unused"},
        secret_key=secret_key,
        workdir=tmp_path,
        workers=1,
        extra_env={"DATABASE_URL": database_url, "LOG_LEVEL": "INFO"},
    ) as server:
        home = request(server.port, "GET", "/", headers={"Host": "127.0.0.1"})
        library = request(server.port, "GET", "/sources/", headers={"Host": "127.0.0.1"})
        again = request(server.port, "GET", "/", headers={"Host": "127.0.0.1"})
        log = server.log_tail(20000)

    assert home.status == 200, home.body[:500]
    assert b"Propose a source" in home.body
    assert library.status == 200
    assert b"23 sources" in library.body or b"Skilled for improvement" in library.body
    assert again.status == 200
    assert "Traceback" not in log


# The 500 page


def test_the_500_page_renders_without_collected_static_files(client, settings, db):
    """DEBUG off uses the manifest storage, which raises for any file collectstatic never saw."""
    settings.DEBUG = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = "/nonexistent-static-root"
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        ManifestStaticFilesStorage().url("css/site.css")
    client.raise_request_exception = False

    with override_settings(ROOT_URLCONF="tests.failing_urls"):
        response = client.get("/fail/")

    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "/static/" not in page
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in page
    assert "style-src 'self' 'nonce-" in response["Content-Security-Policy"]


def test_other_pages_send_no_nonce(client, themes):
    assert "nonce" not in client.get(reverse("home"))["Content-Security-Policy"]


# The admin and the lifecycle


@pytest.fixture
def superuser(db):
    return MemberFactory(username="root", is_staff=True, is_superuser=True)


def admin_change_data(client, source):
    """The admin change form's own values for the source (what a browser would send back)."""
    form = (
        client.get(reverse("admin:sources_source_change", args=[source.pk]))
        .context["adminform"]
        .form
    )
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list | tuple):
            data[name] = [getattr(item, "pk", item) for item in value]
        elif value is not None:
            data[name] = value
    return data, form


def test_the_admin_change_form_cannot_set_a_sources_status_or_decision(
    client, superuser, proposer, theme
):
    proposal = ProposalFactory(proposer=proposer, themes=[theme], tags=["networks"])
    client.force_login(superuser)
    data, form = admin_change_data(client, proposal)
    assert not {"status", "decided_by", "decided_at", "decision_reason", "approved_at"} & set(
        form.fields
    )
    data.update(
        title="A corrected title",
        tags="networks",
        status=Source.Status.APPROVED,
        decided_by=superuser.pk,
        decision_reason="Approved behind the lifecycle's back",
        approved_at="2024-01-01 10:00:00",
    )

    response = client.post(reverse("admin:sources_source_change", args=[proposal.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    proposal.refresh_from_db()
    assert proposal.title == "A corrected title"
    assert (proposal.status, proposal.decided_by, proposal.decision_reason) == (
        Source.Status.PROPOSED,
        None,
        "",
    )
    assert proposal.approved_at is None
    assert not ModerationEvent.objects.exists()


def test_the_admin_change_page_points_to_the_review_page(client, superuser, proposer, theme):
    proposal = ProposalFactory(proposer=proposer, themes=[theme])
    client.force_login(superuser)

    page = client.get(reverse("admin:sources_source_change", args=[proposal.pk]))

    assert reverse("sources:review", args=[proposal.slug]) in page.content.decode()


def test_the_comment_admin_cannot_hide_move_or_add_comments_but_can_redact(
    client, superuser, theme, member
):
    comment = CommentFactory(theme=theme, author=member, body="Mrs Jones in bed 4 said so.")
    Flag.objects.create(comment=comment, member=MemberFactory(), reason=Flag.Reason.PATIENT_DATA)
    client.force_login(superuser)
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    form = client.get(url).context["adminform"].form
    assert set(form.fields) == {"body"}
    assert client.get(reverse("admin:comments_comment_add")).status_code == 403

    response = client.post(
        url,
        {
            "body": "A patient in bed 4 said so.",
            "status": Comment.Status.HIDDEN,
            "theme": "",
            "flags-TOTAL_FORMS": "1",
            "flags-INITIAL_FORMS": "1",
            "flags-MIN_NUM_FORMS": "0",
            "flags-MAX_NUM_FORMS": "1000",
            "flags-0-id": str(comment.flags.get().pk),
            "flags-0-comment": str(comment.pk),
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    comment.refresh_from_db()
    assert (comment.status, comment.theme) == (Comment.Status.VISIBLE, theme)
    assert "Mrs Jones" not in comment.body_html
    assert "A patient in bed 4 said so." in comment.body_html
    theme.refresh_from_db()
    assert theme.comment_count == 1
