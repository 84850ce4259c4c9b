using Cggm.Modulation;
namespace Cggm.Experiments;

/// <summary>A number the paper reports, with where it was read.</summary>
/// <param name="Method">Method name as <c>cggm methods</c> spells it ("joint" for the paper's Baseline).</param>
/// <param name="Metric">Metric key as the task's metrics name it ("accuracy", "mae", "dice_wt", …).</param>
/// <param name="Value">The value as printed (percent for accuracy, F1 and Dice; raw for MAE and Corr).</param>
/// <param name="Source">Where the value was read.</param>
public sealed record PaperValue(string Method, string Metric, double Value, string Source);

/// <summary>
/// The paper's results table of one dataset (its descriptor's <c>PaperTable</c>) and the numbers of it that are public as
/// text (docs/paper-notes.md lists them with their sources). The paper's tables exist only as images; every other cell is unknown here and stays blank in
/// our tables — never invented.
/// </summary>
/// <param name="Number">The table ("Table 3").</param>
/// <param name="Reported">Its values that are public as text.</param>
public sealed record PaperTable(string Number, IReadOnlyList<PaperValue> Reported)
{
    /// <summary>The reported value for (method, metric), or null when the paper's value is not public as text.
    /// Both CGGM variants map to the paper's CGGM row.</summary>
    public double? Get(string method, string metric)
    {
        var m = method == MethodNames.CggmReference ? MethodNames.Cggm : method;
        return Reported.FirstOrDefault(v => v.Method == m && v.Metric == metric)?.Value;
    }
}

/// <summary>Where the paper's reported numbers (<see cref="PaperTable"/>) were read.</summary>
public static class PaperResults
{
    /// <summary>The Papers-with-Code listing of the paper.</summary>
    public const string Wizwand = "wizwand.com Papers-with-Code page of arXiv 2411.01409";

    /// <summary>A third-party transcription of Table 3.</summary>
    public const string ThirdParty = "VuVoCodes/AsynchronousFunction docs/experiments/experiment_results.md (a transcription of the paper's Table 3)";
}
