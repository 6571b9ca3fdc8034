#!/usr/bin/env bash
# Set everything up, then run the whole test suite (the servers the tests need
# are started by the tests themselves, on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
exec .venv/bin/pytest -q "$@"
