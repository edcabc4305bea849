#!/usr/bin/env bash
# Fuzzes the parsers that take raw user input, each for a bounded time:
#   scripts/fuzz.sh [seconds per target, default 60] [target ...]
# Targets: email, next_path, slug, image (scripts/fuzz/fuzz_targets/). A crash
# leaves its input in scripts/fuzz/artifacts/<target>/ and fails the run.
# Uses cargo-fuzz (libFuzzer) on the stable toolchain without a sanitizer: the
# code under test is safe Rust, so panics and assertion failures are the bugs.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
SECONDS_PER_TARGET="${1:-60}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(email next_path slug image)
command -v cargo-fuzz >/dev/null || { log "installing cargo-fuzz"; cargo install cargo-fuzz --locked; }
# cargo-fuzz passes a few unstable flags; the stable compiler accepts them with this.
export RUSTC_BOOTSTRAP=1
for target in "${TARGETS[@]}"; do
  log "fuzzing $target for ${SECONDS_PER_TARGET}s"
  # The corpus grows in corpus/<target> (git-ignored); seeds/<target> (committed)
  # starts it from real inputs: valid JPEG/PNG/WebP, EXIF, a pixel flood, tricky paths.
  mkdir -p "scripts/fuzz/corpus/$target"
  cargo fuzz run --fuzz-dir scripts/fuzz --sanitizer none "$target" \
    "scripts/fuzz/corpus/$target" "scripts/fuzz/seeds/$target" -- \
    -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -rss_limit_mb=2048
done
log "no crashes"
