{
  description = "Hangar runs a fleet of QEMU virtual machines from one declarative file";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAllSystems (pkgs: rec {
        hangar = pkgs.callPackage ./packaging/nix/package.nix { };
        default = hangar;
      });

      apps = forAllSystems (
        pkgs:
        let
          hangar = self.packages.${pkgs.stdenv.hostPlatform.system}.default;
        in
        {
          default = {
            type = "app";
            program = "${hangar}/bin/hangar";
          };
          hangard = {
            type = "app";
            program = "${hangar}/bin/hangard";
          };
        }
      );

      # What scripts/test.sh needs, less what only Debian has (apt, mmdebstrap).
      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = with pkgs; [
            dotnetCorePackages.sdk_10_0
            qemu
            age
            postgresql
            cdrkit
            openssh
            iproute2
            cpio
            libvirt
            libxml2
          ];
          DOTNET_CLI_TELEMETRY_OPTOUT = "1";
        };
      });

      # services.hangar-agent and services.hangar-server (docs/packaging.md), with this flake's package.
      nixosModules.default =
        { lib, pkgs, ... }:
        {
          imports = [ ./packaging/nix/module.nix ];
          services.hangar-agent.package = lib.mkDefault self.packages.${pkgs.stdenv.hostPlatform.system}.default;
          services.hangar-server.package = lib.mkDefault self.packages.${pkgs.stdenv.hostPlatform.system}.default;
        };
      nixosModules.hangar = self.nixosModules.default;
    };
}
