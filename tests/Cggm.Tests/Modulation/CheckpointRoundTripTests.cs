using Cggm.Modulation;

namespace Cggm.Tests.Modulation;

/// <summary>A run interrupted after one epoch and resumed from its checkpoint ends exactly where the uninterrupted run ends.</summary>
[Collection(ModulationCollection.Name)]
public sealed class CheckpointRoundTripTests
{
    public static TheoryData<string> StatefulMethods() =>
        ["mrd", "mslr", "g-blending", "greedy", "ogm-ge", "agm", "pmr", "umt", "ume", "qmf", "reconboost", "mmpareto", "mla"];

    [Theory]
    [MemberData(nameof(StatefulMethods))]
    public void Resume_reproduces_the_uninterrupted_run(string method)
    {
        var settings = MethodTestKit.FastSettings with { Mslr = new MslrOptions { Window = 1, Multipliers = [1.0, 2.0] } };
        using var data = MethodTestKit.Data();
        var whole = MethodTestKit.Fit(method, data, epochs: 3, settings);
        var dir = MethodTestKit.TempDirectory();
        try
        {
            Assert.Throws<OperationCanceledException>(() => MethodTestKit.Fit(method, data, epochs: 3, settings, dir, resume: true, stopAfterEpochs: 1));
            var resumed = MethodTestKit.Fit(method, data, epochs: 3, settings, dir, resume: true);
            Assert.Equal(whole.History.Steps.Select(s => s.Loss), resumed.History.Steps.Select(s => s.Loss));
            Assert.Equal(whole.BestEpoch, resumed.BestEpoch);
            Assert.Equal(whole.Test.Metrics["accuracy"], resumed.Test.Metrics["accuracy"]);
            Assert.Equal(whole.Test.Loss, resumed.Test.Loss, 10);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
