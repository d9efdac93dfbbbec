using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Hangar.Protocol.Api;
using Hangar.Spec;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// Parses the fleet files of plan and apply, each against the generation it is based on (its checks, such as "a disk
/// must not shrink", compare with that generation's spec). An apply parses before it takes the write lock, so that a
/// parse of 100,000 VMs (seconds) does not hold up <c>vm stop</c>; under the lock it keeps that parse only when the
/// generation is still the one it was based on. The last plan's parse is kept for the apply of the same file on the
/// same generation (what <c>hangar apply</c> does after showing its plan), which then parses nothing.
/// </summary>
/// <remarks>A parse depends on the file's text, name and base directory, its secrets' ciphertext and the spec it is based on, nothing else:
/// the same inputs give the same spec, so a kept parse is as good as a new one.</remarks>
internal sealed class FleetFileParses
{
    private Parsed? _planned;

    /// <summary>Called as each parse begins, on the caller's thread; tests hold it to show what waits for a parse.</summary>
    public Action<ApplyRequest>? Parsing { get; set; }

    /// <summary>Parses <paramref name="request"/> against <paramref name="basis"/> for a plan, and keeps it for the apply.</summary>
    public Parsed ForPlan(ApplyRequest request, FleetSpec? basis)
    {
        var parsed = Parse(request, basis, Key(request));
        Volatile.Write(ref _planned, parsed);
        return parsed;
    }

    /// <summary>The plan's parse when it was of this file on this basis (taken: it is kept once), else a new parse.</summary>
    public Parsed ForApply(ApplyRequest request, FleetSpec? basis)
    {
        var key = Key(request);
        var planned = Interlocked.Exchange(ref _planned, null);
        return planned is not null && ReferenceEquals(planned.Basis, basis) && planned.Key.AsSpan().SequenceEqual(key)
            ? planned
            : Parse(request, basis, key);
    }

    /// <summary>
    /// Under the write lock: the spec of <paramref name="parsed"/> when <paramref name="current"/> is still the spec it
    /// was based on, else the file parsed again against <paramref name="current"/> (another generation was committed
    /// meanwhile). Throws <see cref="SpecRejectedException"/> for a file with errors.
    /// </summary>
    public FleetSpec SpecFor(Parsed parsed, ApplyRequest request, FleetSpec? current) =>
        (ReferenceEquals(parsed.Basis, current) ? parsed : Parse(request, current, parsed.Key)).Spec();

    /// <summary>Forgets the plan's parse (the generation it was based on is gone, so it can never be taken).</summary>
    public void ForgetPlanned() => Volatile.Write(ref _planned, null);

    private Parsed Parse(ApplyRequest request, FleetSpec? basis, byte[] key)
    {
        Parsing?.Invoke(request);
        // The image paths name files on the CLI's machine: the server goes by digest, in its own store. Secrets come as
        // the ciphertext the CLI read beside the file.
        var result = FleetParser.Parse(request.Text, request.FileName, request.BaseDirectory, basis, ImageFileCheck.NotChecked,
            SecretSource.FromCiphertexts(request.Secrets, request.Identities));
        return new Parsed(basis, key, result.IsValid ? result.Spec : null, result.IsValid ? [] : result.Errors.ToArray());
    }

    /// <summary>What a parse depends on besides its basis: the file's name, base directory and text, and the secrets'
    /// ciphertext (a secret set again between plan and apply is another file), hashed, so that the kept parse does not
    /// keep a 5 MB text alive.</summary>
    private static byte[] Key(ApplyRequest request)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var secrets = (request.Secrets ?? new Dictionary<string, string>()).OrderBy(s => s.Key, StringComparer.Ordinal).SelectMany(s => new[] { s.Key, s.Value });
        var identities = (request.Identities ?? new Dictionary<string, VmIdentity>()).OrderBy(i => i.Key, StringComparer.Ordinal)
            .SelectMany(i => new[] { "identity", i.Key, i.Value.PublicKey ?? "", i.Value.Ciphertext ?? "" });
        foreach (var part in new[] { request.FileName, request.BaseDirectory ?? "\0", request.Text }.Concat(secrets).Concat(identities))
        {
            hash.AppendData(MemoryMarshal.AsBytes(part.AsSpan()));
            hash.AppendData(MemoryMarshal.AsBytes("\0|".AsSpan()));
        }
        return hash.GetHashAndReset();
    }

    /// <summary>A fleet file parsed against <see cref="Basis"/> (null: nothing applied yet): its spec, or its errors.</summary>
    public sealed record Parsed(FleetSpec? Basis, byte[] Key, FleetSpec? Result, SpecError[] Errors)
    {
        /// <summary>The spec; throws <see cref="SpecRejectedException"/> with the file's errors when it has any.</summary>
        public FleetSpec Spec() => Result ?? throw new SpecRejectedException(Errors);
    }
}
