using System.Runtime.CompilerServices;
using Hangar.Protocol.Api;
using Hangar.State;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// <c>GET /api/v1/events</c>: a page of events after an id, or (following) every event after it as the store gets
/// them, each through an <see cref="EventFilter"/> applied here, on the server. The store is read by id in pages of
/// <see cref="Page"/> and filtered in memory: a filter that matches little reads the whole journal once, in pages,
/// and then only what is new.
/// </summary>
internal sealed class EventQueries(IStateStore store, EventFeed feed)
{
    /// <summary>The most events read from the store at once.</summary>
    public const int Page = 1000;

    /// <summary>Up to <paramref name="limit"/> events after <paramref name="after"/> that pass <paramref name="filter"/>,
    /// oldest first; fewer only when the store has no more.</summary>
    public async Task<IReadOnlyList<EventEntry>> ListAsync(long after, int limit, EventFilter filter, CancellationToken ct)
    {
        var found = new List<EventEntry>();
        while (true)
        {
            var page = await store.ListEventsAsync(after, filter.IsAll ? limit - found.Count : Page, ct);
            foreach (var record in page)
            {
                if (filter.Matches(record.Kind, record.Vm, record.Agent)) found.Add(Entry(record));
                if (found.Count == limit) return found;
            }
            if (page.Count == 0 || (filter.IsAll && found.Count == limit)) return found;
            after = page[^1].Id;
        }
    }

    /// <summary>
    /// Every event after <paramref name="after"/> that passes <paramref name="filter"/>, then each new one as the store
    /// gets it, until cancelled. The caller's pace sets the reads: nothing is queued for a caller that is slow.
    /// </summary>
    public async IAsyncEnumerable<EventEntry> FollowAsync(long after, EventFilter filter, [EnumeratorCancellation] CancellationToken ct)
    {
        while (true)
        {
            // Taken before the read, so that a batch written during the read wakes the next wait.
            var appended = feed.WhenAppendedAsync(ct);
            var page = await store.ListEventsAsync(after, Page, ct);
            foreach (var record in page)
            {
                after = record.Id;
                if (filter.Matches(record.Kind, record.Vm, record.Agent)) yield return Entry(record);
            }
            if (page.Count == Page) continue; // there may be more right away
            await appended;
        }
    }

    private static EventEntry Entry(EventRecord e) => new(e.Id, e.At, e.Kind, e.Vm, e.Message, e.Agent);
}
