#!/usr/bin/env bash
# Run once by the official postgres image on a new database (docker-entrypoint-initdb.d):
# the orders table and its sample orders, table name from the same variable the jobs use.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v table="${ORDERS_POSTGRES_TABLE:?set ORDERS_POSTGRES_TABLE}" -f /db/orders.sql
