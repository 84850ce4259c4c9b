using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using static Cggm.Analysis.Statistics;

namespace Cggm.Benchmarks;

/// <summary>
/// "Training / evaluation (paired)": for <see cref="DropoutCostBenchmarks.TrainingAndEvaluationPair"/>, the median over the
/// measured pairs of the training-mode step's time over the evaluation-mode step's, with the pairs' range and the two
/// steps' medians.
/// </summary>
public sealed class PairedRatioColumn : IColumn
{
    /// <summary>Adds this column to a benchmark class (<c>[Config(typeof(PairedRatioColumn.Config))]</c>).</summary>
    public sealed class Config : ManualConfig
    {
        /// <summary>The column, nothing else.</summary>
        public Config() => AddColumn(new PairedRatioColumn());
    }

    /// <inheritdoc/>
    public string Id => nameof(PairedRatioColumn);
    /// <inheritdoc/>
    public string ColumnName => "Training / evaluation (paired)";
    /// <inheritdoc/>
    public bool AlwaysShow => true;
    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;
    /// <inheritdoc/>
    public int PriorityInCategory => 0;
    /// <inheritdoc/>
    public bool IsNumeric => false;
    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;
    /// <inheritdoc/>
    public string Legend => "Median over the measured pairs of training-mode over evaluation-mode step time [range]; the steps' medians";
    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) => true;
    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        if (benchmarkCase.Descriptor.WorkloadMethod.Name != nameof(DropoutCostBenchmarks.TrainingAndEvaluationPair)) return "-";
        // One call per operation: the workload calls before the measured stage (jitting, pilot, warm-up) come first.
        var workload = summary[benchmarkCase]?.AllMeasurements.Where(m => m.IterationMode == IterationMode.Workload).ToList() ?? [];
        long before = workload.TakeWhile(m => m.IterationStage != IterationStage.Actual).Sum(m => m.Operations);
        long measured = workload.Where(m => m.IterationStage == IterationStage.Actual).Sum(m => m.Operations);
        var pairs = PairedStepTimes.Range((int)before, (int)measured);
        if (pairs.Count == 0) return "-";
        var ratios = pairs.Select(p => p.Training / p.Evaluation).ToList();
        return $"{Median(ratios):F2} [{ratios.Min():F2}–{ratios.Max():F2}]; {Median(pairs.Select(p => p.Training)):F0} / {Median(pairs.Select(p => p.Evaluation)):F0} ms";
    }
}
