#!/bin/sh
# The replica's entrypoint: on an empty volume copy the primary with pg_basebackup (-R writes
# the standby settings), then run PostgreSQL as a hot standby that streams from it.
set -e
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_basebackup -h db -U "$POSTGRES_USER" -D "$PGDATA" -R -X stream; do
    echo "waiting for the primary..."; sleep 2
  done
  chmod 0700 "$PGDATA"
fi
exec postgres
