#!/usr/bin/env bash
# Installs Hangar as systemd services on Debian or Ubuntu (run as root from a clone, after scripts/build.sh):
#   packaging/install-debian.sh [agent|server|both] [--bridge-networks]   (default: both units installed, none enabled)
# It installs hangar and hangard into /usr/local/lib/hangar (linked from /usr/local/bin/hangar), creates the system
# user `hangar` (in the kvm group), installs the units with the shared hardening drop-in (packaging/hardening.conf),
# adds tap-networks.conf (CAP_NET_ADMIN and /dev/net/tun) with --bridge-networks, for VMs with bridge interfaces,
# and writes /etc/hangar/agent.env and /etc/hangar/server.env (0600) when they do not exist yet. Then:
#   $EDITOR /etc/hangar/agent.env && systemctl enable --now hangar-agent
# Running it again updates the binaries, units and drop-ins and keeps the env files.
set -euo pipefail
cd "$(dirname "$0")/.."
which=both
bridge=0
for arg in "$@"; do
  case "$arg" in
    --bridge-networks) bridge=1 ;;
    *) which=$arg ;;
  esac
done
case "$which" in agent) units=(hangar-agent) ;; server) units=(hangar-server) ;; both) units=(hangar-agent hangar-server) ;;
  *) echo "error: '$which' is not agent, server or both." >&2; exit 2 ;; esac
if [ "$(id -u)" -ne 0 ]; then echo "error: run this as root (it creates a user and installs systemd units)." >&2; exit 1; fi
if [ ! -x .hangar/bin/hangar ] || [ ! -x .hangar/bin/hangard ]; then
  echo "error: .hangar/bin/hangar and hangard are not built; run scripts/build.sh first." >&2; exit 1
fi
unitdir=${SYSTEMD_UNIT_DIR:-/etc/systemd/system}

echo "==> installing hangar and hangard into /usr/local/lib/hangar"
install -d -m 0755 /usr/local/lib/hangar /usr/local/bin /usr/local/share/doc/hangar
install -m 0755 .hangar/bin/hangar .hangar/bin/hangard /usr/local/lib/hangar/
ln -sf /usr/local/lib/hangar/hangar /usr/local/bin/hangar
install -m 0644 docs/packaging.md /usr/local/share/doc/hangar/packaging.md

echo "==> the system user hangar"
getent group kvm >/dev/null || groupadd --system kvm
getent group hangar >/dev/null || groupadd --system hangar
if ! getent passwd hangar >/dev/null; then
  useradd --system --gid hangar --groups kvm --home-dir /var/lib/hangar --no-create-home --shell /usr/sbin/nologin \
    --comment "Hangar VMs" hangar
else
  usermod --append --groups kvm hangar
fi

echo "==> /etc/hangar"
install -d -m 0750 -o root -g hangar /etc/hangar
if [ ! -e /etc/hangar/agent.env ]; then
  install -m 0600 /dev/null /etc/hangar/agent.env
  cat > /etc/hangar/agent.env <<'ENV'
# hangar-agent.service reads this file (systemd's EnvironmentFile=; root reads it, the agent never does).
# The control plane's address (replicas separated by commas); needed to join, later taken from the credential.
HANGAR_AGENT_SERVER=
# A join token from `hangar token create` on the server's side, used once; remove it after the first start.
HANGAR_JOIN_TOKEN=
# The control plane's certificate fingerprint (sha256:…), printed by `hangar token create`.
HANGAR_SERVER_FINGERPRINT=
# kvm, tcg or auto.
HANGAR_ACCEL=auto
# More flags of `hangar agent`, e.g. --name lab1 --labels gpu=true
HANGAR_AGENT_ARGS=
ENV
fi
if [ ! -e /etc/hangar/server.env ]; then
  install -m 0600 /dev/null /etc/hangar/server.env
  cat > /etc/hangar/server.env <<'ENV'
# hangar-server.service reads this file (systemd's EnvironmentFile=). Every key of `hangar server` may be set as
# HANGAR_<KEY> (docs/cli.md, "Server configuration"): HANGAR_LISTEN, HANGAR_STORE, HANGAR_STORE_PASSWORD,
# HANGAR_TLS_CERT, HANGAR_TLS_KEY, HANGAR_ADVERTISE, HANGAR_ACCEL, HANGAR_NO_AGENT, …
HANGAR_LISTEN=0.0.0.0:7600
# HANGAR_STORE=postgres:Host=/run/postgresql;Database=hangar;Username=hangar
# More flags of `hangar server`.
HANGAR_SERVER_ARGS=
ENV
fi

for unit in "${units[@]}"; do
  echo "==> $unitdir/$unit.service (and its hardening drop-in)"
  install -m 0644 "packaging/systemd/$unit.service" "$unitdir/$unit.service"
  install -d -m 0755 "$unitdir/$unit.service.d"
  install -m 0644 packaging/hardening.conf "$unitdir/$unit.service.d/hardening.conf"
  if [ "$bridge" -eq 1 ]; then
    install -m 0644 packaging/tap-networks.conf "$unitdir/$unit.service.d/tap-networks.conf"
  else
    rm -f "$unitdir/$unit.service.d/tap-networks.conf"
  fi
done
if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
echo "==> done: edit /etc/hangar/*.env, then: systemctl enable --now ${units[*]/%/.service}"
