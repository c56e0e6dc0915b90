"""Run Q Library under gunicorn against the test database, and talk to it over HTTP.

For tests that need real concurrency (several worker processes writing at once), which Django's
test client and live_server (one process, one thread per request) cannot give. Only 127.0.0.1.
"""

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
SETTINGS_MODULE = "qlibrary_load_settings"
# The production settings, but static files collected into this run's own directory, so the
# manifest storage DEBUG=false uses works without touching the project's staticfiles/.
SETTINGS_TEXT = """from qlibrary.settings import *  # noqa: F403

STATIC_ROOT = {static_root!r}
"""


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict):
    """A postgres:// URL for the database Django is connected to (the test database)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


def server_environment(*, settings_dict, secret_key, workdir, extra=None):
    """Production-like settings (DEBUG off) over plain HTTP, with the test database."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name
        not in {
            "REDIS_URL",
            "PAGE_CACHE_REDIS_URL",
            "DATABASE_URL",
            "DJANGO_SETTINGS_MODULE",
            "PYTHONPATH",
        }
    }
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
        PYTHONPATH=os.pathsep.join([str(workdir), str(BASE_DIR)]),
        DATABASE_URL=database_url(settings_dict),
        DEBUG="false",
        # The test process's key: sessions made there (force_login) must be valid here.
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        # Nothing leaves the machine: e-mails are rendered, then kept in memory.
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra or {})
    return env


@dataclass
class Server:
    port: int
    log_path: Path

    def log_tail(self, chars=4000):
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError as error:
            return f"(no log: {error})"


@contextlib.contextmanager
def gunicorn_server(
    *, settings_dict, secret_key, workdir, workers=3, extra_env=None, startup_timeout=30
):
    """Start gunicorn (next to this Python) on a free loopback port; always stop it after."""
    workdir = Path(workdir)
    (workdir / f"{SETTINGS_MODULE}.py").write_text(
        SETTINGS_TEXT.format(static_root=str(workdir / "static"))
    )
    env = server_environment(
        settings_dict=settings_dict, secret_key=secret_key, workdir=workdir, extra=extra_env
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=120,
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    port = free_port()
    log_path = workdir / "gunicorn.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            [
                str(gunicorn),
                "qlibrary.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                "1",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        server = Server(port=port, log_path=log_path)
        try:
            _wait_until_healthy(process, server, startup_timeout)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _wait_until_healthy(process, server, timeout):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited with {process.returncode} before answering:\n" + server.log_tail()
            )
        try:
            response = request(server.port, "GET", "/healthz", timeout=2)
        except OSError as error:
            last = error
        else:
            if response.status == 200:
                return
            last = f"HTTP {response.status}: {response.body[:200]!r}"
        time.sleep(0.1)
    raise RuntimeError(
        f"gunicorn did not answer /healthz in {timeout} s (last: {last}):\n" + server.log_tail()
    )


@dataclass
class Response:
    status: int
    headers: list
    body: bytes
    seconds: float

    def header(self, name):
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)

    def set_cookies(self):
        return [value for key, value in self.headers if key.lower() == "set-cookie"]


def request(port, method, path, *, headers=None, body=None, timeout=15):
    """One request on a fresh connection; redirects are returned, never followed."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return Response(response.status, response.getheaders(), data, time.monotonic() - started)
    finally:
        connection.close()


@dataclass
class Browser:
    """A minimal cookie-keeping client for one member (not thread-safe: one per thread)."""

    port: int
    cookies: dict = field(default_factory=dict)

    def _headers(self, extra):
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        headers.update(extra or {})
        return headers

    def _keep(self, response):
        for header in response.set_cookies():
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path, headers=None):
        return self._keep(request(self.port, "GET", path, headers=self._headers(headers)))

    def post(self, path, data, headers=None):
        """A form POST carrying the CSRF cookie's token in X-CSRFToken.

        Cookies it sets (the messages cookie) are not kept: nothing here reads them back.
        """
        extra = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": self.cookies.get("csrftoken", ""),
            **(headers or {}),
        }
        body = urlencode(data).encode()
        return request(self.port, "POST", path, headers=self._headers(extra), body=body)
