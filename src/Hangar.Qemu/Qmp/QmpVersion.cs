namespace Hangar.Qemu;

/// <summary>The QEMU version a QMP server announces in its greeting.</summary>
public sealed record QmpVersion(int Major, int Minor, int Micro)
{
    public override string ToString() => $"{Major}.{Minor}.{Micro}";
}
