using Cggm.Data;
using Cggm.Modulation;

namespace Cggm.Tests.Modulation;

/// <summary>Every registered method trains through the same trainer on a small synthetic benchmark.</summary>
[Collection(ModulationCollection.Name)]
public sealed class MethodSmokeTests
{
    /// <summary>Methods whose rule needs class scores; every other method is also run on regression.</summary>
    public static readonly string[] ClassificationOnly = ["ogm-ge", "agm", "pmr", "qmf", "reconboost", "mla"];

    public static TheoryData<string> AllMethods() => [.. MethodRegistry.Methods.Select(m => m.Name)];

    public static TheoryData<string> TaskAgnosticMethods() => [.. MethodRegistry.Methods.Select(m => m.Name).Except(ClassificationOnly)];

    public static TheoryData<string> ClassificationOnlyMethods() => [.. ClassificationOnly];

    [Theory]
    [MemberData(nameof(AllMethods))]
    public void Classification_smoke_run(string method)
    {
        using var data = MethodTestKit.Data();
        var result = MethodTestKit.Fit(method, data, epochs: 2);
        Assert.Equal(2, result.History.Epochs.Count);
        Assert.All(result.History.Steps, s => Assert.True(double.IsFinite(s.Loss), $"{method}: non-finite loss at step {s.GlobalStep}"));
        Assert.InRange(result.Test.Metrics["accuracy"], 0.0, 1.0);
        Assert.Equal(2, result.Test.PerModality.Count);
    }

    [Theory]
    [MemberData(nameof(TaskAgnosticMethods))]
    public void Regression_smoke_run(string method)
    {
        using var data = MethodTestKit.Data(SyntheticTarget.Regression);
        var result = MethodTestKit.Fit(method, data, epochs: 2);
        Assert.All(result.History.Steps, s => Assert.True(double.IsFinite(s.Loss), $"{method}: non-finite loss at step {s.GlobalStep}"));
        Assert.True(double.IsFinite(result.Test.Metrics["mae"]));
    }

    [Theory]
    [MemberData(nameof(ClassificationOnlyMethods))]
    public void Classification_only_methods_refuse_regression_with_a_clear_error(string method)
    {
        using var data = MethodTestKit.Data(SyntheticTarget.Regression);
        var e = Assert.Throws<NotSupportedException>(() => MethodTestKit.Fit(method, data, epochs: 1));
        Assert.Contains("classification only", e.Message);
        Assert.Contains("regression", e.Message);
    }

    [Theory]
    [MemberData(nameof(AllMethods))]
    public void Three_modality_smoke_run(string method)
    {
        using var data = MethodTestKit.Data(modalities: 3);
        var result = MethodTestKit.Fit(method, data, epochs: 1);
        Assert.All(result.History.Steps, s => Assert.True(double.IsFinite(s.Loss), $"{method}: non-finite loss at step {s.GlobalStep}"));
        Assert.Equal(3, result.Test.PerModality.Count);
    }

    [Fact]
    public void Balancing_methods_refuse_a_single_modality()
    {
        using var data = MethodTestKit.Data(modalities: 1);
        var e = Assert.Throws<ArgumentException>(() => MethodTestKit.Fit("ogm-ge", data, epochs: 1));
        Assert.Contains("at least 2", e.Message);
    }
}
