using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Data;

/// <summary>How serious a <see cref="DataFinding"/> is.</summary>
public enum FindingSeverity
{
    /// <summary>The data cannot be trained on as they are (exit code 2 from <c>cggm data inspect</c>).</summary>
    Error,

    /// <summary>The loader handles it in a documented way; worth knowing before a long run.</summary>
    Warning,
}

/// <summary>One problem found in a dataset, with where it is: split, sample, modality and the sample's <see cref="SampleOrigin"/>.</summary>
/// <param name="Severity">Error or warning.</param>
/// <param name="Message">The whole message: what is wrong, where (file, split, key or line, sample id) and what to do.</param>
/// <param name="Split">The split, when the finding is about one.</param>
/// <param name="Sample">The sample's index in its split, when the finding is about one sample.</param>
/// <param name="Modality">The modality's name; null for the label or the whole sample.</param>
/// <param name="Origin">Where the sample is stored.</param>
public sealed record DataFinding(FindingSeverity Severity, string Message, Split? Split = null, int? Sample = null, string? Modality = null, SampleOrigin? Origin = null)
{
    /// <inheritdoc />
    public override string ToString() => Message;
}

/// <summary>
/// A sample that cannot be trained on: a NaN or infinite input or label, a label outside the classes, a shape unlike the
/// dataset's, or a file that cannot be read. The message names the file, the split, the modality and the sample.
/// </summary>
public sealed class InvalidSampleException(DataFinding finding, Exception? inner = null) : IOException(finding.Message, inner)
{
    /// <summary>What was found, and where.</summary>
    public DataFinding Finding { get; } = finding;
}

/// <summary>
/// The per-sample checks that <c>cggm data inspect</c> runs over every sample and that training runs on every batch it reads
/// (<see cref="CheckedSplit"/>): every input value finite, the label finite and within the classes, and each sample readable.
/// </summary>
public static class SampleChecks
{
    /// <summary>
    /// Checks a loaded batch (the samples <paramref name="indices"/> of <paramref name="split"/>): returns one finding per bad
    /// sample and modality, in batch order, at most <paramref name="max"/>; empty when everything is finite and in range.
    /// One device-to-host transfer when the batch is clean.
    /// </summary>
    public static IReadOnlyList<DataFinding> Check(Batch batch, IReadOnlyList<int> indices, IDataSplit split, Split which, IMultimodalDataset dataset, int max = int.MaxValue)
    {
        using var scope = NewDisposeScope();
        var flags = new List<Tensor>();
        foreach (var m in batch.Modalities) flags.Add(m.is_floating_point() ? isfinite(m).all() : torch.tensor(true, device: m.device));
        flags.Add(LabelOk(batch.Target, dataset.Label).all());
        if (torch.stack(flags).all().cpu().item<bool>()) return [];

        var findings = new List<DataFinding>();
        int b = batch.Size;
        var perSample = new bool[batch.Modalities.Length + 1][];
        for (int m = 0; m < batch.Modalities.Length; m++)
            perSample[m] = batch.Modalities[m].is_floating_point() ? isfinite(batch.Modalities[m]).reshape(b, -1).all(1).cpu().data<bool>().ToArray() : Enumerable.Repeat(true, b).ToArray();
        perSample[^1] = LabelOk(batch.Target, dataset.Label).reshape(b, -1).all(1).cpu().data<bool>().ToArray();
        for (int i = 0; i < b && findings.Count < max; i++)
        {
            for (int m = 0; m < batch.Modalities.Length && findings.Count < max; m++)
                if (!perSample[m][i]) findings.Add(NonFinite(batch.Modalities[m][i], indices[i], m, split, which, dataset));
            if (!perSample[^1][i] && findings.Count < max) findings.Add(BadLabel(batch.Target[i], indices[i], split, which, dataset));
        }
        return findings;
    }

    /// <summary>
    /// Reads the samples one by one to find which of them a failed batch read (<paramref name="failure"/>) came from; returns
    /// a finding per unreadable sample (at most <paramref name="max"/>), or the failure itself when no single sample fails.
    /// </summary>
    public static IReadOnlyList<DataFinding> Unreadable(IDataSplit split, IReadOnlyList<int> indices, Split which, Exception failure, int max = int.MaxValue)
    {
        var findings = new List<DataFinding>();
        foreach (var i in indices)
        {
            if (findings.Count >= max) break;
            try { split.Load([i], CPU).Dispose(); }
            catch (Exception e) when (IsReadFailure(e)) { findings.Add(Unreadable(split, i, which, e)); }
        }
        if (findings.Count == 0) findings.Add(new DataFinding(FindingSeverity.Error, $"{Name(which)} split: {failure.Message}", which));
        return findings;
    }

    /// <summary>The finding for sample <paramref name="index"/> whose read threw <paramref name="e"/>.</summary>
    public static DataFinding Unreadable(IDataSplit split, int index, Split which, Exception e)
    {
        if (e is InvalidSampleException invalid) return invalid.Finding;
        var origin = split.Origin(index);
        return new DataFinding(FindingSeverity.Error, $"{Name(which)} sample '{origin.Id}' ({origin.File} {origin.Location}) cannot be read: {e.Message}", which, index, null, origin);
    }

    /// <summary>True for the exceptions a reader throws on a bad file or value (not programming errors).</summary>
    public static bool IsReadFailure(Exception e) => e is IOException or InvalidDataException or UnauthorizedAccessException;

    /// <summary>The split's name as the files and messages spell it: train, valid, test.</summary>
    public static string Name(Split split) => split.ToString().ToLowerInvariant();

    /// <summary>Per element: is the label usable (finite; a class index within the classes for classification and segmentation)?</summary>
    private static Tensor LabelOk(Tensor target, LabelInfo label)
    {
        if (target.is_floating_point())
        {
            var finite = isfinite(target);
            return label.Classes is { } k ? finite & (target >= 0) & (target < k) & (target == target.floor()) : finite;
        }
        return label.Classes is { } classes ? (target >= 0) & (target < classes) : torch.ones_like(target, ScalarType.Bool);
    }

    private static DataFinding NonFinite(Tensor sample, int index, int modality, IDataSplit split, Split which, IMultimodalDataset dataset)
    {
        var info = dataset.Modalities[modality];
        var flat = sample.reshape(-1).to(ScalarType.Float64).cpu().data<double>().ToArray();
        int first = Array.FindIndex(flat, v => !double.IsFinite(v));
        int count = flat.Count(v => !double.IsFinite(v));
        var origin = split.Origin(index, modality);
        var at = Position(first, info.Shape);
        var message = $"{origin.File} {origin.Location}: {Name(which)} sample '{origin.Id}', modality '{info.Name}' has {Value(flat[first])} at [{at}] " +
                      $"({count} of {flat.Length} values are not finite). A model cannot learn from NaN or infinite inputs (the loss becomes NaN at the first step that reads it): " +
                      "fix or remove this sample in the file.";
        return new DataFinding(FindingSeverity.Error, message, which, index, info.Name, origin);
    }

    private static DataFinding BadLabel(Tensor target, int index, IDataSplit split, Split which, IMultimodalDataset dataset)
    {
        var origin = split.Origin(index, null);
        var values = target.reshape(-1).to(ScalarType.Float64).cpu().data<double>().ToArray();
        var label = dataset.Label;
        string what;
        if (label.Classes is { } k)
        {
            var bad = values.First(v => !double.IsFinite(v) || v < 0 || v >= k || v != Math.Floor(v));
            what = values.Length == 1 ? $"label {Value(bad)} is not a class index 0–{k - 1}" : $"label map holds {Value(bad)}, not a class index 0–{k - 1}";
        }
        else what = $"label {Value(values.First(v => !double.IsFinite(v)))} is not a finite number";
        var message = $"{origin.File} {origin.Location}: {Name(which)} sample '{origin.Id}': {what} ({label.Kind}). Fix or remove this sample's label in the file.";
        return new DataFinding(FindingSeverity.Error, message, which, index, null, origin);
    }

    private static string Value(double v) => double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+inf" : double.IsNegativeInfinity(v) ? "-inf" : v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The C-order position of flat index <paramref name="flat"/> in <paramref name="shape"/>, e.g. "3, 17".</summary>
    private static string Position(int flat, long[] shape)
    {
        if (shape.Length == 0) return "";
        var at = new long[shape.Length];
        long rest = flat;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            at[d] = shape[d] == 0 ? 0 : rest % shape[d];
            rest = shape[d] == 0 ? 0 : rest / shape[d];
        }
        return string.Join(", ", at);
    }
}

/// <summary>
/// The view of a split that training reads through: every batch it loads is checked (<see cref="SampleChecks.Check"/>) and a
/// failed read is traced to its sample, so bad data stop the run at the first batch that holds them with an
/// <see cref="InvalidSampleException"/> that names the file, split, modality and sample, not later as a NaN loss.
/// Cost: a reduction per modality and one device-to-host transfer of one value per batch.
/// </summary>
public sealed class CheckedSplit(IDataSplit inner, Split which, IMultimodalDataset dataset) : IDataSplit
{
    /// <inheritdoc />
    public int Count => inner.Count;

    /// <inheritdoc />
    public SampleOrigin Origin(int index, int? modality = null) => inner.Origin(index, modality);

    /// <inheritdoc />
    public Batch Load(IReadOnlyList<int> indices, Device device)
    {
        Batch batch;
        try { batch = inner.Load(indices, device); }
        catch (Exception e) when (SampleChecks.IsReadFailure(e) && e is not InvalidSampleException)
        {
            throw new InvalidSampleException(SampleChecks.Unreadable(inner, indices, which, e, max: 1)[0], e);
        }
        var findings = SampleChecks.Check(batch, indices, inner, which, dataset, max: 1);
        if (findings.Count == 0) return batch;
        batch.Dispose();
        throw new InvalidSampleException(findings[0]);
    }
}
