#!/usr/bin/env bash
# Runs the ```sh blocks of playlists/README.md, in order, as one script, from
# the repository root, against a fresh database: the quickstart a newcomer
# follows is the one that is tested. ADMIN_URL: a role that may create
# databases. Fails unless the code claims the guest (promoted) and the
# playlists are still there afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${ADMIN_URL:?ADMIN_URL must point at a Postgres role that may create databases}"
db=playlists_readme
psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
psql "$ADMIN_URL" -qc "CREATE DATABASE $db"
export DATABASE_URL="${ADMIN_URL%/*}/$db"
rm -rf mail jar
trap 'pkill -f "target/debug/playlists" || true; rm -rf mail jar' EXIT
script=$(awk '/^```sh$/ { on = 1; next } /^```$/ { on = 0 } on' playlists/README.md)
out=$(timeout 300 bash -euo pipefail -c "$script")
echo "$out"
grep -q '"outcomes":\["promoted"\]' <<< "$out" || { echo "the code did not claim the guest" >&2; exit 1; }
grep -q 'Rainy Sunday' <<< "$(tail -1 <<< "$out")" || { echo "the playlists did not come along" >&2; exit 1; }
psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
