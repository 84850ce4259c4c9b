using Cggm.Data;

namespace Cggm.Tests.Data;

public class BatchOrderTests
{
    [Fact]
    public void Every_index_once_in_order_without_shuffle()
    {
        var batches = BatchOrder.Batches(10, 4, shuffle: false, 0, 0).ToArray();
        Assert.Equal([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]], batches);
        Assert.Equal(3, BatchOrder.Count(10, 4));
        Assert.Equal(2, BatchOrder.Count(10, 4, dropLast: true));
        Assert.Equal(2, BatchOrder.Batches(10, 4, false, 0, 0, dropLast: true).Count());
    }

    [Fact]
    public void Shuffles_depend_only_on_seed_and_epoch()
    {
        var a = BatchOrder.Batches(50, 8, true, seed: 3, epoch: 2).SelectMany(b => b).ToArray();
        var b = BatchOrder.Batches(50, 8, true, seed: 3, epoch: 2).SelectMany(b => b).ToArray();
        var c = BatchOrder.Batches(50, 8, true, seed: 3, epoch: 3).SelectMany(b => b).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(Enumerable.Range(0, 50), a.Order());
    }

    [Fact]
    public void A_zero_batch_size_is_an_error() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchOrder.Batches(5, 0, false, 0, 0).ToArray());
}
