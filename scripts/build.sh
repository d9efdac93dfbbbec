#!/usr/bin/env bash
# Builds Hangar into .hangar/bin: `hangar`, the client, and `hangard`, the daemon (control plane and agent) it runs,
# both compiled ahead of time (Native AOT: the client starts in milliseconds, the daemon holds no JIT and no IL). Links /usr/local/bin/hangar when run as root, unless
# --no-link (scripts/test.sh builds the same way without touching /usr/local).
set -euo pipefail
cd "$(dirname "$0")/.."
link=1
[ "${1:-}" = "--no-link" ] && link=0
out=.hangar/bin
echo "==> building hangard (the daemon) and hangar (the client), both ahead of time"
rm -rf "$out.new"
dotnet publish src/Hangar.Server -c Release -o "$out.new" --nologo -v quiet -p:UseAppHost=true >/dev/null
dotnet publish src/Hangar.Cli -c Release -o "$out.new" --nologo -v quiet >/dev/null
rm -f "$out.new"/*.dbg
# Swap in whole: a server running from the old directory keeps its open files.
rm -rf "$out.old"
[ -d "$out" ] && mv "$out" "$out.old"
mv "$out.new" "$out"
rm -rf "$out.old"
if [ "$link" -eq 1 ] && [ "$(id -u)" -eq 0 ]; then
  ln -sf "$PWD/$out/hangar" /usr/local/bin/hangar
fi
echo "==> built $PWD/$out/hangar and $PWD/$out/hangard"
