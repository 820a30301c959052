"""
Real server processes: the site under gunicorn with production settings.

The tests that start servers use these, and so does benchmarks/run.py, so that
the site the benchmark measures is prepared and served the way the tests check it.
"""

import atexit
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANAGE = [sys.executable, str(ROOT / "manage.py")]


def use_project_python():
    """
    Run the script again under the project's virtualenv when another Python started it:
    the helpers below run manage.py and gunicorn with this interpreter.
    """
    try:
        import django  # noqa: F401
    except ImportError:
        venv_python = ROOT / ".venv" / "bin" / "python"
        if venv_python.exists() and Path(sys.executable).resolve() != venv_python.resolve():
            os.execv(str(venv_python), [str(venv_python), *sys.argv])
        sys.exit(f"{Path(sys.argv[0]).name} needs the project's virtualenv: run it with .venv/bin/python.")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_environment(folder, **extra):
    """Production settings on a database and cache of the test's own (SQLite file unless given)."""
    return {
        **os.environ,
        "DJANGO_SECRET_KEY": "server-test-secret-key",
        "DJANGO_DEBUG": "",
        "DATABASE_URL": f"sqlite:///{folder / 'site.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(folder / "static"),
        "DJANGO_CACHE_DIR": str(folder / "cache"),
        **extra,
    }


SETUP = (["migrate", "-v0"], ["loadcontent", "-v0"])

# What this process prepared once ("folder": SQLite database and static files,
# "postgres": a stopped cluster), copied for each site after the first.
prepared = {}
# The addresses of the PostgreSQL databases copied so (see prepared_postgres).
prepared_databases = set()


def run_setup(env, commands):
    for command in commands:
        subprocess.run(MANAGE + command, env=env, check=True, cwd=ROOT, capture_output=True)


def prepared_folder():
    """A folder with a site prepared on SQLite (site.sqlite3) and its static files (static/), made once."""
    if "folder" not in prepared:
        folder = Path(tempfile.mkdtemp(prefix="kb-prepared-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        run_setup(site_environment(folder), [*SETUP, ["collectstatic", "--noinput", "-v0"]])
        prepared["folder"] = folder
    return prepared["folder"]


def prepare_site(env):
    """
    The site of this environment migrated, with the seeds loaded and its static
    files collected. What the commands make is the same for every site, so the
    first site of the process is prepared by them and the next get a copy: its
    SQLite database file and static files (on PostgreSQL, see prepared_postgres).
    """
    url = env["DATABASE_URL"]
    if not url.startswith("sqlite:///") and url not in prepared_databases:
        run_setup(env, SETUP)
    folder = prepared_folder()
    if url.startswith("sqlite:///"):
        shutil.copyfile(folder / "site.sqlite3", url.removeprefix("sqlite:///"))
    shutil.copytree(folder / "static", env["DJANGO_STATIC_ROOT"], dirs_exist_ok=True)


def prepared_postgres():
    """
    A throwaway PostgreSQL server, started, whose database holds a prepared
    site: a copy of a cluster the process prepared once (prepare_site then
    leaves its database as it is).
    """
    from tests.postgres import ThrowawayPostgres

    if "postgres" not in prepared:
        template = ThrowawayPostgres()
        atexit.register(template.remove)
        template.start()
        run_setup(site_environment(Path(template.folder), DATABASE_URL=template.url), SETUP)
        template.stop()
        prepared["postgres"] = template
    server = ThrowawayPostgres(data_from=prepared["postgres"].data)
    server.start()
    prepared_databases.add(server.url)
    return server


def manage(env, *args):
    """manage.py with exactly this environment; raises where it fails."""
    return subprocess.run(MANAGE + list(args), env=env, check=True, cwd=ROOT, capture_output=True, text=True)


# Settings of a production deployment behind TLS (for the deploy checks).
PRODUCTION = {
    "DJANGO_SECRET_KEY": "k" * 10
    + "a-long-random-production-secret-key-for-the-deploy-check-only-1234567890",
    "DJANGO_HTTPS": "1",
    "DJANGO_HSTS_PRELOAD": "1",
    "DJANGO_ALLOWED_HOSTS": "kb.example.com",
    "DJANGO_TRUSTED_PROXIES": "10.0.0.2",
    "DJANGO_DEBUG": "",
}


def run_manage(*args, **env):
    """manage.py with these variables over this process's environment; its result, which the test judges."""
    return subprocess.run(
        MANAGE + list(args), env={**os.environ, **env}, cwd=ROOT, capture_output=True, text=True
    )


def add_superuser(env, name, password):
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        f"User.objects.create_superuser({name!r}, '{name}@example.com', {password!r})",
    )


WORKER_OPTIONS = ["--no-startup-delay", "--queue-name", "*", "--no-reload"]


def run_due_tasks(env):
    """What the task worker does, once: run every task that is due (the purges a change left), then exit."""
    manage(env, "db_worker", "--batch", "--interval", "0", *WORKER_OPTIONS, "-v0")


class Server:
    """A server process started in a session of its own, so that stop() can end its children too."""

    def wait_until_listening(self, name, output, seconds=60):
        """Return once the process accepts connections on self.port; stop it and raise if it never does."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"{name} did not start; its output:\n{output()}") from None
                time.sleep(0.1)

    def stop(self):
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class Gunicorn(Server):
    """
    gunicorn on a spare loopback port, started and answering. Without options it runs with
    gunicorn's defaults (no configuration file); options come before the port and workers,
    which therefore win over a configuration file's.
    """

    def __init__(self, env, log_path, workers=2, options=(), port=None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.command = [
            sys.executable,
            "-m",
            "gunicorn",
            *options,
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "outsourcing_kb.wsgi",
        ]
        # A session of its own, so that stop() can end the workers too if the master hangs.
        self.process = subprocess.Popen(
            self.command,
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(log_path, "w"),
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                # The balancer's own check: answers over plain HTTP even when HTTPS is required.
                urllib.request.urlopen(f"{self.url}/health/", timeout=5)
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"gunicorn did not start; its log:\n{self.log_tail(40)}") from None
                time.sleep(0.2)

    def log_tail(self, lines=20):
        try:
            return "\n".join(Path(self.log_path).read_text(errors="replace").strip().splitlines()[-lines:])
        except OSError:
            return "(no log)"


VARNISH_VCL = ROOT / "outsourcing_kb" / "varnish" / "site.vcl"


def varnishd():
    """The varnishd program (Debian puts it in /usr/sbin), or None."""
    return shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin:/usr/local/sbin")


class Varnish(Server):
    """
    varnishd in the foreground on a spare loopback port, with the repository's
    VCL in front of one app server: only backends.vcl is the test's own.
    """

    def __init__(self, backend_url, folder, port=None):
        folder.mkdir(parents=True, exist_ok=True)
        backend = urllib.parse.urlsplit(backend_url)
        (folder / "backends.vcl").write_text(
            f'backend default {{ .host = "{backend.hostname}"; .port = "{backend.port}"; }}\n'
            'acl purgers { "127.0.0.1"; }\n'
        )
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / "varnishd.log"
        self.command = [
            varnishd(),
            "-F",
            # As root it would drop to the varnish user, who may not read the test's folder.
            "-j",
            "none",
            "-a",
            f"127.0.0.1:{self.port}",
            "-f",
            str(VARNISH_VCL),
            "-p",
            f"vcl_path={folder}:{VARNISH_VCL.parent}",
            "-n",
            str(folder / "state"),
            "-s",
            "malloc,256m",
        ]
        self.process = subprocess.Popen(
            self.command,
            cwd=folder,
            stdout=open(self.log_path, "w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_until_listening("varnishd", lambda: self.log_path.read_text(errors="replace")[-3000:])


def redis_server_program():
    """The redis-server program (Debian's redis-server package), or None."""
    return shutil.which("redis-server") or shutil.which("redis-server", path="/usr/bin:/usr/sbin")


class Redis(Server):
    """A throwaway redis-server on a spare loopback port, as production runs it: a cache, nothing on disk."""

    def __init__(self, folder):
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.command = [
            redis_server_program(),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
            "--maxmemory",
            "64mb",
            "--maxmemory-policy",
            "allkeys-lru",
        ]
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.wait_until_listening("redis-server", lambda: "(not kept)")


class TaskWorker(Server):
    """The task worker (manage.py db_worker) in the background, as production runs it beside gunicorn."""

    def __init__(self, env, log_path, interval=0.1):
        self.log_path = log_path
        self.process = subprocess.Popen(
            MANAGE + ["db_worker", "--interval", str(interval), *WORKER_OPTIONS, "-v1"],
            env=env,
            cwd=ROOT,
            stdout=open(log_path, "w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


# Talking to a site as a browser does -------------------------------------------------------


def browser_session():
    """An HTTP client that keeps cookies, as a browser does: (opener, cookie jar)."""
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def fetch(opener, url, data=None, headers=None):
    """GET, or POST ``data``, through an opener: (status, headers, text), errors too."""
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def csrf_token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def sign_in(base_url, username, password):
    """A browser session signed in to the admin of the site at ``base_url``."""
    session, _jar = browser_session()
    _status, _headers, login_page = fetch(session, base_url + "/admin/login/")
    fetch(
        session,
        base_url + "/admin/login/?next=/admin/",
        {
            "csrfmiddlewaretoken": csrf_token(login_page),
            "username": username,
            "password": password,
            "next": "/admin/",
        },
    )
    return session


def unpublish(session, base_url, first, second):
    """Take a comparison off the site with the change list's bulk action."""
    _status, _headers, changelist = fetch(session, base_url + "/admin/comparisons/comparison/")
    row = re.search(
        rf'href="/admin/comparisons/comparison/(\d+)/change/[^"]*">{first} vs {second}<', changelist
    )
    data = {
        "csrfmiddlewaretoken": csrf_token(changelist),
        "action": "unpublish",
        "_selected_action": row.group(1),
    }
    status, _headers, _body = fetch(session, base_url + "/admin/comparisons/comparison/", data)
    assert status == 200
