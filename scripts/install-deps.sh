#!/usr/bin/env bash
# Installs the Debian packages claimsca needs, and only those missing (naming an installed
# package to apt would upgrade it, changing the library under test or measurement).
# Usage: scripts/install-deps.sh [build|test|bench]...   (build is always included)
set -euo pipefail

build_pkgs=(build-essential cmake ninja-build ccache pkg-config libssl-dev openssl
  libsqlite3-dev sqlite3 libpq-dev libp11-dev libcli11-dev libtomlplusplus-dev
  nlohmann-json3-dev libboost-dev libgtest-dev libgmock-dev softhsm2 curl libp11-kit-dev
  libsodium-dev libkainjow-mustache-dev libcairo2-dev libpango1.0-dev libcurl4-openssl-dev
  fonts-ipaexfont libmimalloc-dev libqpdf-dev libzip-dev libxml2-dev libxlsxwriter-dev)
test_pkgs=(postgresql libnss3-tools clang-format python3 git jq chromium poppler-utils testssl.sh
  python3-aiosmtpd qpdf unzip xlsx2csv haproxy
  clang libclang-rt-dev)  # libFuzzer, ASan, UBSan runtimes for scripts/fuzz.sh
bench_pkgs=(wrk hey golang-cfssl hyperfine util-linux jq time)

want=("${build_pkgs[@]}")
for kind in "$@"; do
  case "$kind" in
    build) ;;
    test) want+=("${test_pkgs[@]}")
      # Node.js and npm for the browser tests (tests/e2e), unless another Node.js is installed.
      command -v node >/dev/null || want+=(nodejs)
      command -v npm >/dev/null || want+=(npm) ;;
    bench) want+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
    *) echo "unknown set: $kind" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
