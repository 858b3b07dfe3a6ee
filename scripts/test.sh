#!/usr/bin/env bash
# The full test suite (unit, integration, Spark local mode, headless Chromium). Screenshots and other
# artifacts land in artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p artifacts
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
