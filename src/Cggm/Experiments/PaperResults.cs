namespace Cggm.Experiments;

/// <summary>A number the paper reports, with where it was read.</summary>
/// <param name="Table">The paper's table ("Table 3").</param>
/// <param name="Dataset">Dataset name as the catalog spells it.</param>
/// <param name="Method">Method name as <c>cggm methods</c> spells it ("joint" for the paper's Baseline).</param>
/// <param name="Metric">Metric key as the task's metrics name it ("accuracy", "mae", "dice_wt", …).</param>
/// <param name="Value">The value as printed (percent for accuracy, F1 and Dice; raw for MAE and Corr).</param>
/// <param name="Source">Where the value was read.</param>
public sealed record PaperValue(string Table, string Dataset, string Method, string Metric, double Value, string Source);

/// <summary>
/// The paper's reported numbers that are public as text (research/paper.md §5). The paper's tables exist only as images;
/// every other cell is unknown here and stays blank in our tables — never invented.
/// </summary>
public static class PaperResults
{
    private const string Wizwand = "wizwand.com Papers-with-Code page of arXiv 2411.01409";
    private const string ThirdParty = "VuVoCodes/AsynchronousFunction docs/experiments/experiment_results.md (a transcription of the paper's Table 3)";

    /// <summary>Every known value.</summary>
    public static IReadOnlyList<PaperValue> All { get; } =
    [
        new("Table 2", "food101", "cggm", "accuracy", 92.94, Wizwand),
        new("Table 3", "brats2021", "cggm", "dice_wt", 76.94, Wizwand + "; " + ThirdParty),
        new("Table 3", "brats2021", "cggm", "dice_tc", 72.75, ThirdParty),
        new("Table 3", "brats2021", "cggm", "dice_et", 72.14, ThirdParty),
        new("Table 3", "brats2021", "cggm", "dice_avg", 73.94, ThirdParty + " (consistent: (76.94 + 72.75 + 72.14)/3)"),
        new("Table 3", "brats2021", "joint", "dice_avg", 69.21, ThirdParty),
        new("Table 4", "mosi", "cggm", "mae", 0.747, Wizwand),
        new("Table 4", "iemocap", "cggm", "accuracy", 75.38, Wizwand),
    ];

    /// <summary>The reported value for (dataset, method, metric), or null when the paper's value is not public as text.
    /// Both CGGM variants map to the paper's CGGM row.</summary>
    public static double? Get(string dataset, string method, string metric)
    {
        var m = method == "cggm-reference" ? "cggm" : method;
        return All.FirstOrDefault(v => v.Dataset == dataset && v.Method == m && v.Metric == metric)?.Value;
    }
}
