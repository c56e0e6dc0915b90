"""The deployment files agree with the settings: docker-compose.yml, .env.example, --deploy."""

import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
SETTINGS_FILE = ROOT / "qlibrary" / "settings.py"

# Read by docker-compose's PostgreSQL container, not by the app.
COMPOSE_ONLY = {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"}

# The management commands the scheduler service runs on its loop.
PERIODIC_COMMANDS = [
    "send_queued_email",
    "check_links",
    "check_retractions",
    "send_digests",
    "export_open_data",
]


def read_env_example():
    """The NAME=value lines of .env.example, values unquoted as a POSIX shell would."""
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        assert sep and re.fullmatch(r"[A-Z][A-Z0-9_]*", name), f"not NAME=value: {line!r}"
        words = shlex.split(value)
        assert len(words) <= 1, f"{name}: quote a value with spaces"
        values[name] = words[0] if words else ""
    return values


def settings_variables():
    """Names qlibrary/settings.py reads through env(), envbool(), envint(), envlist() and
    envnetworks()."""
    pattern = r"\benv(?:bool|int|list|networks)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']"
    return set(re.findall(pattern, SETTINGS_FILE.read_text()))


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def web_environment(compose):
    environment = compose["services"]["web"]["environment"]
    if isinstance(environment, list):
        environment = dict(item.partition("=")[::2] for item in environment)
    return environment


def command_text(service):
    command = service.get("command") or service.get("entrypoint") or ""
    return command if isinstance(command, str) else " ".join(command)


def test_settings_read_the_variables_the_checks_rely_on():
    # Guards the regular expression: if it stopped matching, the set comparisons would be empty.
    assert {"SECRET_KEY", "DEBUG", "DATABASE_URL", "ALLOWED_HOSTS"} <= settings_variables()


def test_db_service_is_health_checked_with_pg_isready(compose):
    healthcheck = compose["services"]["db"]["healthcheck"]
    test = healthcheck["test"]
    assert "pg_isready" in (test if isinstance(test, str) else " ".join(test))
    assert {"interval", "timeout", "retries"} <= healthcheck.keys()


def test_db_service_keeps_its_data_in_a_named_volume(compose):
    volumes = compose["services"]["db"]["volumes"]
    named = {entry.split(":")[0] for entry in volumes}
    assert named & set(compose["volumes"])


def test_web_waits_for_a_healthy_database(compose):
    assert compose["services"]["web"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_web_points_at_the_db_service(web_environment):
    assert re.fullmatch(r"postgres://.+@db:5432/.+", web_environment["DATABASE_URL"])


def test_web_environment_provides_every_variable_the_settings_read(web_environment):
    required = {
        "DATABASE_URL",
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "SITE_URL",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_USE_TLS",
        "DEFAULT_FROM_EMAIL",
    }
    missing = (required | settings_variables()) - web_environment.keys()
    assert not missing, f"docker-compose.yml web.environment lacks {sorted(missing)}"
    assert web_environment["DEBUG"] in {"false", "${DEBUG:-false}"}


def test_web_migrates_seeds_and_serves_with_gunicorn(compose):
    command = command_text(compose["services"]["web"])
    migrate = command.index("manage.py migrate --no-input")
    seed = command.index("manage.py seed_library")
    gunicorn = command.index("gunicorn qlibrary.wsgi")
    assert migrate < seed < gunicorn
    assert "0.0.0.0:8000" in command
    assert "8000:8000" in compose["services"]["web"]["ports"]


@pytest.mark.parametrize("name", ["worker", "scheduler"])
def test_worker_and_scheduler_share_the_web_environment_and_wait_for_it(compose, name):
    service = compose["services"][name]
    assert service["environment"] == compose["services"]["web"]["environment"]
    assert service["depends_on"]["web"]["condition"] == "service_healthy"


def test_worker_runs_the_database_task_queue(compose):
    assert "manage.py db_worker" in command_text(compose["services"]["worker"])


def test_scheduler_runs_every_periodic_command(compose):
    command = command_text(compose["services"]["scheduler"])
    for name in PERIODIC_COMMANDS:
        assert f"manage.py {name}" in command


def test_make_run_starts_the_worker_beside_the_server():
    recipe = (ROOT / "Makefile").read_text().split("\nrun: ", 1)[1].split("\n\n", 1)[0]
    assert "manage.py db_worker" in recipe
    assert recipe.index("db_worker") < recipe.index("runserver")


def compose_tool():
    """docker-compose (Debian's package), else the `docker compose` plugin, else None."""
    if path := shutil.which("docker-compose"):
        return [path]
    if path := shutil.which("docker"):
        probe = subprocess.run(  # noqa: S603 (a path found on PATH, fixed arguments)
            [path, "compose", "version"], capture_output=True, text=True, check=False
        )
        if probe.returncode == 0:
            return [path, "compose"]
    return None


@pytest.fixture
def compose_config(tmp_path):
    """Runs `config -q` on docker-compose.yml, ignoring any local .env, with the given variables."""
    tool = compose_tool()
    if tool is None:
        pytest.skip("neither docker-compose nor `docker compose` is installed")
    empty_env_file = tmp_path / "empty.env"
    empty_env_file.write_text("")
    base = {k: v for k, v in os.environ.items() if k not in read_env_example()}

    def run(**variables):
        return subprocess.run(  # noqa: S603 (the compose tool found above, fixed arguments)
            [*tool, "--env-file", str(empty_env_file), "-f", str(COMPOSE_FILE), "config", "-q"],
            cwd=ROOT,
            env={**base, **variables},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    return run


def test_compose_file_is_valid(compose_config):
    result = compose_config(SECRET_KEY=secrets.token_urlsafe(64), POSTGRES_PASSWORD="pw")
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_without_a_secret_key(compose_config):
    result = compose_config(POSTGRES_PASSWORD="pw")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_env_example_passes_check_deploy_without_warnings():
    env = {
        **os.environ,
        **read_env_example(),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "qlibrary.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output


def test_env_example_leaves_the_secrets_blank():
    values = read_env_example()
    assert values["SECRET_KEY"] == ""
    assert values["POSTGRES_PASSWORD"] == ""
    assert values["DEBUG"] == "false"


def test_env_example_names_only_variables_something_reads():
    unread = read_env_example().keys() - settings_variables() - COMPOSE_ONLY
    assert not unread, (
        f".env.example names {sorted(unread)}, which qlibrary/settings.py never reads"
    )
    compose_text = COMPOSE_FILE.read_text()
    for name in COMPOSE_ONLY:
        assert "${" + name in compose_text


def test_env_example_names_every_variable_the_settings_read():
    missing = settings_variables() - read_env_example().keys()
    assert not missing, f".env.example lacks {sorted(missing)}, read by qlibrary/settings.py"


def test_pages_and_rate_limit_counters_get_two_bounded_redis_instances(compose, web_environment):
    counters = command_text(compose["services"]["redis"])
    pages = command_text(compose["services"]["redis-pages"])

    assert "--maxmemory-policy noeviction" in counters
    assert "--maxmemory-policy allkeys-lru" in pages
    assert "--maxmemory " in counters
    assert "--maxmemory " in pages
    assert "redis://redis:" in web_environment["REDIS_URL"]
    assert "redis://redis-pages:" in web_environment["PAGE_CACHE_REDIS_URL"]


def test_readme_configuration_table_names_every_variable_the_settings_read():
    readme = (ROOT / "README.md").read_text()
    missing = {name for name in settings_variables() if f"`{name}`" not in readme}
    assert not missing, f"README's configuration table lacks {sorted(missing)}"


def test_the_image_is_built_once_and_shared(compose):
    services = compose["services"]
    assert [name for name, service in services.items() if "build" in service] == ["web"]
    for name in ("worker", "scheduler"):
        assert services[name]["image"] == services["web"]["image"]


def test_env_example_names_each_variable_once():
    names = [
        line.split("=", 1)[0]
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#") and "=" in line
    ]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})
