#!/usr/bin/env bash
# Runs one job of the compose stack (docker/job.sh producer|consumer) and decides what an
# exit means, which a container restart policy cannot:
#   0, or the end asked for by `docker compose stop`/`down`: the container ends with it;
#   2 (bad config) or 3 (cannot start: another source, a topic created anew, a lock held):
#     permanent, so the container ends with that code, the job's message and the remedy's
#     Docker form last in `docker compose logs`; restarting would only repeat it;
#   anything else (1: gave up after retries, or killed): restarted after a pause that grows
#     from 5 s to 60 s, as the job itself retries an outage.
set -uo pipefail
job=${1:-}
case "$job" in
  producer|consumer) shift; command=("$(dirname "$0")/../scripts/${job}_spark_submit.sh" "$@") ;;
  *) echo "usage: docker/job.sh producer|consumer [ARGS]" >&2; exit 2 ;;
esac

stopping=0
child=
on_stop() {
  stopping=1
  [[ -n "$child" ]] && kill -TERM "$child" 2>/dev/null
}
trap on_stop TERM INT

pause=5
while :; do
  "${command[@]}" &
  child=$!
  (( stopping )) && kill -TERM "$child" 2>/dev/null   # a stop that came before $child was set
  # wait returns early when a signal arrives; wait again until the job has really ended.
  while :; do
    wait "$child"
    code=$?
    kill -0 "$child" 2>/dev/null || break
  done
  child=
  if (( stopping )); then
    exit "$code"
  fi
  case "$code" in
    0) exit 0 ;;
    2|3)
      echo "$job stopped with exit code $code: it will not be restarted, since it would stop the same way." \
           "Do what its message above says (in this stack: docker compose run --rm replay-from-source or" \
           "accept-source, with both jobs stopped; see docs/DOCKER.md), then: docker compose up -d" >&2
      exit "$code" ;;
  esac
  (( stopping )) && exit "$code"   # a stop that came while the case above ran
  echo "$job exited with code $code; restarting it in ${pause} s" >&2
  sleep "$pause" &
  wait $! 2>/dev/null
  (( stopping )) && exit 0   # stopped while it waited: nothing runs, nothing failed
  pause=$(( pause * 2 > 60 ? 60 : pause * 2 ))
done
