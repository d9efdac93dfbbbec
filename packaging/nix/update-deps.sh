#!/usr/bin/env bash
# Writes packaging/nix/deps.json, the NuGet lock of the flake's buildDotnetModule (package.nix: nugetDeps), in the
# format nixpkgs' nuget-to-json writes: [{ "pname", "version", "hash" }], hash = the SRI sha256 of the .nupkg file
# (what fetchurl checks), sorted by name and version. Run it after changing Directory.Packages.props:
#   packaging/nix/update-deps.sh            restore hangard and hangar as package.nix builds them, into a fresh folder
#   packaging/nix/update-deps.sh DIR        use the packages already restored in DIR (e.g. ~/.nuget/packages)
# It needs no Nix: where Nix has the network, `nix build .#default.fetch-deps && ./result packaging/nix/deps.json` does the same with nixpkgs' own tool.
# Packages the .NET SDK of nixpkgs brings itself (runtime and host packs, ILLink, ILCompiler) are left out, as
# nuget-to-json leaves them out. Every package version of Directory.Packages.props that the two projects use must
# come out locked; the script fails naming any that does not.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=packaging/nix/deps.json
projects=(src/Hangar.Server/Hangar.Server.csproj src/Hangar.Cli/Hangar.Cli.csproj)
if [ $# -ge 1 ]; then
  packages=$1
else
  packages=$(mktemp -d)
  trap 'rm -rf "$packages"' EXIT
  for project in "${projects[@]}"; do
    # The flags buildDotnetModule restores with (a runtime identifier), and package.nix's own.
    dotnet restore "$project" --runtime linux-x64 --packages "$packages" -p:PublishAot=false -p:ContinuousIntegrationBuild=true \
      --nologo -v quiet >&2
  done
fi
sdk_packages='^(microsoft\.netcore\.app\.|microsoft\.aspnetcore\.app\.|microsoft\.netcore\.dotnetapphost$|microsoft\.net\.illink\.tasks$|microsoft\.dotnet\.ilcompiler$|runtime\..*\.microsoft\.dotnet\.ilcompiler$)'
entries=()
while IFS= read -r nupkg; do
  dir=$(dirname "$nupkg")
  version=$(basename "$dir")
  lower=$(basename "$(dirname "$dir")")
  [[ "$lower" =~ $sdk_packages ]] && continue
  # The id as the package spells it (its .nuspec), as nuget-to-json writes it.
  nuspec=$(find "$dir" -maxdepth 1 -name '*.nuspec' | head -n 1)
  id=$(sed -n 's:.*<id>\([^<]*\)</id>.*:\1:p' "$nuspec" | head -n 1)
  [ -n "$id" ] || { echo "error: $nuspec has no <id>." >&2; exit 1; }
  hash="sha256-$(openssl dgst -sha256 -binary "$nupkg" | base64 -w0)"
  entries+=("$(printf '%s\t%s\t%s' "$id" "$version" "$hash")")
done < <(find "$packages" -mindepth 3 -maxdepth 3 -name '*.nupkg' | sort)
[ ${#entries[@]} -gt 0 ] || { echo "error: no .nupkg files under $packages." >&2; exit 1; }
{
  echo "["
  printf '%s\n' "${entries[@]}" | LC_ALL=C sort -f -t$'\t' -k1,1 -k2,2V | awk -F'\t' '
    { if (NR > 1) printf ",\n"; printf "  {\n    \"pname\": \"%s\",\n    \"version\": \"%s\",\n    \"hash\": \"%s\"\n  }", $1, $2, $3 }
    END { printf "\n" }'
  echo "]"
} > "$out.new"
# Every central version the two projects reference directly must be in the lock.
missing=()
for project in "${projects[@]}" $(grep -ho 'Include="\.\./[^"]*\.csproj"' src/*/*.csproj | sed 's:Include="\.\./:src/:; s:"$::' | sort -u); do
  for id in $(grep -o '<PackageReference Include="[^"]*"' "$project" | sed 's:.*Include="::; s:"$::'); do
    version=$(grep -o "<PackageVersion Include=\"$id\" Version=\"[^\"]*\"" Directory.Packages.props | sed 's:.*Version="::; s:"$::')
    grep -qi "\"pname\": \"$id\",\$" "$out.new" && grep -A1 -i "\"pname\": \"$id\",\$" "$out.new" | grep -q "\"version\": \"$version\"" \
      || missing+=("$id $version ($project)")
  done
done
if [ ${#missing[@]} -gt 0 ]; then
  rm -f "$out.new"
  echo "error: not locked: ${missing[*]}" >&2
  exit 1
fi
mv "$out.new" "$out"
echo "==> wrote $out (${#entries[@]} packages)"
