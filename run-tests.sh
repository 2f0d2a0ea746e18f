#!/usr/bin/env bash
# Installs voice-coach with its test dependencies, then runs the whole test suite, one
# worker per core (each worker has its own ALSA rig: see tests/conftest.py).
set -euo pipefail
cd "$(dirname "$0")"
./install.sh --test
exec .venv/bin/python -m pytest -n auto "$@"
