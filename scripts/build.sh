#!/usr/bin/env bash
# Builds the `hangar` command into .hangar/bin and links it as /usr/local/bin/hangar (when run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "==> building hangar"
dotnet publish src/Hangar.Cli -c Release -o .hangar/bin --nologo -v quiet -p:UseAppHost=true >/dev/null
if [ "$(id -u)" -eq 0 ]; then
  ln -sf "$PWD/.hangar/bin/hangar" /usr/local/bin/hangar
fi
echo "==> built $PWD/.hangar/bin/hangar"
