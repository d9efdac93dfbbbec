# hangar and hangard, built with buildDotnetModule from the NuGet packages locked in deps.json (update-deps.sh writes
# it). A JIT build on the ASP.NET Core runtime: scripts/build.sh compiles both ahead of time, which here would need
# the ILCompiler packages and clang in the sandbox.
{
  lib,
  buildDotnetModule,
  dotnetCorePackages,
  qemu,
  iproute2,
  cdrkit,
  openssh,
  util-linux,
}:
buildDotnetModule {
  pname = "hangar";
  version = "0.1.0";
  src = lib.fileset.toSource {
    root = ../..;
    fileset = lib.fileset.unions [
      ../../src
      ../../images
      ../../Directory.Build.props
      ../../Directory.Packages.props
      ../../global.json
    ];
  };
  projectFile = [
    "src/Hangar.Server/Hangar.Server.csproj"
    "src/Hangar.Cli/Hangar.Cli.csproj"
  ];
  nugetDeps = ./deps.json;
  dotnet-sdk = dotnetCorePackages.sdk_10_0;
  dotnet-runtime = dotnetCorePackages.aspnetcore_10_0;
  dotnetFlags = [ "-p:PublishAot=false" ];
  executables = [
    "hangar"
    "hangard"
  ];
  # What hangard runs: QEMU and qemu-img, ip (bridges), genisoimage (cloud-init seeds), ssh and ssh-keygen, setsid.
  # The built-in tiny and debian-12 images are assembled from Debian packages with apt and mmdebstrap, which NixOS
  # does not have: give VMs images by file or URL there (docs/packaging.md).
  makeWrapperArgs = [
    "--prefix"
    "PATH"
    ":"
    (lib.makeBinPath [
      qemu
      iproute2
      cdrkit
      openssh
      util-linux
    ])
  ];
  meta = {
    description = "Runs a fleet of QEMU virtual machines from one declarative file";
    mainProgram = "hangar";
    platforms = lib.platforms.linux;
  };
}
