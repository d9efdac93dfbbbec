#!/usr/bin/env bash
# Installs the Debian packages Hangar and its tests need on a host (run as root): QEMU, qemu-img, and apt's package
# lists (Hangar assembles its built-in `tiny` guest from Debian packages with `apt-get download`).
# Every program that Hangar, the quick start, the tests or the benchmarks run is named here:
#   qemu-system-x86, qemu-utils  QEMU and qemu-img; qemu-system-x86 brings qemu-system-common, whose virtiofsd
#                                (/usr/lib/qemu/virtiofsd) serves VMs' shares
#   util-linux                   setsid (the detached server, each QEMU); unshare (a read-only share's mount namespace); setpriv (tests run hangar as an ordinary user)
#   coreutils                    stty (the console), mktemp, paste
#   dpkg, apt                    apt-get download, apt-cache, dpkg-deb (building the tiny image)
#   cpio                         the tests check Hangar's own cpio writer against the real cpio
#   bc                           scripts/test.sh adds up the counts of passed and failed tests
#   clang, zlib1g-dev            link the `hangar` client compiled ahead of time (dotnet publish, PublishAot)
#   libvirt-clients              virsh: bench/ measures the client against `virsh -c test:///default list`;
#                                virt-xml-validate: the tests check `hangar vm xml`'s domains against libvirt's schema
#   libxml2-utils                xmllint, which virt-xml-validate runs (libvirt-clients does not depend on it)
#   mmdebstrap                   builds the built-in debian-12 image's root file system from the host's apt mirror
#                                (mke2fs from e2fsprogs, which Debian always has, makes it an ext4 disk)
#   genisoimage                  writes each VM's cloud-init seed (the cidata ISO 9660 volume); its isoinfo reads
#                                one back in the tests
#   openssh-client               ssh-keygen and ssh: hangar ssh, and the tests log into a debian-12 guest
#   postgresql                   initdb and pg_ctl (/usr/lib/postgresql/*/bin): the state-store contract tests and
#                                scripts/postgres-dev.sh start a throwaway server on a unix socket in a temp dir
#   age                          the secrets tests check Hangar's own age files against the real age and age-keygen
#                                (with ssh-keygen's Ed25519 keys); Hangar itself does not run it
#   iproute2                     ip: the agent makes bridges and puts bridge interfaces' taps on them; the tests
#                                make the network namespaces they run bridge VMs in (ip netns)
#   nix-bin                      nix-instantiate: the tests parse every .nix file (flake.nix, packaging/nix/) and
#                                evaluate the NixOS module's command lines, offline and without the Nix daemon
#   systemd                      systemd-analyze: the tests verify packaging/systemd/'s units with their hardening
set -euo pipefail
packages=(qemu-system-x86 qemu-utils util-linux coreutils dpkg apt cpio bc ca-certificates clang zlib1g-dev libvirt-clients libxml2-utils mmdebstrap e2fsprogs genisoimage openssh-client postgresql age iproute2 nix-bin systemd)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "$(id -u)" -ne 0 ]; then
  if [ ${#missing[@]} -gt 0 ]; then
    echo "error: missing packages (${missing[*]}); run this as root." >&2
    exit 1
  fi
  exit 0
fi
echo "==> apt-get update"
apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v dotnet >/dev/null; then
  echo "error: the .NET 10 SDK is not on PATH; install it first (https://dot.net)." >&2
  exit 1
fi
