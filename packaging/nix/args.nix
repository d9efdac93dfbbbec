# The arguments of `hangar` for a service of the NixOS module (module.nix), built from its options with the flag names
# of flags.json: `agent --home /var/lib/hangar --server URL … --accel auto --runtime-dir /run/hangar --log-level info`. Builtins only: the tests evaluate it with
# `nix-instantiate --eval` on sample options and parse the result with hangard's own command tree, so a flag renamed
# in src/Hangar.Server fails them.
{ service, cfg }:
let
  flags = (builtins.fromJSON (builtins.readFile ./flags.json)).${service};
  flag = option: flags.${option}.flag;
  given = option: if cfg.${option} == null then [ ] else [ (flag option) cfg.${option} ];
  home = [ (flag "stateDir") cfg.stateDir ];
  accel = [ (flag "enableKvm") flags.enableKvm.values.${if cfg.enableKvm then "true" else "false"} ];
  logLevel = [ (flag "logLevel") cfg.logLevel ];
  runtimeDir = [ (flag "qemuSocketDir") cfg.qemuSocketDir ];
  labels =
    if cfg.labels == { } then [ ]
    else [ (flag "labels") (builtins.concatStringsSep "," (builtins.attrValues (builtins.mapAttrs (k: v: "${k}=${v}") cfg.labels))) ];
  # Optional for the callers that predate it (the tests' sample options).
  metrics = if (cfg.metricsListen or null) == null then [ ] else [ (flag "metricsListen") cfg.metricsListen ];
  # An IPv6 host is written in brackets: --listen [::]:7600.
  host = if builtins.match ".*:.*" cfg.listen != null then "[${cfg.listen}]" else cfg.listen;
in
if service == "agent" then
  [ "agent" ] ++ home ++ given "serverUrl" ++ given "serverFingerprint" ++ given "name" ++ labels ++ metrics ++ accel ++ runtimeDir ++ logLevel ++ cfg.extraArgs
else if service == "server" then
  [ "server" ] ++ home ++ [ (flag "listen") "${host}:${toString cfg.port}" ] ++ given "store" ++ accel ++ logLevel ++ cfg.extraArgs
else
  throw "args.nix: service is agent or server, not ${service}"
