using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Hangar.Protocol.Tests.Agent;

/// <summary>
/// A canonical text of a JSON contract as System.Text.Json sees it with given options: for each message type its
/// discriminator, and for every field, recursively, its JSON name, its JSON type, whether it may be null and whether a
/// reader requires it. C# type names do not appear (only what travels does), so renaming a record is not a change;
/// a new, removed, renamed or retyped field, or a new enum value, is.
/// </summary>
internal static class WireShape
{
    public static string Describe(Type root, JsonSerializerOptions options)
    {
        var text = new StringBuilder();
        var info = options.GetTypeInfo(root);
        if (info.PolymorphismOptions is not { } polymorphism)
        {
            DescribeObject(text, info, options, indent: 0, path: []);
            return text.ToString();
        }
        foreach (var derived in polymorphism.DerivedTypes.OrderBy(d => d.TypeDiscriminator?.ToString(), StringComparer.Ordinal))
        {
            text.Append(polymorphism.TypeDiscriminatorPropertyName).Append(" = \"").Append(derived.TypeDiscriminator).AppendLine("\"");
            DescribeObject(text, options.GetTypeInfo(derived.DerivedType), options, indent: 1, path: [root]);
        }
        return text.ToString();
    }

    private static void DescribeObject(StringBuilder text, JsonTypeInfo info, JsonSerializerOptions options, int indent, Type[] path)
    {
        if (path.Contains(info.Type)) throw new InvalidOperationException($"{info.Type} contains itself; describe it by name instead.");
        path = [.. path, info.Type];
        foreach (var property in info.Properties.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var nullable = property.IsGetNullable || property.IsSetNullable;
            // An init-only property the source generator binds as a member initializer is not a constructor parameter: a
            // reader does not require it (reflection-based metadata has no parameter for it at all).
            var required = property.AssociatedParameter is { IsMemberInitializer: false } parameter ? !parameter.HasDefaultValue : property.IsRequired;
            text.Append(' ', indent * 2).Append(property.Name).Append(": ").Append(Describe(type, options, indent, path, text, out var nested));
            if (nullable) text.Append(" | null");
            text.Append(property.Set is null && property.AssociatedParameter is null ? " (written, not read)" : required ? " (required)" : " (optional)");
            if (property.ShouldSerialize is not null) text.Append(" (sometimes left out)");
            text.AppendLine();
            nested?.Invoke();
        }
    }

    /// <summary>The one-line JSON type of <paramref name="type"/>; an object's or array element's fields come in
    /// <paramref name="nested"/>, to be written after the line.</summary>
    private static string Describe(Type type, JsonSerializerOptions options, int indent, Type[] path, StringBuilder text, out Action? nested)
    {
        nested = null;
        var info = options.GetTypeInfo(type);
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                nested = () => DescribeObject(text, info, options, indent + 1, path);
                return "object";
            case JsonTypeInfoKind.Enumerable:
                var element = Nullable.GetUnderlyingType(info.ElementType!) ?? info.ElementType!;
                var inner = Describe(element, options, indent, path, text, out nested);
                return $"array of {inner}{(element != info.ElementType ? " | null" : "")}";
            case JsonTypeInfoKind.Dictionary:
                return $"map of {Describe(info.KeyType!, options, indent, path, text, out _)} to {Describe(info.ElementType!, options, indent, path, text, out nested)}";
            default:
                return Scalar(type, options);
        }
    }

    private static string Scalar(Type type, JsonSerializerOptions options)
    {
        if (type.IsEnum)
        {
            var values = Enum.GetValues(type).Cast<object>().Select(v => JsonSerializer.Serialize(v, type, options));
            return $"enum {string.Join(" ", values)}";
        }
        // A sample shows the representation a converter chooses (a duration as milliseconds, a time as ISO 8601).
        object? sample = type == typeof(TimeSpan) ? TimeSpan.FromMilliseconds(1500)
            : type == typeof(DateTimeOffset) ? new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(1))
            : null;
        var name = type == typeof(string) ? "string"
            : type == typeof(bool) ? "boolean"
            : type == typeof(int) ? "int32"
            : type == typeof(long) ? "int64"
            : type == typeof(TimeSpan) ? "duration"
            : type == typeof(DateTimeOffset) ? "timestamp"
            : type == typeof(byte[]) ? "base64 bytes"
            : throw new InvalidOperationException($"{type} has no wire name here yet; add one.");
        return sample is null ? name : $"{name} like {JsonSerializer.Serialize(sample, type, options)}";
    }
}
