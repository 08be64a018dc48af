#!/usr/bin/env bash
# The compose stack's PostgreSQL 15, from Debian's package. On first start it initialises its
# data folder in the postgres-data volume, with the config's user as superuser and the config's
# password (SCRAM): .env's POSTGRES_USER and the secret file it names. Later starts keep them
# (docs/DOCKER.md "Credentials" changes them). The setup service then creates the database,
# the table and the sample orders (db/orders.sql). The server runs in the foreground as the
# postgres user; `docker compose stop` sends SIGINT (PostgreSQL's fast shutdown).
set -euo pipefail
volume=/var/lib/postgresql
data=$volume/data
bin=/usr/lib/postgresql/15/bin
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }

chown postgres:postgres "$volume"
if [[ ! -e "$data/PG_VERSION" ]]; then
  # Into a fresh folder, renamed when complete: a start interrupted halfway leaves no data
  # folder that looks initialised.
  rm -rf "$volume/data.init"
  mapfile -t credentials < <(/app/docker/setup.sh credentials)
  if (( ${#credentials[@]} != 2 )); then
    # Fewer: the config's problem was printed above. More: initdb takes one line only.
    (( ${#credentials[@]} < 2 )) || echo "postgres.password: must be one line (the file POSTGRES_PASSWORD_FILE names)" >&2
    exit 2
  fi
  pwfile=$(mktemp)
  printf '%s\n' "${credentials[1]}" > "$pwfile"
  chown postgres "$pwfile"
  as_postgres "$bin/initdb" -D "$volume/data.init" -U "${credentials[0]}" --pwfile="$pwfile" \
    --auth=scram-sha-256 -E UTF8 --no-locale > /dev/null
  rm -f "$pwfile"
  # The other containers connect over the compose network, with the password.
  echo "host all all all scram-sha-256" >> "$volume/data.init/pg_hba.conf"
  mv "$volume/data.init" "$data"
  echo "Initialised PostgreSQL data in the postgres-data volume"
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups -- "$bin/postgres" -D "$data" \
  -c listen_addresses='*' -c unix_socket_directories=/tmp -c timezone=UTC -c log_timezone=UTC
