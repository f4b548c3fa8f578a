#!/usr/bin/env bash
# Installs what Flowstate needs to build, test and benchmark, from Debian bookworm's packages.
# Idempotent: installs only what is missing, so a second run costs a dpkg query.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache g++ pkg-config clang-format
  libboost-dev libboost-system-dev nlohmann-json3-dev libsqlite3-dev libssl-dev
  libspdlog-dev libfmt-dev libcli11-dev libexpected-dev libpcre2-dev
  libgtest-dev libgmock-dev libbenchmark-dev libmimalloc-dev
  chromium chromium-driver
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The console (console/) is built with npm; its browser tests drive Debian's Chromium through
# playwright-core, which must not download a browser of its own.
if ! command -v npm >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# The end-to-end tests drive the server with the AWS CLI and boto3 on the default python3.
if ! python3 -c 'import boto3' 2>/dev/null; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-boto3 awscli
fi
