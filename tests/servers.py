"""Real server processes for tests: the site under gunicorn with production settings."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANAGE = [sys.executable, str(ROOT / "manage.py")]


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


def prepare_site(env):
    for command in (["migrate", "-v0"], ["loadcontent", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(MANAGE + command, env=env, check=True, cwd=ROOT, capture_output=True)


def manage(env, *args):
    return subprocess.run(MANAGE + list(args), env=env, check=True, cwd=ROOT, capture_output=True, text=True)


class Gunicorn:
    def __init__(self, env, log_path, workers=2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "outsourcing_kb.wsgi",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                str(workers),
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(log_path, "w"),
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                # The balancer's own check: answers over plain HTTP even when HTTPS is required.
                urllib.request.urlopen(f"{self.url}/health/", timeout=2)
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(Path(log_path).read_text()) from None
                time.sleep(0.2)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
