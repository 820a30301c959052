#!/usr/bin/env bash
# Runs a command with DATABASE_URL pointing at a throwaway PostgreSQL server.
#
# The server is made from scratch in a temporary folder, listens on a spare
# loopback port only, and is removed when the command ends. PostgreSQL refuses
# to run as root, so as root the cluster belongs to the `postgres` user.
set -euo pipefail

pg_bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
    if [ "${CI:-}" = "true" ]; then
        echo "with-postgres: no PostgreSQL server binaries found; CI needs them." >&2
        exit 1
    fi
    echo "with-postgres: PostgreSQL is not installed; skipping the PostgreSQL run." >&2
    exit 0
fi

as_owner=()
if [ "$(id -u)" = 0 ]; then
    as_owner=(runuser -u postgres --)
fi

data_dir=$(mktemp -d "${TMPDIR:-/tmp}/kb-pg.XXXXXX")
chmod 755 "$data_dir"
[ "$(id -u)" = 0 ] && chown postgres "$data_dir"
port=${PG_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}

stop() {
    "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$data_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$data_dir"
}
trap stop EXIT

"${as_owner[@]}" "$pg_bin/initdb" -D "$data_dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_owner[@]}" "$pg_bin/pg_ctl" -D "$data_dir/data" -l "$data_dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data_dir -c fsync=off" start >/dev/null

"${as_owner[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres outsourcing_kb
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/outsourcing_kb"
echo "with-postgres: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
"$@"
