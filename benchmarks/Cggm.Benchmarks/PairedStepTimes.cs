namespace Cggm.Benchmarks;

/// <summary>
/// The training- and evaluation-mode step times of <see cref="DropoutCostBenchmarks.TrainingAndEvaluationPair"/>, one pair per
/// call, kept in this process for <see cref="PairedRatioColumn"/> (the benchmarks run in process).
/// </summary>
public static class PairedStepTimes
{
    private static readonly List<(double Training, double Evaluation)> pairs = [];

    /// <summary>How many pairs are kept.</summary>
    public static int Count => pairs.Count;

    /// <summary>Forgets the pairs of an earlier benchmark.</summary>
    public static void Clear() => pairs.Clear();

    /// <summary>Keeps one pair of step times, in milliseconds.</summary>
    public static void Record(double training, double evaluation) => pairs.Add((training, evaluation));

    /// <summary>The pairs of calls <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> − 1 (0-based).</summary>
    public static IReadOnlyList<(double Training, double Evaluation)> Range(int start, int count) => pairs.Skip(start).Take(count).ToList();
}
