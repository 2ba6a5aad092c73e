#!/usr/bin/env bash
# A throwaway PostgreSQL server for the team-mode tests (tests/team/).
#
#   source .ci/postgres.sh                  # CI (.ci/run): start, export IRBOOK_TEST_PG_URL,
#                                           # stop and delete it when the shell exits
#   bash .ci/postgres.sh CMD ARGS...        # developer: run CMD against a fresh server, then stop
#                                           # e.g. bash .ci/postgres.sh .venv/bin/python -m pytest tests/team
#   bash .ci/postgres.sh                    # developer: start one and leave it running; prints the
#                                           # export line and the command that stops it
#
# Installs Debian's `postgresql` package when initdb/pg_ctl are missing (needs root and apt-get).
# The cluster lives in a temp dir, listens on a free 127.0.0.1 port only, and uses password (SCRAM)
# authentication, so the tests also exercise a URL that carries a password. initdb refuses to run
# as root, so as root the server runs as the `postgres` user (created by the Debian package).
# Does nothing when IRBOOK_TEST_PG_URL is already set (point it at your own server instead).

irbook_pg_bindir() {
    local found
    if found=$(command -v initdb 2>/dev/null) && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(readlink -f "$found")"
        return 0
    fi
    # Debian keeps the server binaries off PATH; take the newest major version.
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [[ -n "$found" && -x "$found/initdb" ]]; then
        echo "$found"
        return 0
    fi
    return 1
}

irbook_pg_install() {
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        echo "postgres.sh: PostgreSQL is not installed and I cannot install it (need root and" \
             "apt-get); install it, or set IRBOOK_TEST_PG_URL to a server you have" >&2
        return 1
    fi
    echo "postgres.sh: installing Debian's postgresql package" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
}

irbook_pg_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Run a command as the server's owner: ourselves, or `postgres` when we are root.
irbook_pg_as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

irbook_pg_start() {
    local bindir port password user=irbook db=irbook_test
    bindir=$(irbook_pg_bindir) || { irbook_pg_install && bindir=$(irbook_pg_bindir); } || return 1
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
    fi
    IRBOOK_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/irbook-pg.XXXXXX")
    IRBOOK_PG_BINDIR=$bindir
    export IRBOOK_PG_DIR IRBOOK_PG_BINDIR
    password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    printf '%s\n' "$password" > "$IRBOOK_PG_DIR/pwfile"
    [[ $(id -u) -eq 0 ]] && chown -R postgres: "$IRBOOK_PG_DIR"
    chmod 700 "$IRBOOK_PG_DIR"

    irbook_pg_as_owner "$bindir/initdb" -D "$IRBOOK_PG_DIR/data" -U "$user" \
        --pwfile="$IRBOOK_PG_DIR/pwfile" --auth=scram-sha-256 --encoding=UTF8 --no-sync \
        >"$IRBOOK_PG_DIR/initdb.log" 2>&1 \
        || { cat "$IRBOOK_PG_DIR/initdb.log" >&2; return 1; }
    rm -f "$IRBOOK_PG_DIR/pwfile"

    # A port can be taken between choosing it and binding it: try a few.
    local attempt
    for attempt in 1 2 3 4 5; do
        port=$(irbook_pg_free_port)
        if irbook_pg_as_owner "$bindir/pg_ctl" -D "$IRBOOK_PG_DIR/data" -l "$IRBOOK_PG_DIR/server.log" \
            -o "-p $port -k $IRBOOK_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" \
            -w -t 60 start >/dev/null; then
            break
        fi
        port=""
    done
    if [[ -z "$port" ]]; then
        echo "postgres.sh: the server did not start; its log:" >&2
        cat "$IRBOOK_PG_DIR/server.log" >&2
        return 1
    fi
    PGPASSWORD=$password "$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$user" "$db" || return 1
    IRBOOK_TEST_PG_URL="postgresql+psycopg://$user:$password@127.0.0.1:$port/$db"
    export IRBOOK_TEST_PG_URL
    echo "postgres.sh: PostgreSQL $("$bindir/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port ($IRBOOK_PG_DIR)" >&2
}

irbook_pg_stop() {
    if [[ -n "${IRBOOK_PG_DIR:-}" && -d "$IRBOOK_PG_DIR/data" ]]; then
        irbook_pg_as_owner "$IRBOOK_PG_BINDIR/pg_ctl" -D "$IRBOOK_PG_DIR/data" -m fast -w stop \
            >/dev/null 2>&1 || true
        rm -rf "$IRBOOK_PG_DIR"
    fi
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    # Sourced (CI): start unless a server was given, stop on exit.
    if [[ -z "${IRBOOK_TEST_PG_URL:-}" ]]; then
        irbook_pg_start || { irbook_pg_stop; return 1; }
        trap irbook_pg_stop EXIT
    fi
else
    set -euo pipefail
    irbook_pg_start || { irbook_pg_stop; exit 1; }
    if [[ $# -gt 0 ]]; then
        trap irbook_pg_stop EXIT
        "$@"
    else
        echo "export IRBOOK_TEST_PG_URL='$IRBOOK_TEST_PG_URL'"
        echo "# stop it with:"
        owner=""
        [[ $(id -u) -eq 0 ]] && owner="runuser -u postgres -- "
        echo "${owner}$IRBOOK_PG_BINDIR/pg_ctl -D $IRBOOK_PG_DIR/data stop && rm -rf $IRBOOK_PG_DIR"
    fi
fi
