# NixOS module: services.hangar-agent (an agent of a control plane on another host) and services.hangar-server (the
# control plane with a local agent). docs/packaging.md shows both in use.
# How each option reaches the daemon is written down in flags.json, and args.nix builds the command line from it; the
# tests (tests/Hangar.Integration/Packaging) check every flag named there against hangard's command tree. The hardening
# is packaging/hardening.conf (and tap-networks.conf for bridge interfaces), the files the Debian units use too.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib)
    mkEnableOption
    mkIf
    mkMerge
    mkOption
    literalExpression
    optional
    types
    ;
  agent = config.services.hangar-agent;
  server = config.services.hangar-server;
  unitFile = import ./unit-file.nix;
  hardening = unitFile (builtins.readFile ../hardening.conf);
  tapNetworks = unitFile (builtins.readFile ../tap-networks.conf);
  # Repeated keys add up, as systemd reads drop-ins one after the other.
  merge = a: b: a // builtins.mapAttrs (key: values: (a.${key} or [ ]) ++ values) b;
  levels = [
    "trace"
    "debug"
    "info"
    "notice"
    "warning"
    "error"
    "critical"
  ];

  # The options both services have.
  common = service: {
    package = mkOption {
      type = types.package;
      default = pkgs.callPackage ./package.nix { };
      defaultText = literalExpression "the flake's packages.default (packaging/nix/package.nix)";
      description = "The Hangar package (hangar and hangard).";
    };
    stateDir = mkOption {
      type = types.str;
      default = "/var/lib/hangar";
      description = ''
        Where all of Hangar's state lives (`--home`): images, VM disks, the agent's credential${lib.optionalString (service == "server") ", the SQLite state"}.
        Under /var/lib it is the unit's StateDirectory=, elsewhere a ReadWritePaths= of ProtectSystem=strict.
      '';
    };
    enableKvm = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Let QEMU use KVM: `--accel auto` (KVM when a test guest boots under it, else TCG) and /dev/kvm in DeviceAllow=.
        When false, `--accel tcg` and no /dev/kvm.
      '';
    };
    networkMode = mkOption {
      type = types.enum [
        "user"
        "bridge"
      ];
      default = "user";
      description = ''
        Which networks the VMs of this host may have. hangard has no flag for it: networks are per VM in the fleet
        file. "user" (QEMU's user-mode network) gives the service no capability; "bridge" adds packaging/tap-networks.conf,
        CAP_NET_ADMIN and /dev/net/tun, which bridge interfaces need (the agent makes the bridge and opens the taps).
      '';
    };
    logLevel = mkOption {
      type = types.enum levels;
      default = "info";
      description = ''
        The least level logged (`--log-level`). notice keeps the fleet's events (VMs started, crashed, unhealthy;
        generations; agents joining) and the server's start and stop, and everything from warning up. Lines reach the
        journal with their syslog priority (`journalctl -p warning -u hangar-agent`).
      '';
    };
    user = mkOption {
      type = types.str;
      default = "hangar";
      description = "The user the daemon and its QEMUs run as (created when it is hangar).";
    };
    group = mkOption {
      type = types.str;
      default = "hangar";
      description = "The group of that user.";
    };
    environmentFile = mkOption {
      type = types.nullOr types.path;
      default = null;
      description =
        if service == "agent" then
          "A file of HANGAR_*=value lines read by systemd (EnvironmentFile=), e.g. HANGAR_JOIN_TOKEN, HANGAR_SERVER_FINGERPRINT, HANGAR_ACCEL."
        else
          "A file of HANGAR_*=value lines read by systemd (EnvironmentFile=): any key of `hangar server` as HANGAR_<KEY>, e.g. HANGAR_STORE_PASSWORD.";
    };
    extraArgs = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = if service == "agent" then [ "--labels" "rack=2" ] else [ "--no-agent" ];
      description = "More arguments of `hangar ${service}`, after those the options give.";
    };
  };

  # systemd's [Service] for one service: the shared hardening, then what this service's options say.
  serviceConfig =
    cfg: extra:
    let
      set = merge hardening (if cfg.networkMode == "bridge" then tapNetworks else { });
      underVarLib = lib.hasPrefix "/var/lib/" cfg.stateDir;
    in
    set
    // {
      User = cfg.user;
      Group = cfg.group;
      DeviceAllow = builtins.filter (device: cfg.enableKvm || device != "/dev/kvm rw") set.DeviceAllow;
      SupplementaryGroups = if cfg.enableKvm then set.SupplementaryGroups else [ ];
      StateDirectory = if underVarLib then [ (lib.removePrefix "/var/lib/" cfg.stateDir) ] else [ ];
      ReadWritePaths = optional (!underVarLib) cfg.stateDir;
      # The daemon reports readiness with sd_notify; VMs outlive it, and the next start adopts them.
      Type = "notify";
      KillMode = "process";
      Restart = "on-failure";
      RestartSec = "5s";
      TimeoutStartSec = "5min";
      EnvironmentFile = optional (cfg.environmentFile != null) cfg.environmentFile;
    }
    // extra;

  commandLine = service: cfg: lib.escapeShellArgs (import ./args.nix { inherit service cfg; });
in
{
  options.services.hangar-agent = common "agent" // {
    enable = mkEnableOption "a Hangar agent, which runs the VMs a control plane on another host gives it";
    serverUrl = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "https://10.0.0.1:7600";
      description = "The control plane (`--server`); its replicas separated by commas. Needed to join; later taken from the credential.";
    };
    joinTokenFile = mkOption {
      type = types.nullOr types.path;
      default = null;
      description = ''
        A file holding a join token from `hangar token create`, used once to get the agent's own credential. systemd
        hands it over as a credential (LoadCredential=) and the start script puts it in HANGAR_JOIN_TOKEN (what
        `--join-token` defaults to), never on the command line. Give it as a string ("/run/secrets/hangar-join"),
        so that it is not copied to the world-readable store.
      '';
    };
    serverFingerprint = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "sha256:…";
      description = "The control plane's certificate fingerprint (`--server-fingerprint`), pinned at join.";
    };
    name = mkOption {
      type = types.nullOr types.str;
      default = null;
      description = "The agent's name when it joins (`--name`; default: the host name).";
    };
    labels = mkOption {
      type = types.attrsOf types.str;
      default = { };
      example = {
        gpu = "true";
      };
      description = "Labels to join with (`--labels k=v,…`); the token's labels win.";
    };
    qemuSocketDir = mkOption {
      type = types.str;
      default = "/run/hangar";
      readOnly = true;
      description = ''
        Where the QMP sockets, pid files and runtime records of the VMs are (`--runtime-dir`; each home in a
        subdirectory of it). Read-only: the unit's RuntimeDirectory=hangar (kept across restarts) makes /run/hangar.
      '';
    };
    metricsListen = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "0.0.0.0:9464";
      description = ''
        Serve Prometheus metrics on http://ADDR:PORT/metrics (`--metrics-listen`; a port alone listens on 127.0.0.1).
        No token is asked: beyond loopback, only on a network the scraper and the host trust. Off when null.
      '';
    };
    openFirewall = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Open the port of metricsListen in the firewall, for a Prometheus on another host. Nothing else to open: the
        agent connects to the control plane and the VMs' forwards bind 127.0.0.1; the module warns when it is set
        without metricsListen.
      '';
    };
  };

  options.services.hangar-server = common "server" // {
    enable = mkEnableOption "the Hangar control plane, with a local agent unless extraArgs has --no-agent";
    listen = mkOption {
      type = types.str;
      default = "127.0.0.1";
      example = "0.0.0.0";
      description = "The host of `--listen HOST:PORT`. Beyond loopback the server serves HTTPS (a certificate it makes, or HANGAR_TLS_CERT/HANGAR_TLS_KEY).";
    };
    port = mkOption {
      type = types.port;
      default = 7600;
      description = "The port of `--listen HOST:PORT`: the API and the agents' endpoint.";
    };
    store = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "postgres:Host=/run/postgresql;Database=hangar;Username=hangar";
      description = "Where the control plane keeps its state (`--store`); null is SQLite in stateDir. Give a password as HANGAR_STORE_PASSWORD in environmentFile.";
    };
    openFirewall = mkOption {
      type = types.bool;
      default = false;
      description = "Open port in the firewall, for agents and clients on other hosts.";
    };
  };

  config = mkMerge [
    (mkIf (agent.enable || server.enable) {
      warnings =
        optional (agent.enable && agent.openFirewall && agent.metricsListen == null) "services.hangar-agent.openFirewall: the agent listens on no port without metricsListen; nothing was opened.";
      assertions = [
        {
          assertion = !(agent.enable && server.enable && agent.stateDir == server.stateDir);
          message = "services.hangar-agent and services.hangar-server share stateDir ${agent.stateDir}; the server runs a local agent already (or give them different state directories).";
        }
      ];
      # One system user for both services when they keep the default name.
      users.users.hangar = mkIf ((agent.enable && agent.user == "hangar") || (server.enable && server.user == "hangar")) {
        isSystemUser = true;
        group = if agent.enable && agent.user == "hangar" then agent.group else server.group;
        extraGroups = [ "kvm" ];
      };
      # A state directory outside /var/lib is not systemd's to make (StateDirectory=): make it, the user's alone.
      systemd.tmpfiles.rules =
        optional (agent.enable && !lib.hasPrefix "/var/lib/" agent.stateDir) "d ${agent.stateDir} 0700 ${agent.user} ${agent.group} -"
        ++ optional (server.enable && !lib.hasPrefix "/var/lib/" server.stateDir) "d ${server.stateDir} 0700 ${server.user} ${server.group} -";
      users.groups.hangar = mkIf ((agent.enable && agent.group == "hangar") || (server.enable && server.group == "hangar")) { };
    })

    (mkIf agent.enable {
      # The port is what follows the last ':' of metricsListen (a port alone is the whole value).
      networking.firewall.allowedTCPPorts = optional (agent.openFirewall && agent.metricsListen != null)
        (lib.toInt (lib.last (lib.splitString ":" agent.metricsListen)));
      systemd.services.hangar-agent = {
        description = "Hangar agent (runs the QEMU VMs of a Hangar control plane)";
        wantedBy = [ "multi-user.target" ];
        after = [ "network-online.target" ];
        wants = [ "network-online.target" ];
        environment.HANGAR_HOME = agent.stateDir;
        serviceConfig = serviceConfig agent {
          LoadCredential = optional (agent.joinTokenFile != null) "join-token:${agent.joinTokenFile}";
          ExecStart = pkgs.writeShellScript "hangar-agent-start" ''
            if [ -n "''${CREDENTIALS_DIRECTORY:-}" ] && [ -r "$CREDENTIALS_DIRECTORY/join-token" ]; then
              HANGAR_JOIN_TOKEN=$(< "$CREDENTIALS_DIRECTORY/join-token")
              export HANGAR_JOIN_TOKEN
            fi
            exec ${agent.package}/bin/hangar ${commandLine "agent" agent}
          '';
        };
      };
    })

    (mkIf server.enable {
      networking.firewall.allowedTCPPorts = optional server.openFirewall server.port;
      systemd.services.hangar-server = {
        description = "Hangar control plane (with a local agent)";
        wantedBy = [ "multi-user.target" ];
        after = [ "network-online.target" ] ++ optional config.services.postgresql.enable "postgresql.service";
        wants = [ "network-online.target" ];
        environment.HANGAR_HOME = server.stateDir;
        serviceConfig = serviceConfig server {
          # Through a shell script, so that systemd reads no specifier (%) or variable ($) in a store's text.
          ExecStart = pkgs.writeShellScript "hangar-server-start" ''
            exec ${server.package}/bin/hangar ${commandLine "server" server}
          '';
        };
      };
    })
  ];
}
