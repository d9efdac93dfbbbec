# Reads a systemd unit fragment of KEY=VALUE lines (packaging/hardening.conf, packaging/tap-networks.conf) into an
# attribute set of lists, one value per line in file order: { DeviceAllow = [ "/dev/kvm rw" "/dev/vhost-vsock rw" ]; }.
# Section headers and comments are skipped. Builtins only, so the tests evaluate it without nixpkgs.
text:
let
  lines = builtins.filter builtins.isString (builtins.split "\n" text);
  entries = builtins.filter (m: m != null) (map (builtins.match "([A-Za-z]+)=(.*)") lines);
in
builtins.foldl'
  (acc: entry:
    let
      key = builtins.elemAt entry 0;
      value = builtins.elemAt entry 1;
    in
    acc // { ${key} = (acc.${key} or [ ]) ++ [ value ]; })
  { }
  entries
