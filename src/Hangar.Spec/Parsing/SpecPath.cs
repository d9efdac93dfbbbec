namespace Hangar.Spec.Parsing;

/// <summary>Dotted paths to a field, as errors show them: <c>vms.web.forwards[1]</c>.</summary>
internal static class SpecPath
{
    public static string Field(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    public static string Item(string parent, int index) => $"{parent}[{index}]";
}
