"""A throwaway PostgreSQL server that a test can stop and start (as tests/with-postgres.sh makes one)."""

import glob
import os
import shutil
import socket
import subprocess
import tempfile


def server_binaries():
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    return folders[-1] if folders and os.path.exists(f"{folders[-1]}/initdb") else None


class ThrowawayPostgres:
    def __init__(self):
        self.bin = server_binaries()
        self.folder = tempfile.mkdtemp(prefix="kb-pg-fault-")
        self.data = f"{self.folder}/data"
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            os.chmod(self.folder, 0o755)
            shutil.chown(self.folder, "postgres")
        self.run(
            "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"
        )
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, program, *args):
        subprocess.run([*self.as_owner, f"{self.bin}/{program}", *args], check=True, capture_output=True)

    def start(self):
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.folder}"
        )
        self.run("pg_ctl", "-D", self.data, "-l", f"{self.folder}/server.log", "-w", "-o", options, "start")

    def stop(self):
        self.run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def remove(self):
        subprocess.run(
            [*self.as_owner, f"{self.bin}/pg_ctl", "-D", self.data, "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(self.folder, ignore_errors=True)
