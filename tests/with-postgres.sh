#!/usr/bin/env bash
# Runs a command with DATABASE_URL pointing at a throwaway PostgreSQL server,
# removed when the command ends; tests/postgres.py makes it, as for the tests
# and the benchmark. PG_BIN and PG_PORT choose the server and its port.
exec python3 "$(dirname "$0")/postgres.py" "$@"
