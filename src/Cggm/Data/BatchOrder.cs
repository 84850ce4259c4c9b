namespace Cggm.Data;

/// <summary>
/// The order in which a split is visited. Shuffled orders depend only on (seed, epoch), so a resumed run sees the same
/// batches as an uninterrupted one. Unshuffled order is what the released CGGM code uses (its DataLoaders never shuffle).
/// </summary>
public static class BatchOrder
{
    /// <summary>Index lists of consecutive batches of <paramref name="batchSize"/> (the last one may be smaller unless <paramref name="dropLast"/>).</summary>
    public static IEnumerable<int[]> Batches(int count, int batchSize, bool shuffle, int seed, int epoch, bool dropLast = false)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
        var order = Enumerable.Range(0, count).ToArray();
        if (shuffle) new Random(unchecked(seed * 1_000_003 + epoch * 7919 + 17)).Shuffle(order);
        for (int start = 0; start < count; start += batchSize)
        {
            int len = Math.Min(batchSize, count - start);
            if (dropLast && len < batchSize) yield break;
            yield return order[start..(start + len)];
        }
    }

    /// <summary>Number of batches <see cref="Batches"/> yields.</summary>
    public static int Count(int count, int batchSize, bool dropLast = false) =>
        dropLast ? count / batchSize : (count + batchSize - 1) / batchSize;
}
