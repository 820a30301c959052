"""
A throwaway PostgreSQL server, made from scratch in a temporary folder, listening on a
spare loopback port only. PostgreSQL refuses to run as root, so as root the cluster
belongs to the `postgres` user.

A test stops and starts one (tests/test_faults.py), benchmarks/run.py serves a site
from one, and tests/with-postgres.sh runs a command with DATABASE_URL pointing at one:

    python3 tests/postgres.py COMMAND [ARGUMENT...]

Run that way, only the standard library is imported: it needs no virtualenv.
"""

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile


def server_binaries():
    """$PG_BIN, or the newest installed PostgreSQL's bin folder; None when there is no server."""
    folders = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: [int(n) for n in re.findall(r"\d+", path)]
    )
    folder = os.environ.get("PG_BIN") or (folders[-1] if folders else None)
    return folder if folder and os.path.exists(f"{folder}/initdb") else None


class ThrowawayPostgres:
    """A new cluster, or with ``data_from``, a copy of a stopped one's data folder (its databases too)."""

    def __init__(self, port=None, data_from=None):
        self.bin = server_binaries()
        self.folder = tempfile.mkdtemp(prefix="kb-pg-")
        self.data = f"{self.folder}/data"
        if port is None:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
        self.port = port
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            os.chmod(self.folder, 0o755)
            shutil.chown(self.folder, "postgres")
        if data_from is not None:
            self.run("cp", "-a", data_from, self.data)
        else:
            self.run(
                "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"
            )
        self.url = self.url_for("postgres")

    def url_for(self, database):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, program, *args):
        path = program if program == "cp" else f"{self.bin}/{program}"
        return subprocess.run([*self.as_owner, path, *args], check=True, capture_output=True, text=True)

    def start(self, *options):
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.folder}",
            *options,
        )
        self.run(
            "pg_ctl",
            "-D",
            self.data,
            "-l",
            f"{self.folder}/server.log",
            "-w",
            "-o",
            " ".join(options),
            "start",
        )

    def stop(self):
        self.run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def remove(self):
        subprocess.run(
            [*self.as_owner, f"{self.bin}/pg_ctl", "-D", self.data, "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def run_with_postgres(command):
    """The command's exit status, run with DATABASE_URL on a new server that is removed afterwards."""
    if server_binaries() is None:
        if os.environ.get("CI") == "true":
            sys.exit("with-postgres: no PostgreSQL server binaries found; CI needs them.")
        print("with-postgres: PostgreSQL is not installed; skipping the PostgreSQL run.", file=sys.stderr)
        return 0
    server = ThrowawayPostgres(port=int(os.environ["PG_PORT"]) if os.environ.get("PG_PORT") else None)
    try:
        # The data lives no longer than the command: a crash may lose it, so no fsync.
        server.start("-c fsync=off")
        server.run("createdb", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", "outsourcing_kb")
        version = server.run("postgres", "--version").stdout.split()[2]
        print(f"with-postgres: PostgreSQL {version} on 127.0.0.1:{server.port}", file=sys.stderr)
        child = subprocess.Popen(
            command, env={**os.environ, "DATABASE_URL": server.url_for("outsourcing_kb")}
        )
        # Ctrl-C reaches the command too: let it finish its own clean-up before the server
        # goes. A SIGTERM sent to this process alone is passed on.
        signal.signal(signal.SIGTERM, lambda *_: child.terminate())
        while True:
            try:
                status = child.wait()
                break
            except KeyboardInterrupt:
                pass
        return status if status >= 0 else 128 - status
    finally:
        server.remove()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: tests/with-postgres.sh COMMAND [ARGUMENT...]")
    sys.exit(run_with_postgres(sys.argv[1:]))
