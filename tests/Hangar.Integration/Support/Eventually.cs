namespace Hangar.Integration.Support;

/// <summary>
/// Waits for a condition that another process makes true (a QEMU restarted by the agent). The test has no event to
/// wait on across the process boundary, so it asks again on a short interval, up to a deadline.
/// </summary>
public static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last;
        do
        {
            last = await probe();
            if (done(last)) return last;
            await Task.Delay(250);
        } while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"Timed out after {timeout} waiting for {what}; last: {last}");
    }
}
