#!/usr/bin/env bash
# Set up everything roltrap needs on a fresh Debian machine: system packages (Chromium for the
# browser tests, Java for Spark, poppler for PDF checks), a virtualenv and the pinned Python packages.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
if ((${#need_apt[@]})); then
    if [ "$(id -u)" = 0 ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
    else
        echo "Missing system packages: ${need_apt[*]} (install them with apt-get as root)" >&2
    fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q -e '.[all,dev]'  # the kit alone: pip install .
