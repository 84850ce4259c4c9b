using Cggm.Tests.Data;
using Cggm.Training;

namespace Cggm.Tests.Faults;

/// <summary>
/// The fault suite's message half: an expected error is one line on standard error naming its cause and the fix, with exit
/// code 2 and no stack trace, through the real command line. (The data-file messages — float16, label/name counts, the MOSI
/// key path — are checked per fixture by <see cref="DataFaultTests"/>.)
/// </summary>
public sealed class MessageFaultTests : IDisposable
{
    private readonly Fixture.TempDir _runs = new();

    private static void AssertOneMessage(int code, string stderr, params string[] names)
    {
        Assert.True(code == 2, $"exit code {code}: {stderr}");
        foreach (var name in names) Assert.Contains(name, stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.DoesNotContain("Exception", stderr);
    }

    [Theory]
    [InlineData("--epochs", "abc", "--epochs 'abc': expected a whole number.")]
    [InlineData("--threads", "2.5", "--threads '2.5': expected a whole number.")]
    public void A_value_of_the_wrong_type_names_the_option_and_what_it_takes(string option, string value, string message)
    {
        var (code, _, stderr) = CliProcess.Capture(["train", option, value]);
        AssertOneMessage(code, stderr, message);
        Assert.DoesNotContain("Nullable", stderr);
    }

    [SkippableTheory]
    [InlineData("train", "--epochs", "1")]
    [InlineData("train", "--dry-run")]
    [InlineData("sweep", "--methods", "joint", "--seeds", "0", "--epochs", "1")]
    public void Cuda_on_a_build_without_it_is_one_message_before_any_work(params string[] args)
    {
        Skip.If(Devices.CudaAvailable, "this build has CUDA");
        var (code, stdout, stderr) = CliProcess.Capture([.. args, "--device", "cuda", "--runs", _runs.Path]);
        AssertOneMessage(code, stderr, "invalid input: Device 'cuda' was asked for, but CUDA is not available", "-p:TorchBackend=cuda");
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("seed-", stdout);   // --dry-run prints no run folders
    }

    [Fact]
    public void Food_101_raw_images_given_to_training_point_to_the_feature_extraction()
    {
        var root = Fixture.Path_("food101", "jsonl");
        var (code, _, stderr) = CliProcess.Capture(["train", "--dataset", "food101", "--root", root, "--epochs", "1", "--runs", _runs.Path, "--device", "cpu"]);
        AssertOneMessage(code, stderr, Path.Combine(root, "features", "index.json"), "no token features, only raw image–text pairs",
                         $"python3 data-scripts/food101/extract_features.py --root {root}");
    }

    public void Dispose() => _runs.Dispose();
}
