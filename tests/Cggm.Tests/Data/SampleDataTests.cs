using System.Text.Json;
using Cggm.Data;
using Cggm.Experiments.Datasets;
using static TorchSharp.torch;
using Cggm.IO;

namespace Cggm.Tests.Data;

/// <summary>Sample data written by the library in each exact format reads back through the real loaders and the catalog.</summary>
public sealed class SampleDataTests
{
    private static JsonElement Inspect(string name, string root)
    {
        var dataset = DatasetRegistry.Get(name).Open(root, new DatasetOpenOptions());
        try { return JsonDocument.Parse(DatasetInspection.Inspect(dataset, root)).RootElement.Clone(); }
        finally { (dataset as IDisposable)?.Dispose(); }
    }

    private static long[] Dims(JsonElement report, string split, string modality) =>
        Fixture.Longs(report.GetProperty("splits").GetProperty(split).GetProperty("modalities").GetProperty(modality));

    [Fact]
    public void Mosi_sample_round_trips_in_the_mult_format()
    {
        using var dir = new Fixture.TempDir();
        SampleData.WriteMosi(dir.Path, train: 6, valid: 2, test: 3, steps: 4);
        var report = Inspect("mosi", dir.Path);
        Assert.Equal("mosi", report.GetProperty("dataset").GetString());
        Assert.Equal(dir.Path, report.GetProperty("root").GetString());
        Assert.Equal(6, report.GetProperty("splits").GetProperty("train").GetProperty("count").GetInt32());
        Assert.Equal(new long[] { 4, 300 }, Dims(report, "train", "text"));
        Assert.Equal(new long[] { 4, 5 }, Dims(report, "test", "audio"));
        Assert.Equal(new long[] { 4, 20 }, Dims(report, "valid", "vision"));
        var label = report.GetProperty("splits").GetProperty("test").GetProperty("label");
        Assert.Equal("regression", label.GetProperty("kind").GetString());
        Assert.False(label.TryGetProperty("classes", out _));
        Assert.False(label.TryGetProperty("shape", out _));
        using var mosi = CmuMosi.Load(dir.Path);
        Assert.Equal(0f, mosi.Get(Split.Train).Modalities[1][0, 0, 0].item<float>());   // the planted −inf became 0
        Assert.All(mosi.Get(Split.Train).Target.data<float>().ToArray(), v => Assert.InRange(v, -3f, 3f));
    }

    [Fact]
    public void Iemocap_sample_round_trips_in_the_mmin_layout()
    {
        using var dir = new Fixture.TempDir();
        SampleData.WriteIemocap(dir.Path, train: 4, valid: 2, test: 2);
        var report = Inspect("iemocap", dir.Path);
        Assert.Equal(new long[] { 22, 1024 }, Dims(report, "train", "text"));
        Assert.Equal(new long[] { 350, 130 }, Dims(report, "train", "audio"));
        Assert.Equal(new long[] { 50, 342 }, Dims(report, "train", "vision"));
        var label = report.GetProperty("splits").GetProperty("train").GetProperty("label");
        Assert.Equal("classification", label.GetProperty("kind").GetString());
        Assert.Equal(4, label.GetProperty("classes").GetInt32());
        using var iemo = Iemocap.Open(dir.Path);
        using var batch = iemo[Split.Valid].Load([0, 1], CPU);
        Assert.InRange(batch.Target.max().item<long>(), 0, 3);
    }

    [Fact]
    public void Food101_sample_round_trips_as_features_and_as_raw_pairs()
    {
        using var dir = new Fixture.TempDir();
        SampleData.WriteFood101(dir.Path, train: 20, test: 4, imageTokens: 5, textTokens: 6, width: 8);
        var report = Inspect("food101", dir.Path);
        Assert.Equal(new long[] { 5, 8 }, Dims(report, "train", "image"));
        Assert.Equal(new long[] { 6, 8 }, Dims(report, "test", "text"));
        Assert.Equal(18, report.GetProperty("splits").GetProperty("train").GetProperty("count").GetInt32());
        Assert.Equal(2, report.GetProperty("splits").GetProperty("valid").GetProperty("count").GetInt32());
        Assert.Equal(101, report.GetProperty("splits").GetProperty("test").GetProperty("label").GetProperty("classes").GetInt32());
        var raw = Food101Raw.Open(dir.Path, new Food101Options { ImageSize = 8 });
        Assert.Equal(FoodLayout.CggmJson, raw.Index.Layout);
        Assert.All(raw.Index.Train, item => Assert.StartsWith(dir.Path, item.ImagePath));   // author paths re-rooted
        using var batch = raw[Split.Test].Load([0], CPU);
        Assert.Equal(new long[] { 1, 3, 8, 8 }, batch.Modalities[0].shape);
        Assert.Equal(101L, batch.Modalities[1][0, 0, 0].item<long>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Brats_sample_round_trips_as_h5_and_as_nifti(bool nifti)
    {
        using var dir = new Fixture.TempDir();
        SampleData.WriteBrats2021(dir.Path, casesPerSplit: 1, size: 164, depth: 3, nifti: nifti);
        var options = new Brats2021Options { DepthStart = 0, DepthCount = 3, SplitFractions = (0.4, 0.3), CacheTumourSlices = false };
        var brats = Brats2021.Open(dir.Path, options);
        Assert.Equal(nifti ? "nifti" : "h5", brats.Source);
        var report = JsonDocument.Parse(DatasetInspection.Inspect(brats, dir.Path)).RootElement;
        Assert.Equal(new long[] { 1, 160, 160 }, Dims(report, "train", "flair"));
        Assert.Equal(new long[] { 1, 160, 160 }, Dims(report, "test", "t2"));
        var label = report.GetProperty("splits").GetProperty("valid").GetProperty("label");
        Assert.Equal("segmentation", label.GetProperty("kind").GetString());
        Assert.Equal(new long[] { 160, 160 }, Fixture.Longs(label.GetProperty("shape")));
        Assert.All(brats.CaseIds, ids => Assert.Single(ids));
        var sample = brats.Get(Split.Test).Read(0);
        Assert.Contains(sample.Target, v => v == 3);   // enhancing tumour (4) remapped
    }

    /// <summary>Every dataset whose descriptor has a sample writer.</summary>
    public static TheoryData<string> WithSampleData => [.. DatasetRegistry.All.Where(d => d.WriteSample is not null).Select(d => d.Name)];

    [Theory]
    [MemberData(nameof(WithSampleData))]
    public void Each_descriptor_s_sample_data_opens_through_its_own_loader_as_its_task(string name)
    {
        var descriptor = DatasetRegistry.Get(name);
        using var dir = new Fixture.TempDir();
        var root = descriptor.WriteSample!(Path.Combine(dir.Path, name));
        var dataset = descriptor.Open(root);
        try
        {
            Assert.Equal(descriptor.Name, dataset.Name);
            Assert.Equal(descriptor.TaskKind, dataset.Label.Kind);
            Assert.True(dataset.Modalities.Count >= 2);
            Assert.All(Enum.GetValues<Split>(), split => Assert.True(dataset[split].Count > 0, $"{name} {split} is empty"));
            Assert.True(descriptor.Check(root).Ready);
        }
        finally { (dataset as IDisposable)?.Dispose(); }
    }

    [Fact]
    public void The_synthetic_benchmark_is_generated_in_memory_as_its_task()
    {
        var synthetic = DatasetRegistry.Synthetic;
        Assert.Null(synthetic.WriteSample);
        Assert.Null(synthetic.WriteQuickSample);
        using var data = (SyntheticImbalance)synthetic.Open("");
        Assert.Equal((synthetic.Name, synthetic.TaskKind), (data.Name, data.Label.Kind));
        Assert.True(synthetic.Check("").Ready);
    }

    [Fact]
    public void Catalog_resolves_the_data_root_and_rejects_unknown_names()
    {
        Assert.Equal(Path.GetFullPath("/tmp/x"), DataPaths.DataRoot("/tmp/x"));
        var saved = Environment.GetEnvironmentVariable(DataPaths.DataRootVariable);
        try
        {
            Environment.SetEnvironmentVariable(DataPaths.DataRootVariable, "/tmp/from-env");
            Assert.Equal("/tmp/from-env", DataPaths.DataRoot());
            Assert.Equal(Path.Combine("/tmp/from-env", "iemocap"), DatasetRegistry.Get("IEMOCAP").Root());
            Environment.SetEnvironmentVariable(DataPaths.DataRootVariable, null);
            // Tests run in bin/…: ./data is the clone's data/ folder, found from the working directory.
            Assert.Equal(Path.Combine(RepositoryPaths.Root, "data"), DataPaths.DataRoot());
            Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, "Cggm.Notebooks.sln")));
        }
        finally { Environment.SetEnvironmentVariable(DataPaths.DataRootVariable, saved); }
        Assert.Equal("/tmp/own", DatasetRegistry.Get("mosi").Root("/tmp/own"));
        var e = Assert.Throws<ArgumentException>(() => DatasetRegistry.Get("mosei"));
        Assert.Contains("brats2021", e.Message);
        var synthetic = JsonDocument.Parse(DatasetInspection.Inspect(DatasetRegistry.Get("synthetic").Open(""), "")).RootElement;
        Assert.Equal(2000, synthetic.GetProperty("splits").GetProperty("train").GetProperty("count").GetInt32());
    }
}
