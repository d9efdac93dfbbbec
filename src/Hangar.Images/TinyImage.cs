namespace Hangar.Images;

/// <summary>
/// Facts about Hangar's built-in <c>tiny</c> guest that the rest of Hangar relies on.
/// The guest itself is described in images/tiny/README.md.
/// </summary>
public static class TinyImage
{
    /// <summary>The name fleet files use for this image.</summary>
    public const string Name = "tiny";

    /// <summary>Line printed on ttyS0 once networking, httpd (unless delayed) and the power button handler are up.</summary>
    public const string ReadyMarker = "hangar-tiny: ready";

    /// <summary>Line printed on ttyS0 when the guest handles an ACPI power button press.</summary>
    public const string PoweringOffMarker = "hangar-tiny: powering off";

    /// <summary>
    /// Base kernel command line. <c>loglevel=4</c> keeps warnings and errors on the serial log without the
    /// ~300 lines of a normal boot (each costs time on an emulated UART); <c>panic=-1</c> reboots at once on a panic.
    /// </summary>
    public const string KernelCommandLine = "console=ttyS0 panic=-1 loglevel=4";

    /// <summary>Kernel command line parameter that names the guest (its hostname).</summary>
    public const string NameParameter = "hangar.name";

    /// <summary>Kernel command line parameter: start the web server this many seconds late (for health-check tests).</summary>
    public const string HttpdDelayParameter = "hangar.httpd_delay";

    /// <summary>Line printed on ttyS0 right after busybox httpd opened its listening socket on port 80.</summary>
    public const string HttpdListeningMarker = "hangar-tiny: httpd listening on port 80";
}
