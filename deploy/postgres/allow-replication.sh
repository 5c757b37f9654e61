#!/bin/sh
# First start of the primary (docker-entrypoint-initdb.d): let the replica stream from it,
# with the same password as the application user, from the compose network only.
set -e
echo "host replication ${POSTGRES_USER} samenet scram-sha-256" >> "$PGDATA/pg_hba.conf"
