using Cggm.Data;
using Cggm.Experiments;
using Cggm.Experiments.Datasets;
using Cggm.Experiments.Settings;
using Cggm.Models;
using TorchSharp;
using static TorchSharp.torch;
using AvDigitsData = Cggm.Data.AvDigits;

namespace Cggm.Tests.AvDigits;

/// <summary><see cref="AvDigitsNet"/>: shapes by role, the classifier's output layer, learning, and the experiment recipe on sample data.</summary>
public sealed class AvDigitsModelTests(AvDigitsFixture fixture) : IClassFixture<AvDigitsFixture>
{
    private static readonly ModalityInfo Image = new("image", [1, 28, 28]);
    private static readonly ModalityInfo Audio = new("audio", [64, 40]);

    [Fact]
    public void Encoders_fusion_head_and_classifiers_have_the_documented_shapes_in_either_modality_order()
    {
        torch.manual_seed(1);
        using var model = new AvDigitsNet([Audio, Image], new AvDigitsNetOptions { ImageChannels = 4, AudioChannels = 6, Hidden = 12 });
        using var scope = NewDisposeScope();
        var output = model.call([torch.randn(3, 64, 40), torch.rand(3, 1, 28, 28)]);
        Assert.Equal(new long[] { 3, 10 }, output.Prediction.shape);
        Assert.All(output.Features, h => Assert.Equal(new long[] { 3, 12 }, h.shape));
        Assert.Equal(new long[] { 3, 12 }, output.Fused.shape);
        using var classifier = model.CreateModalityClassifier(0);
        Assert.Equal(model.HeadOutputWeight.shape, classifier.OutputWeight.shape);
        Assert.Equal(new long[] { 3, 10 }, classifier.call(output.Features[0]).shape);
        // φ_image: conv 1→4 (3×3) + conv 4→8 (3×3) + Linear(8·7·7 → 12); φ_audio: conv1d 40→6 (k 5) + conv1d 6→6 (k 3) + Linear(2·6 → 12).
        Assert.Equal(4 * 9 + 4 + 8 * 4 * 9 + 8 + 8 * 49 * 12 + 12, model.EncoderParameters(1).Sum(p => p.numel()));
        Assert.Equal(6 * 40 * 5 + 6 + 6 * 6 * 3 + 6 + 12 * 12 + 12, model.EncoderParameters(0).Sum(p => p.numel()));
        var wrong = Assert.Throws<ArgumentException>(() => model.call([torch.randn(3, 64, 41), torch.rand(3, 1, 28, 28)]));
        Assert.Contains("audio", wrong.Message);
        Assert.Throws<ArgumentException>(() => new AvDigitsNet([Image, new ModalityInfo("video", [3, 32, 32])]));
    }

    [Fact]
    public void Loss_goes_down_on_a_fixed_batch_of_sample_pairs()
    {
        torch.manual_seed(5);
        using var data = AvDigitsData.Open(fixture.Sample);
        using var model = new AvDigitsNet(data.Modalities);
        using var batch = data[Split.Train].Load(Enumerable.Range(0, 32).ToArray(), CPU);
        using var optimizer = optim.Adam(model.parameters(), 3e-3);
        var losses = new List<double>();
        for (int step = 0; step < 15; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(batch.Modalities).Prediction, batch.Target);
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }
        Assert.True(losses[^1] < 0.5 * losses[0], $"loss {losses[0]:F3} → {losses[^1]:F3}");
    }

    [Fact]
    public void The_recipe_trains_every_method_named_and_labels_unimodal_rows_by_modality()
    {
        var config = AvDigitsConfig.For(Profile.Smoke) with { Methods = ["unimodal", "joint", "cggm"] };
        Assert.Equal((1, 24, 10), (config.Settings.Epochs, config.Data.TrainClipsPerDigit, config.Data.TestClipsPerDigit));
        var saved = Environment.GetEnvironmentVariable(DataPaths.DataRootVariable);
        var root = Directory.GetParent(fixture.Sample)!.FullName;
        var link = Path.Combine(root, "av-digits");
        try
        {
            Directory.CreateSymbolicLink(link, fixture.Sample);
            Environment.SetEnvironmentVariable(DataPaths.DataRootVariable, root);
            int threads = torch.get_num_threads();
            var result = AvDigitsExperiment.Run(config, Profile.Quick);          // Quick: real data required, here the sample folder under the data root
            Assert.Equal(threads, torch.get_num_threads());                      // the run's single thread is restored
            Assert.False(result.IsSample);
            Assert.Equal(link, result.Root);
            Assert.Equal(["unimodal-image", "unimodal-audio", "joint", "cggm"], result.Table.Rows.Select(r => r.Method));
            Assert.Equal(["Acc (%)", "Macro-F1 (%)", "f(image) Acc (%)", "f(audio) Acc (%)", "Train time (s)"], result.Table.Columns.Select(c => c.Header));
            // 14 training clips per digit in the sample (fewer than the 24 asked): all kept, round(0.1 · 14) = 1 per digit validated.
            Assert.Equal((130, 10, 100), (result.Counts[Split.Train], result.Counts[Split.Valid], result.Counts[Split.Test]));
            Assert.All(result.Runs, r => Assert.Single(r.Result.History.Epochs));
        }
        finally
        {
            Environment.SetEnvironmentVariable(DataPaths.DataRootVariable, saved);
            if (Directory.Exists(link)) Directory.Delete(link);
        }
    }

    [Fact]
    public void Every_profile_runs_every_method_except_smoke_and_train_knows_the_settings()
    {
        Assert.Equal(MethodComparison.AllMethods, AvDigitsConfig.For(Profile.Quick).Methods);
        Assert.Equal(5, AvDigitsConfig.For(Profile.Quick).Seeds.Count);
        Assert.Equal(AvDigitsConfig.QuickEpochs, AvDigitsConfig.For(Profile.Quick).Settings.Epochs);
        Assert.Equal(new AvDigitsSettings().Epochs, AvDigitsConfig.For(Profile.Paper).Settings.Epochs);
        Assert.Null(AvDigitsConfig.For(Profile.Paper).Data.TrainClipsPerDigit);
        var settings = Assert.IsType<AvDigitsSettings>(DatasetRegistry.Get("av-digits").PaperSettings);
        Assert.True(settings.ShuffleTrain);
        Assert.DoesNotContain(DatasetRegistry.Paper.Select(d => d.PaperSettings), s => s is AvDigitsSettings);
    }
}
