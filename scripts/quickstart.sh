#!/usr/bin/env bash
# Quick start, step 1: install what is missing, build, and bring up the quick-start fleet (two tiny VMs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec .hangar/bin/hangar up examples/quickstart/fleet.yaml "$@"
