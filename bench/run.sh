#!/usr/bin/env bash
# Builds the Hangar bench in Release and runs it. Usage: bench/run.sh [--quick] [--memory MIB] [--keep]
#   --quick   N=1 and N=10 only, fewer repeats (a few minutes)
#   --memory  guest memory in MiB (default 96; the tiny guest does not boot in 64)
#   --keep    keep the bench's temp directory (logs, state) for inspection
# bench/run.sh --plan [--quick] [--sizes 100,1000,10000] [--keep] runs the plan/apply-at-scale bench instead
#   (bench/Hangar.Bench.Plan: in-process control plane, fake agent over a loopback WebSocket, no QEMU, no root needed).
# bench/run.sh --scale [--quick] [--sizes 10000,100000] [--agents 1000] [--no-postgres] [--keep] runs the scale bench
#   (bench/Hangar.Bench.Plan --scale: 1,000 fake agents on real WebSockets against a control plane in its own process,
#   on SQLite and on a throwaway PostgreSQL started by scripts/postgres-dev.sh; no QEMU). The 100,000-VM size takes
#   several minutes and most of 2 GB of memory for the harness: --quick runs 1,000 and 10,000 VMs with 200 agents.
# bench/run.sh --soak [--vms 4] [--cycles 120] [--minutes 10] [--every 5] [--keep] runs the soak instead
#   (bench/Hangar.Bench.Soak: the real `hangar server` process; VMs restarted, stopped+started and SIGKILLed in rounds;
#   prints the server's descriptors and RSS every K rounds). Long: not part of the default or --quick run.
# bench/run.sh --cli [--rounds 30] [--vms 10] [--keep] times client commands (`hangar vm list`…) against `virsh list`
#   (bench/Hangar.Bench.Cli: builds the ahead-of-time client with scripts/build.sh --no-link; about a minute).
# bench/run.sh --ssh [--reps 2] [--memory 512] [--vcpu 1] [--no-virsh] [--keep] boots the debian-12 image to an SSH login:
#   Hangar vs raw QEMU (same arguments) vs `virsh create` (bench/Hangar.Bench.Ssh; installs libvirt-daemon and
#   libvirt-daemon-driver-qemu with apt-get the first time, runs its own libvirtd; 8-14 minutes with 2-3 rounds).
# Runs as root on Debian 12 with the .NET SDK, qemu-system-x86 and qemu-utils. Always TCG (KVM hangs here).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"

bench_project="Hangar.Bench"
bench_exe="hangar-bench"
if [[ " $* " == *" --soak "* ]]; then
  bench_project="Hangar.Bench.Soak"
  bench_exe="hangar-bench-soak"
  soak_args=()
  for a in "$@"; do [[ "$a" == "--soak" ]] || soak_args+=("$a"); done
  set -- ${soak_args[@]+"${soak_args[@]}"}
fi

if [[ " $* " == *" --plan "* ]]; then
  args=()
  for a in "$@"; do [[ "$a" == "--plan" ]] || args+=("$a"); done
  plan_root="$(mktemp -d /tmp/hbp.XXXX)"
  # No QEMU here: the only thing to clean up is the temp root (SQLite state of every round).
  trap 'if [[ " ${args[*]-} " != *" --keep "* ]]; then rm -rf "$plan_root"; fi' EXIT
  trap 'exit 130' INT TERM
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  dotnet build "$here/Hangar.Bench.Plan/Hangar.Bench.Plan.csproj" -c Release -v quiet -nologo >&2
  "$here/Hangar.Bench.Plan/bin/Release/net10.0/hangar-bench-plan" --root "$plan_root" ${args[@]+"${args[@]}"}
  exit $?
fi

if [[ " $* " == *" --scale "* ]]; then
  args=()
  with_pg=1
  for a in "$@"; do
    case "$a" in --no-postgres) with_pg=0 ;; *) args+=("$a") ;; esac
  done
  scale_root="$(mktemp -d /tmp/hbs.XXXX)"
  pg_dir=""
  # The bench's own control-plane processes stop with it (their stdin closes); what remains is the temp root and
  # the PostgreSQL server this script started.
  scale_cleanup() {
    if [[ -n "$pg_dir" ]]; then "$repo/scripts/postgres-dev.sh" stop "$pg_dir" >/dev/null || true; fi
    if [[ " ${args[*]-} " != *" --keep "* ]]; then rm -rf "$scale_root"; fi
  }
  trap scale_cleanup EXIT
  trap 'exit 130' INT TERM
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  dotnet build "$here/Hangar.Bench.Plan/Hangar.Bench.Plan.csproj" -c Release -v quiet -nologo >&2
  pg_args=()
  if [[ $with_pg == 1 ]]; then
    pg_out="$("$repo/scripts/postgres-dev.sh")"
    pg_dir="$(sed -n 's/^stop and delete it: scripts\/postgres-dev.sh stop //p' <<<"$pg_out")"
    [[ -n "$pg_dir" ]] || { echo "run.sh: could not start PostgreSQL: $pg_out" >&2; exit 1; }
    pg_args=(--postgres "Host=$pg_dir;Database=hangar;Username=hangar")
  fi
  "$here/Hangar.Bench.Plan/bin/Release/net10.0/hangar-bench-plan" --root "$scale_root" ${args[@]+"${args[@]}"} ${pg_args[@]+"${pg_args[@]}"}
  exit $?
fi

if [[ " $* " == *" --cli "* ]]; then
  args=()
  for a in "$@"; do [[ "$a" == "--cli" ]] || args+=("$a"); done
  cli_root="$(mktemp -d /tmp/hbc.XXXX)"
  # No VM is started (autostart: false); the bench stops its server with `hangar down`. Only the temp root remains.
  trap 'if [[ " ${args[*]-} " != *" --keep "* ]]; then rm -rf "$cli_root"; fi' EXIT
  trap 'exit 130' INT TERM
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  "$repo/scripts/build.sh" --no-link >&2
  dotnet build "$here/Hangar.Bench.Cli/Hangar.Bench.Cli.csproj" -c Release -v quiet -nologo >&2
  "$here/Hangar.Bench.Cli/bin/Release/net10.0/hangar-bench-cli" --root "$cli_root" --hangar "$repo/.hangar/bin/hangar" ${args[@]+"${args[@]}"}
  exit $?
fi

if [[ " $* " == *" --ssh "* ]]; then
  args=()
  for a in "$@"; do [[ "$a" == "--ssh" ]] || args+=("$a"); done
  ssh_root="$(mktemp -d /tmp/hbs.XXXX)"
  # Whatever happens to the bench (even SIGKILL): every process whose command line names this run's root (its QEMUs,
  # its libvirtd, libvirt's QEMUs) is killed, then the root is deleted unless --keep.
  ssh_cleanup() {
    local pid line
    for cmdline in /proc/[0-9]*/cmdline; do
      pid="${cmdline#/proc/}"; pid="${pid%/cmdline}"
      [[ "$pid" == "$$" ]] && continue
      line="$( { tr '\0' ' ' < "$cmdline"; } 2>/dev/null || true)"
      case "$line" in *"$ssh_root"*) kill -KILL "$pid" 2>/dev/null && echo "run.sh: killed leftover $pid: ${line:0:60}" >&2 || true ;; esac
    done
    if [[ " ${args[*]-} " != *" --keep "* ]]; then rm -rf "$ssh_root"; fi
  }
  trap ssh_cleanup EXIT
  trap 'exit 130' INT TERM
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  dotnet build "$here/Hangar.Bench.Ssh/Hangar.Bench.Ssh.csproj" -c Release -v quiet -nologo >&2
  "$here/Hangar.Bench.Ssh/bin/Release/net10.0/hangar-bench-ssh" --root "$ssh_root" ${args[@]+"${args[@]}"}
  exit $?
fi

# One short root per run: the agent's sockets live under it or under /run/hangar/<hash of it>.
root="$(mktemp -d /tmp/hb.XXXX)"

# Last line of defence: whatever happens to the bench (even SIGKILL), no QEMU of this run survives the script.
# Only processes whose executable is qemu* and whose command line mentions this run's root are killed.
cleanup() {
  local pid args
  for cmdline in /proc/[0-9]*/cmdline; do
    pid="${cmdline#/proc/}"; pid="${pid%/cmdline}"
    args="$(tr '\0' ' ' < "$cmdline" 2>/dev/null || true)"
    case "$args" in
      qemu*"$root"*|/usr/bin/qemu*"$root"*) kill -KILL "$pid" 2>/dev/null && echo "run.sh: killed leftover QEMU $pid" >&2 || true ;;
      *hangard*\ server\ --home\ "$root"*) kill -KILL "$pid" 2>/dev/null && echo "run.sh: killed leftover soak server $pid" >&2 || true ;;
    esac
  done
  if [[ " $* " != *" --keep "* ]]; then rm -rf "$root"; fi
}
trap 'cleanup "$@"' EXIT
trap 'exit 130' INT TERM

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build "$here/$bench_project/$bench_project.csproj" -c Release -v quiet -nologo >&2
"$here/$bench_project/bin/Release/net10.0/$bench_exe" --root "$root" "$@"
