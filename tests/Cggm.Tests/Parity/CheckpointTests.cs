using Cggm.Cli;
using Cggm.Models;
using Cggm.Models.Interop;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Tests.Parity;

/// <summary>
/// PyTorch checkpoints both ways (torch.save files through TorchSharp.PyBridge, safetensors through the library's own
/// reader and writer): a state dict the released code saved goes into the C# model and comes back out unchanged, through the
/// library and through <c>cggm checkpoint</c>; a tensor that does not fit is named.
/// </summary>
[Collection(ParityCollection.Name)]
public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cggm-checkpoint-" + Guid.NewGuid().ToString("N")[..8]);

    public CheckpointTests() => Directory.CreateDirectory(_dir);

    [Theory]
    [InlineData("mosi_model", "MSAModel", "model.safetensors", ".pt")]
    [InlineData("mosi_model", "ClassifierGuided", "classifier.safetensors", ".pth")]
    [InlineData("iemo_model", "MSAModel", "model.safetensors", ".safetensors")]
    [InlineData("food_model", "FoodModel", "model.safetensors", ".pt")]
    [InlineData("food_model", "ClassifierGuided", "classifier.safetensors", ".pt")]
    public void A_released_state_dict_round_trips_through_the_CLI(string caseName, string model, string file, string extension)
    {
        using var scope = NewDisposeScope();
        using var c = new ParityCase(caseName);
        string ours = Path.Combine(_dir, "ours.weights"), back = Path.Combine(_dir, "back" + extension);
        Assert.Equal(0, CliApp.Create().Run(["checkpoint", "import", "--model", model, c.PathOf(file), ours]));
        Assert.Equal(0, CliApp.Create().Run(["checkpoint", "export", "--model", model, ours, back]));
        var original = c.File(file);
        var exported = PyTorchStateDict.Read(back);
        Assert.Equal(original.Keys.Order(), exported.Keys.Order());
        foreach (var (name, tensor) in original)
        {
            // Food's projt is unused by the released forward and absent from the C# model: it comes back as the shared projv.
            var expected = caseName == "food_model" && name.StartsWith("projt.", StringComparison.Ordinal) ? original["projv." + name[6..]] : tensor;
            Assert.Equal(expected.numel(), exported[name].numel());
            Assert.True(expected.reshape(-1).allclose(exported[name].reshape(-1), 0, 0), $"{name} changed on the way through the C# model.");
        }
    }

    [Fact]
    public void The_reloaded_model_gives_the_released_outputs()
    {
        using var scope = NewDisposeScope();
        using var c = new ParityCase("mosi_model");
        var imported = (SequenceTransformer)ReleasedModels.Import(ReleasedModelFamily.MsaModel, c.PathOf("model.safetensors"))[0];
        string ours = Path.Combine(_dir, "mosi.weights"), pt = Path.Combine(_dir, "mosi.pt");
        TorchSharpWeights.Write(ours, [imported]);
        ReleasedModels.Export(ReleasedModelFamily.MsaModel, ReleasedModels.LoadOurs(ReleasedModelFamily.MsaModel, ours), pt);
        var reloaded = (SequenceTransformer)ReleasedModels.Import(ReleasedModelFamily.MsaModel, pt)[0];
        reloaded.eval();
        var preds = reloaded.call([c["io.safetensors", "inputs/text"], c["io.safetensors", "inputs/audio"], c["io.safetensors", "inputs/vision"]]).Prediction;
        var expected = c["io.safetensors", "outputs/preds"];
        Assert.True((preds - expected).abs().max().item<float>() < 1e-6f, $"preds {string.Join(", ", Stats.Doubles(preds))} against {string.Join(", ", Stats.Doubles(expected))}");
    }

    [Fact]
    public void A_missing_a_misshapen_and_an_unexpected_tensor_are_named()
    {
        using var scope = NewDisposeScope();
        using var c = new ParityCase("mosi_model");
        var dict = c.File("model.safetensors").ToDictionary(kv => kv.Key, kv => kv.Value);
        dict.Remove("fusion.layers.0.fc1.bias");
        dict["proj.1.weight"] = dict["proj.1.weight"].reshape(5, 40, 1);   // same size, transposed shape
        dict["proj_extra.weight"] = torch.zeros(40, 7, 1);
        string broken = Path.Combine(_dir, "broken.pt");
        PyTorchStateDict.Write(broken, dict);

        using var model = new SequenceTransformer([new("text", [-1, 300]), new("audio", [-1, 5]), new("vision", [-1, 20])], new TransformerModelOptions { Layers = 5 });
        var e = Assert.Throws<CheckpointException>(() => ReleasedNameMap.MsaModel(model).Load(broken));
        Assert.Equal(broken, e.Path);
        Assert.Contains("missing tensor 'fusion.layers.0.fc1.bias'", e.Message);
        Assert.Contains("C# 'fusion.transformer.layers.0.fc1.bias'", e.Message);
        Assert.Contains("tensor 'proj.1.weight' is [5, 40, 1] Float32", e.Message);
        Assert.Contains("expects [40, 5, 1] Float32", e.Message);
        Assert.Contains("unexpected tensor 'proj_extra.weight'", e.Message);
        Assert.Contains(broken, e.Message);
        Assert.Equal(2, CliApp.Create().Run(["checkpoint", "import", "--model", "MSAModel", broken, Path.Combine(_dir, "x.weights")]));
    }

    [Theory]
    [InlineData("checkpoint", "import", "--model", "NoSuchModel", "a.pt", "b.weights")]
    [InlineData("checkpoint", "import", "--model", "MSAModel", "does-not-exist.pt", "b.weights")]
    [InlineData("checkpoint", "export", "--model", "MSAModel", "does-not-exist.weights", "b.pt")]
    [InlineData("checkpoint", "import", "a.pt", "b.weights")]
    [InlineData("checkpoint", "convert", "--model", "MSAModel", "a.pt", "b.weights")]
    public void Bad_checkpoint_input_exits_with_2(params string[] args) => Assert.Equal(2, CliApp.Create().Run(args));

    [Fact]
    public void A_file_of_another_family_is_refused_with_its_name()
    {
        using var c = new ParityCase("mosi_model");
        var e = Assert.Throws<CheckpointException>(() => ReleasedModels.Import(ReleasedModelFamily.FoodModel, c.PathOf("model.safetensors")));
        Assert.Contains("not a FoodModel state dict", e.Message);
        Assert.Contains("'projv.weight'", e.Message);
    }

    [Fact]
    public void Safetensors_keep_every_dtype_shape_and_order_and_a_broken_header_is_named()
    {
        using var scope = NewDisposeScope();
        var entries = new Dictionary<string, Tensor>
        {
            ["w"] = torch.randn(3, 4), ["d"] = torch.randn(2, dtype: ScalarType.Float64), ["h"] = torch.randn(5).to(ScalarType.Float16),
            ["b"] = torch.randn(2, 2).to(ScalarType.BFloat16), ["n"] = torch.tensor(7L), ["i"] = torch.arange(6, dtype: ScalarType.Int32).reshape(2, 3),
            ["u"] = torch.tensor(new byte[] { 1, 255 }), ["m"] = torch.tensor(new[] { true, false, true }), ["e"] = torch.zeros(0, 3),
        };
        string path = Path.Combine(_dir, "all.safetensors");
        PyTorchStateDict.Write(path, entries);
        Assert.Equal(0, BitConverter.ToInt64(File.ReadAllBytes(path), 0) % 8);   // the header is padded to 8 bytes
        var read = PyTorchStateDict.Read(path);
        Assert.Equal(entries.Keys, read.Keys);
        foreach (var (name, t) in entries)
        {
            Assert.Equal(t.dtype, read[name].dtype);
            Assert.Equal(t.shape, read[name].shape);
            Assert.True(t.eq(read[name]).all().item<bool>(), name);
        }

        var bytes = File.ReadAllBytes(path);
        bytes[8] = (byte)'[';
        File.WriteAllBytes(path, bytes);
        Assert.Contains(path, Assert.Throws<CheckpointException>(() => PyTorchStateDict.Read(path)).Message);
    }

    [Fact]
    public void Every_Csharp_entry_has_a_released_name()
    {
        // The maps cover every state-dict entry of every C# model and classifier (ToReleased throws otherwise) and are one-to-one.
        using var scope = NewDisposeScope();
        var msa = new SequenceTransformer([new("text", [-1, 8]), new("audio", [-1, 5]), new("vision", [-1, 4])], new TransformerModelOptions { Dim = 8, Heads = 2, Layers = 3 });
        var brats = new BratsDeepLab(new[] { "flair", "t1ce", "t1", "t2" }.Select(n => new Cggm.Data.ModalityInfo(n, [1, 32, 32])).ToArray(),
                                     new BratsDeepLabOptions { BaseWidth = 4, AsppChannels = 16, LowLevelReduction = 3, DecoderChannels = 16 });
        foreach (var map in new[]
                 {
                     ReleasedNameMap.MsaModel(msa),
                     ReleasedNameMap.ClassifierGuided(Enumerable.Range(0, 3).Select(i => (TransformerModalityClassifier)msa.CreateModalityClassifier(i)).ToArray()),
                     ReleasedNameMap.DeepLabMultiInput(brats),
                     ReleasedNameMap.SegClassifier(Enumerable.Range(0, 4).Select(i => (SegModalityClassifier)brats.CreateModalityClassifier(i)).ToArray()),
                 })
            Assert.Equal(map.Entries.Count, map.Entries.Select(e => e.Released).Distinct().Count());
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
