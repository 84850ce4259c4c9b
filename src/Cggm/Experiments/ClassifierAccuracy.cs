using Cggm.Modulation;
namespace Cggm.Experiments;

/// <summary>
/// The paper's Table 5 (IEMOCAP): the test accuracy of each modality classifier f_i under unimodal training (a separate
/// model per modality), multimodal joint training and CGGM. The classifier is the same in all three: f_i on encoder i's
/// detached features. Under unimodal training and joint training it is the trainer's passive probe (it learns alongside
/// and never changes the model); under CGGM it is CGGM's own classifier. So the column compares how good encoder i's
/// features became under each training. The paper's columns are f1 = audio, f2 = video, f3 = text.
/// </summary>
public static class ClassifierAccuracy
{
    /// <summary>The paper's column order as indices into the dataset's modality order [text, audio, vision]: audio, vision, text.</summary>
    public static IReadOnlyList<int> PaperOrder { get; } = [1, 2, 0];

    /// <summary>
    /// Rows "unimodal training" (classifier i of the run <c>unimodal-i</c>), "joint training" (<c>joint</c>) and "CGGM"
    /// (<paramref name="cggmMethod"/>); one column per modality in <paramref name="order"/>, headed
    /// "f<i>k</i> (modality) Acc (%)"; mean ± std over seeds of the classifier's test accuracy.
    /// </summary>
    public static ResultTable Table(string title, IReadOnlyList<ExperimentRun> runs, IReadOnlyList<string> modalities, IReadOnlyList<int> order,
                                    string cggmMethod = MethodNames.Cggm)
    {
        if (order.Count != modalities.Count || order.Distinct().Count() != order.Count || order.Any(i => i < 0 || i >= modalities.Count))
            throw new ArgumentException($"The column order [{string.Join(", ", order)}] must name each of the {modalities.Count} modalities once.", nameof(order));
        MeanStd? Score(IEnumerable<ExperimentRun> source, int modality)
        {
            var values = source.Where(r => r.Result.Test.PerModality.Count > modality && r.Result.Test.PerModality[modality].ContainsKey("accuracy"))
                               .Select(r => r.Result.Test.PerModality[modality]["accuracy"]).ToArray();
            return values.Length == 0 ? null : MeanStd.Of(values);
        }
        var rows = new[]
        {
            new ResultRow("unimodal training", order.Select(i => Score(runs.Where(r => r.Method == $"unimodal-{i}"), i)).ToArray()),
            new ResultRow("joint training", order.Select(i => Score(runs.Where(r => r.Method == MethodNames.Joint), i)).ToArray()),
            new ResultRow("CGGM", order.Select(i => Score(runs.Where(r => r.Method == cggmMethod), i)).ToArray()),
        };
        var columns = order.Select((i, k) => new ResultColumn($"f{k + 1} ({Paper(modalities[i])}) Acc (%)")).ToArray();
        return new ResultTable(title, columns, rows);
    }

    /// <summary>The paper's name of a modality ("vision" is the paper's "video").</summary>
    private static string Paper(string modality) => modality == "vision" ? "video" : modality;
}
