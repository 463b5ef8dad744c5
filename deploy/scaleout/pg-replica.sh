#!/bin/sh
# A PostgreSQL primary and a streaming replica (hot standby) as two Debian clusters on this
# machine, listening on loopback only: the scale-out test (kohoshi/core/tests/test_scaleout.py)
# and a way to try DATABASE_REPLICA_URL by hand. Run as root (or as postgres). It never touches
# any other cluster (the usual 15/main on 5432 stays as it is).
#
#   deploy/scaleout/pg-replica.sh up        # 15/khprimary on 5434, 15/khreplica on 5435
#   deploy/scaleout/pg-replica.sh status    # the primary's pg_stat_replication
#   deploy/scaleout/pg-replica.sh down      # stop and delete both clusters and their data
#
# Then:  DATABASE_URL=postgres://postgres@127.0.0.1:5434/kohoshi \
#        DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5435/kohoshi
#
# Settings (environment): PG_VERSION (default: the newest installed), KH_PRIMARY (khprimary),
# KH_PRIMARY_PORT (5434), KH_REPLICA (khreplica), KH_REPLICA_PORT (5435), KH_DATABASE (kohoshi),
# KH_FAST=1 (fsync=off: for tests only — a crash loses data).
#
# Both clusters trust connections from 127.0.0.1 (a local laboratory, like the test database on
# 5432); docs/deployment.md sets up the same thing across machines with a replication role and a
# password.
set -eu

PG_VERSION=${PG_VERSION:-$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)}
PRIMARY=${KH_PRIMARY:-khprimary}
PRIMARY_PORT=${KH_PRIMARY_PORT:-5434}
REPLICA=${KH_REPLICA:-khreplica}
REPLICA_PORT=${KH_REPLICA_PORT:-5435}
DATABASE=${KH_DATABASE:-kohoshi}
BIN=/usr/lib/postgresql/$PG_VERSION/bin

die() { echo "pg-replica: $*" >&2; exit 1; }
[ -n "$PG_VERSION" ] && [ -x "$BIN/pg_basebackup" ] || die "no PostgreSQL server installed (apt-get install postgresql)"
command -v pg_createcluster >/dev/null || die "pg_createcluster missing (apt-get install postgresql-common)"
if [ "$(id -u)" = 0 ]; then as_pg() { runuser -u postgres -- "$@"; }; else as_pg() { "$@"; }; fi
[ "$(id -u)" = 0 ] || [ "$(id -un)" = postgres ] || die "run as root or as postgres"

exists() { pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$1" '$1 == v && $2 == c { found = 1 } END { exit !found }'; }

up() {
    for cluster in "$PRIMARY" "$REPLICA"; do
        exists "$cluster" && die "cluster $PG_VERSION/$cluster exists already ($0 down removes it)"
    done
    fast=""
    [ "${KH_FAST:-0}" = 1 ] && fast="-o fsync=off -o synchronous_commit=off -o full_page_writes=off"
    # The primary: wal_level=replica and max_wal_senders=10 are PostgreSQL's defaults; initdb's
    # pg_hba.conf has "host replication all 127.0.0.1/32" lines with the method given here.
    # shellcheck disable=SC2086
    pg_createcluster "$PG_VERSION" "$PRIMARY" -p "$PRIMARY_PORT" --start-conf=manual -q \
        -o listen_addresses=localhost -o ssl=off -o shared_buffers=32MB -o max_connections=60 \
        -o wal_level=replica -o max_wal_senders=5 -o hot_standby=on $fast \
        -- --auth-local=peer --auth-host=trust
    pg_ctlcluster "$PG_VERSION" "$PRIMARY" start
    as_pg "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PRIMARY_PORT" -t 30 || die "primary did not start"
    as_pg psql -X -q -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -c "CREATE DATABASE $DATABASE" postgres

    # The replica: a base backup of the primary, which pg_createcluster then adopts as a cluster
    # of its own (no initdb). -R writes standby.signal and primary_conninfo, -X stream copies the
    # WAL written meanwhile, -C -S a replication slot, so the primary keeps WAL the replica has not
    # yet received.
    datadir=/var/lib/postgresql/$PG_VERSION/$REPLICA
    [ -e "$datadir" ] && die "$datadir exists already"
    if [ "$(id -u)" = 0 ]; then install -d -o postgres -g postgres -m 700 "$datadir"; else mkdir -m 700 "$datadir"; fi
    as_pg "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$datadir" \
        -R -X stream -c fast -C -S "$REPLICA"
    # Debian keeps the configuration in /etc/postgresql: the adopted directory brings its own,
    # which pg_createcluster moves there.
    {
        echo "port = $REPLICA_PORT"
        echo "listen_addresses = 'localhost'"
        echo "max_connections = 60"
        echo "shared_buffers = 32MB"
        echo "hot_standby = on"
        echo "ssl = off"
        [ -n "$fast" ] && printf "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
    } | as_pg tee "$datadir/postgresql.conf" >/dev/null
    as_pg cp "/etc/postgresql/$PG_VERSION/$PRIMARY/pg_hba.conf" "/etc/postgresql/$PG_VERSION/$PRIMARY/pg_ident.conf" "$datadir/"
    pg_createcluster "$PG_VERSION" "$REPLICA" -p "$REPLICA_PORT" -d "$datadir" --start-conf=manual -q
    pg_ctlcluster "$PG_VERSION" "$REPLICA" start
    as_pg "$BIN/pg_isready" -q -h 127.0.0.1 -p "$REPLICA_PORT" -t 30 || die "replica did not start"
    as_pg psql -X -q -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -tAc "SELECT pg_is_in_recovery()" postgres \
        | grep -qx t || die "replica is not in recovery (not a standby)"
    echo "primary: postgres://postgres@127.0.0.1:$PRIMARY_PORT/$DATABASE"
    echo "replica: postgres://postgres@127.0.0.1:$REPLICA_PORT/$DATABASE"
}

status() {
    as_pg psql -X -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -c \
        "SELECT application_name, state, sent_lsn, replay_lsn, replay_lag FROM pg_stat_replication" postgres
}

down() {
    for cluster in "$REPLICA" "$PRIMARY"; do
        exists "$cluster" || continue
        # KH_FAST: nothing in these clusters is kept, so no shutdown checkpoint either.
        [ "${KH_FAST:-0}" = 1 ] && pg_ctlcluster "$PG_VERSION" "$cluster" stop -m immediate 2>/dev/null || true
        pg_dropcluster --stop "$PG_VERSION" "$cluster"
    done
    # A base backup that `up` left half-way (no cluster adopted it yet).
    if [ -d "/var/lib/postgresql/$PG_VERSION/$REPLICA" ] && ! exists "$REPLICA"; then
        rm -rf "/var/lib/postgresql/$PG_VERSION/$REPLICA"
    fi
    return 0
}

case "${1:-}" in
    up) up ;;
    status) status ;;
    down) down ;;
    *) die "usage: $0 up|status|down" ;;
esac
