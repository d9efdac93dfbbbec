# Evaluates module.nix with nixpkgs' module system, the options it sets stood in for, and prints the systemd services,
# users, firewall ports and warnings it makes for a sample configuration. It needs nixpkgs' lib, which the tests do
# not have offline; where it is at hand:
#   nix-instantiate --eval --strict --json packaging/nix/eval-module.nix --arg lib 'import <nixpkgs/lib>'
{
  lib ? import <nixpkgs/lib>,
}:
let
  pkgs = {
    writeShellScript = name: text: "/nix/store/…-${name}:\n" + text;
    callPackage = _: _: {
      type = "derivation";
      name = "hangar";
      outPath = "/nix/store/…-hangar";
    };
  };
  # The NixOS options module.nix sets, reduced to what it uses.
  nixos =
    { lib, ... }:
    let
      inherit (lib) mkOption types;
      list = mkOption {
        type = types.listOf types.str;
        default = [ ];
      };
    in
    {
      options = {
        systemd.services = mkOption {
          type = types.attrsOf (
            types.submodule {
              options = {
                description = mkOption { type = types.str; };
                wantedBy = list;
                after = list;
                wants = list;
                environment = mkOption {
                  type = types.attrsOf types.str;
                  default = { };
                };
                serviceConfig = mkOption {
                  type = types.attrsOf (types.oneOf [ types.str types.bool (types.listOf types.str) ]);
                  default = { };
                };
              };
            }
          );
          default = { };
        };
        systemd.tmpfiles.rules = list;
        users.users = mkOption {
          type = types.attrsOf (
            types.submodule {
              options = {
                isSystemUser = mkOption { type = types.bool; };
                group = mkOption { type = types.str; };
                extraGroups = list;
              };
            }
          );
          default = { };
        };
        users.groups = mkOption {
          type = types.attrsOf (types.submodule { });
          default = { };
        };
        networking.firewall.allowedTCPPorts = mkOption {
          type = types.listOf types.port;
          default = [ ];
        };
        warnings = list;
        assertions = mkOption {
          type = types.listOf types.unspecified;
          default = [ ];
        };
        services.postgresql.enable = mkOption {
          type = types.bool;
          default = false;
        };
      };
    };
  config =
    (lib.evalModules {
      modules = [
        nixos
        ./module.nix
        {
          services.hangar-agent = {
            enable = true;
            serverUrl = "https://10.0.0.1:7600";
            joinTokenFile = "/run/secrets/hangar-join";
            networkMode = "bridge";
            enableKvm = false;
            logLevel = "debug";
            stateDir = "/srv/hangar-agent";
            labels.gpu = "true";
          };
          services.hangar-server = {
            enable = true;
            listen = "0.0.0.0";
            openFirewall = true;
            store = "postgres:Host=/run/postgresql;Database=hangar";
          };
        }
      ];
      specialArgs = { inherit pkgs; };
    }).config;
in
{
  inherit (config.systemd.services) hangar-agent hangar-server;
  inherit (config) users warnings;
  tmpfiles = config.systemd.tmpfiles.rules;
  firewall = config.networking.firewall.allowedTCPPorts;
  assertions = map (a: a.assertion) config.assertions;
}
