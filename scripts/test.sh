#!/usr/bin/env bash
# Quick start, step 2: the whole test suite (unit tests, a fake QMP server, real QEMU under TCG, real SQLite,
# real WebSockets on loopback). Installs what is missing first. Prints "N passed, N failed" at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# This machine's guests hang under nested KVM; tests always use TCG so that they run anywhere.
export HANGAR_ACCEL=tcg
# The integration tests run the client users run: the ahead-of-time `hangar` (and its `hangard`) from scripts/build.sh.
scripts/build.sh --no-link
export HANGAR_TEST_CLI="$PWD/.hangar/bin/hangar"
# The debian-12 guest test builds that image once per machine into the tests' shared cache (/tmp/hangar-it-cache;
# about 1.5 min the first time, nothing after) and boots it to an SSH login (about 1.2 min under TCG).
log=$(mktemp)
status=0
# -v quiet keeps the build quiet; the console logger at minimal still prints each failed test with its message and stack.
dotnet test Hangar.slnx --nologo -v quiet --logger "console;verbosity=minimal" "$@" 2>&1 | tee "$log" || status=$?
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | grep -Eo '[0-9]+' | paste -sd+ - | bc 2>/dev/null || echo 0)
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | grep -Eo '[0-9]+' | paste -sd+ - | bc 2>/dev/null || echo 0)
rm -f "$log"
echo "${passed:-0} passed, ${failed:-0} failed"
if [ "$status" -ne 0 ] || [ "${failed:-0}" -ne 0 ] || [ "${passed:-0}" -eq 0 ]; then exit 1; fi
