#!/usr/bin/env bash
# docker compose run --rm lake-export: copies the lake (datalake.path) and its quarantine out of
# the pipeline-state volume into /export (the host's ./var/lake-export, or LAKE_EXPORT_DIR), as
# orders/ and orders_quarantine/, for any Parquet reader (DuckDB, Spark, pandas) on the host.
# The consumer may merge files meanwhile; a copy is kept only when no merge was under way
# (no journal) and the files were the same before and after it, so it never holds an order
# twice or misses one a merge was moving. A running stack is fine; a second export replaces the
# first.
set -euo pipefail
lake=/app/${ORDERS_DATALAKE_PATH:?}

listing() {   # the data files and merge journals under $1, one per line, sorted
  [[ -d "$1" ]] || return 0
  (cd "$1" && find . \( -name '[!._]*.parquet' -o -name '.merging-*.journal' \) -type f | sort)
}

copy_consistently() {   # copy_consistently FOLDER NAME
  local from=$1 to=/export/$2 before after attempt
  for attempt in $(seq 1 30); do
    before=$(listing "$from")
    if ! grep -q '\.journal$' <<< "$before"; then
      rm -rf "$to.tmp" && mkdir -p "$to.tmp"
      if [[ -z "$before" ]] || tar -C "$from" -cf - -T - <<< "$before" 2>/dev/null | tar -C "$to.tmp" -xf -; then
        after=$(listing "$from")
        if [[ "$before" == "$after" ]]; then
          rm -rf "$to" && mv "$to.tmp" "$to"
          echo "Copied $(grep -c . <<< "$before" || true) files of $from to $2/"
          return 0
        fi
      fi
    fi
    sleep 1
  done
  rm -rf "$to.tmp"
  if grep -q '\.journal$' <<< "$before"; then
    echo "lake-export: a merge journal has been in $from for 30 s ($(grep '\.journal$' <<< "$before" | head -1)):" \
         "a consumer stopped during a merge, and finishes it at its next start (docker compose up -d consumer)." >&2
  else
    echo "lake-export: the files of $from kept changing for 30 s; try again" >&2
  fi
  return 1
}

copy_consistently "$lake" orders
copy_consistently "${lake}_quarantine" orders_quarantine
