namespace Hangar.Spec;

/// <summary>
/// Whether parsing a fleet file checks that each file image's <c>path</c> exists. The CLI checks (the file is on its
/// machine, and it uploads it); the control plane does not (the path names a file on the CLI's machine, and the
/// server goes by the image's digest in its own store).
/// </summary>
public enum ImageFileCheck
{
    /// <summary>A <c>path</c> that names no file is an error at the field.</summary>
    MustExist,

    /// <summary>The path is resolved against the base directory and kept, but not looked at.</summary>
    NotChecked,
}
