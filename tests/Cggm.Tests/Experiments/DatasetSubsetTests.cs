using Cggm.Data;
using TorchSharp;

namespace Cggm.Tests.Experiments;

[Collection(Cggm.Tests.Modulation.ModulationCollection.Name)]
public class DatasetSubsetTests
{
    [Fact]
    public void Choose_draws_distinct_indices_in_file_order_and_the_same_ones_for_the_same_seed()
    {
        var chosen = DatasetSubset.Choose(100, 10, seed: 3);
        Assert.Equal(10, chosen.Distinct().Count());
        Assert.Equal(chosen.Order(), chosen);
        Assert.All(chosen, i => Assert.InRange(i, 0, 99));
        Assert.Equal(chosen, DatasetSubset.Choose(100, 10, seed: 3));
        Assert.NotEqual(chosen, DatasetSubset.Choose(100, 10, seed: 4));
    }

    [Fact]
    public void Choose_keeps_everything_without_a_limit_or_with_a_limit_above_the_count_and_rejects_zero()
    {
        Assert.Equal(Enumerable.Range(0, 7), DatasetSubset.Choose(7, null, 0));
        Assert.Equal(Enumerable.Range(0, 7), DatasetSubset.Choose(7, 50, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSubset.Choose(7, 0, 0));
    }

    [Fact]
    public void The_subset_loads_the_chosen_samples_of_the_wrapped_split_and_keeps_unlimited_splits_whole()
    {
        using var data = TestData.Synthetic(train: 40);
        var subset = new DatasetSubset(data, train: 6, valid: null, test: 5, seed: 2);
        Assert.Equal((6, data[Split.Valid].Count, 5), (subset[Split.Train].Count, subset[Split.Valid].Count, subset[Split.Test].Count));
        Assert.Same(data[Split.Valid], subset[Split.Valid]);
        Assert.Equal(data.Modalities, subset.Modalities);

        var chosen = DatasetSubset.Choose(40, 6, seed: 2);   // train is split 0: seed + 0
        using var mine = subset[Split.Train].Load([0, 5], torch.CPU);
        using var theirs = data[Split.Train].Load([chosen[0], chosen[5]], torch.CPU);
        for (int m = 0; m < mine.Modalities.Length; m++) Assert.True(mine.Modalities[m].eq(theirs.Modalities[m]).all().item<bool>());
        Assert.True(mine.Target.eq(theirs.Target).all().item<bool>());
        Assert.Throws<ArgumentOutOfRangeException>(() => subset[Split.Train].Load([6], torch.CPU));
    }
}
