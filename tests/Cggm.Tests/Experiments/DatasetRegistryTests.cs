using Cggm.Experiments;
using Cggm.Experiments.Datasets;

namespace Cggm.Tests.Experiments;

/// <summary>The datasets are objects listed once: unique names, lookups in any case, errors that list them, consistent descriptors.</summary>
public sealed class DatasetRegistryTests
{
    [Fact]
    public void Names_are_unique_in_any_case_and_every_lookup_ignores_case()
    {
        Assert.Equal(DatasetRegistry.All.Count, DatasetRegistry.All.Select(d => d.Name.ToLowerInvariant()).Distinct().Count());
        Assert.Equal(DatasetRegistry.All.Select(d => d.Name), DatasetRegistry.Names);
        foreach (var d in DatasetRegistry.All)
        {
            Assert.Same(d, DatasetRegistry.Get(d.Name));
            Assert.Same(d, DatasetRegistry.Get(d.Name.ToUpperInvariant()));
            Assert.Equal(d.Name, d.ToString());
        }
    }

    [Fact]
    public void An_unknown_name_is_an_error_that_lists_every_known_dataset()
    {
        var e = Assert.Throws<ArgumentException>(() => DatasetRegistry.Get("mosei"));
        Assert.Contains("'mosei'", e.Message);
        Assert.All(DatasetRegistry.Names, name => Assert.Contains(name, e.Message));
    }

    [Fact]
    public void The_paper_datasets_come_in_table_1_order_with_their_settings_tables_and_budgets()
    {
        Assert.Equal(["food101", "mosi", "iemocap", "brats2021"], DatasetRegistry.Paper.Select(d => d.Name));
        foreach (var d in DatasetRegistry.Paper)
        {
            Assert.Equal(d.Name, d.PaperSettings!.Dataset);
            Assert.StartsWith("Table ", d.PaperTable!.Number);
            Assert.NotNull(d.WriteQuickSample);
            Assert.Null(d.Budget(Profile.Paper));
            Assert.NotNull(d.Budget(Profile.Quick));
        }
        Assert.Equal(DatasetRegistry.AvDigits.Name, DatasetRegistry.AvDigits.PaperSettings.Dataset);
        Assert.Null(DatasetRegistry.Synthetic.PaperSettings);
        Assert.Contains("No paper settings for dataset 'synthetic'", Assert.Throws<ArgumentException>(() => DatasetRegistry.Synthetic.RequirePaperSettings()).Message);
    }

    [Fact]
    public void Comparison_metrics_and_reported_values_are_the_datasets_own()
    {
        Assert.Equal(["accuracy", "accuracy", "acc2", "accuracy", "dice_avg", "accuracy"], DatasetRegistry.All.Select(d => d.Metric.Metric));
        Assert.Equal(0.747, DatasetRegistry.Mosi.PaperTable.Get("cggm-reference", "mae"));
        Assert.Equal(69.21, DatasetRegistry.Brats2021.PaperTable.Get("joint", "dice_avg"));
        Assert.Null(DatasetRegistry.Iemocap.PaperTable.Get("joint", "accuracy"));
    }

    [Fact]
    public void Only_the_synthetic_benchmark_poses_a_second_task_and_names_its_experiment_after_it()
    {
        Assert.Equal(["classification", "regression"], DatasetRegistry.Synthetic.Targets);
        Assert.Equal("synthetic", DatasetRegistry.Synthetic.ExperimentName("classification"));
        Assert.Equal("synthetic-regression", DatasetRegistry.Synthetic.ExperimentName("regression"));
        Assert.All(DatasetRegistry.All.Where(d => d != DatasetRegistry.Synthetic), d => Assert.Empty(d.Targets));
        Assert.Equal("mosi", DatasetRegistry.Mosi.ExperimentName("regression"));
    }
}
