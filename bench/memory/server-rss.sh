#!/usr/bin/env bash
# The real server's memory with N tiny VMs: starts `hangard server` from BIN (a directory holding hangar and hangard)
# by hand in a throwaway home, samples VmRSS idle, runs `hangar up` of N tiny VMs (96 MiB, TCG), samples VmRSS every
# 10 s for 70 s after `up` returns, prints the smaps breakdown, then `hangar down`. Usage: server-rss.sh BIN LABEL [N]
# The guests get no_timer_check: a loaded host under TCG can make the 8254 timer check panic them.
# IMAGES=dir copies a built tiny image into the home first (else the server builds it, which it then also holds).
set -euo pipefail
bin=$1; label=$2; n=${3:-50}
home=$(mktemp -d /tmp/hangar-rss.XXXXXX)
trap 'HANGAR_HOME=$home "$bin/hangar" down --purge >/dev/null 2>&1 || true; rm -rf "$home"' EXIT
[ -n "${IMAGES:-}" ] && cp -r "$IMAGES" "$home/images"
{ echo "vms:"; for i in $(seq 1 "$n"); do echo "  vm$i: { image: tiny, memory: 96MiB, kernelArgs: no_timer_check }"; done; } > "$home/fleet.yaml"
export HANGAR_HOME=$home HANGAR_ACCEL=tcg
"$bin/hangard" server --home "$home" --listen http://127.0.0.1:0 --detached >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 100); do [ -f "$home/daemon.json" ] && break; sleep 0.2; done
rss() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$pid/status"; }
breakdown() {
  awk '/^[0-9a-f]+-[0-9a-f]+ / {name=$6} /^Rss:/ {
         if (name ~ /doublemapper/) jit+=$2; else if (name ~ /^\//) file+=$2; else if (name=="[heap]") heap+=$2; else anon+=$2 }
       END {printf "anon (GC heap, malloc arenas, stacks) %.1f MB, [heap] %.1f MB, JIT code %.1f MB, mapped files %.1f MB\n", anon/1024, heap/1024, jit/1024, file/1024}' "/proc/$pid/smaps"
  grep -E "RssAnon|RssFile|RssShmem|Threads" "/proc/$pid/status" | tr -s ' \t' ' ' | tr '\n' ';'; echo
}
sleep 5
echo "$label idle: $(rss) MB"; breakdown
start=$(date +%s.%N)
"$bin/hangar" up "$home/fleet.yaml" >/dev/null || echo "$label: up did not converge (measured anyway)"
echo "$label up of $n VMs took $(echo "$(date +%s.%N) - $start" | bc) s"
samples=""
for _ in $(seq 0 7); do samples="$samples $(rss)"; sleep 10; done
echo "$label $n VMs, VmRSS every 10 s after up:$samples MB"; breakdown
echo "$label top mapped files:"; awk '/^[0-9a-f]+-[0-9a-f]+ / {name=$6} /^Rss:/ && name ~ /^\// {r[name]+=$2} END {for (f in r) printf "%7.1f MB %s\n", r[f]/1024, f}' "/proc/$pid/smaps" | sort -rn | head -6
