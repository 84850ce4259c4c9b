using System.Text;
using System.Text.Json;

namespace Cggm.Data;

/// <summary>How much of a dataset <see cref="DatasetInspection.Validate"/> reads.</summary>
public enum InspectionScope
{
    /// <summary>Every sample of every split (the default of <c>cggm data inspect</c>).</summary>
    Every,

    /// <summary>The first sample of each split only (<c>cggm data inspect --first</c>: the quick check).</summary>
    First,
}

/// <summary>Progress of a validation pass: samples of <paramref name="Split"/> checked so far.</summary>
public sealed record InspectionProgress(Split Split, int Done, int Total);

/// <summary>What a validation pass found: errors and warnings, and the samples read per split.</summary>
/// <param name="Findings">Every finding, in split and sample order (errors beyond the cap per split are summarised in one finding).</param>
/// <param name="Checked">Samples read per split (train, valid, test).</param>
public sealed record InspectionReport(IReadOnlyList<DataFinding> Findings, int[] Checked)
{
    /// <summary>True when nothing stops training (warnings allowed).</summary>
    public bool Ok => Findings.All(f => f.Severity != FindingSeverity.Error);

    /// <summary>The errors.</summary>
    public IEnumerable<DataFinding> Errors => Findings.Where(f => f.Severity == FindingSeverity.Error);
}

/// <summary>
/// The <c>cggm data inspect</c> report (DESIGN §7): one JSON object
/// <c>{"dataset", "root", "splits": {"train"|"valid"|"test": {"count", "modalities": {name: [dims]}, "label": {"kind",
/// "classes"?, "shape"?}}}}</c>, with the dims of one sample as the model receives it, plus what the validation found:
/// <c>"checked": "every"|"first"</c>, <c>"notes": [..]</c> (the loader's) and <c>"problems": [{"severity", "split"?,
/// "sample"?, "modality"?, "file"?, "location"?, "id"?, "message"}]</c>. <see cref="Validate"/> reads every sample of every
/// split (or the first of each) through the real loader and checks what training needs: every split non-empty, each sample
/// readable (every file it names present and decodable) and of the declared shape, every input value finite, every label
/// finite and within the classes, so a broken folder fails here and not hours into a run.
/// </summary>
public static class DatasetInspection
{
    /// <summary>Errors listed per split before the rest are counted in one summary finding.</summary>
    public const int MaxErrorsPerSplit = 20;

    /// <summary>Validates <paramref name="dataset"/> and returns the report as indented JSON (throws nothing for bad samples: they are in "problems").</summary>
    public static string Inspect(IMultimodalDataset dataset, string root, InspectionScope scope = InspectionScope.Every, IReadOnlyList<string>? notes = null) =>
        ToJson(dataset, root, Validate(dataset, scope), scope, notes);

    /// <summary>Reads the samples of every split (all, or the first of each) in batches and checks them (see the class summary).</summary>
    public static InspectionReport Validate(IMultimodalDataset dataset, InspectionScope scope = InspectionScope.Every, IProgress<InspectionProgress>? progress = null,
                                            CancellationToken cancellation = default, int batchSize = 32)
    {
        var findings = new List<DataFinding>();
        var checkedCounts = new int[3];
        foreach (var split in Enum.GetValues<Split>())
        {
            var data = dataset[split];
            var name = SampleChecks.Name(split);
            if (data.Count == 0)
            {
                findings.Add(new DataFinding(FindingSeverity.Error, $"The {name} split of {dataset.Name} is empty: training needs samples in train, valid (model selection) and test (reporting).", split));
                continue;
            }
            int total = scope == InspectionScope.First ? 1 : data.Count;
            int errors = 0, suppressed = 0;
            bool shapeReported = false;
            void Add(DataFinding f)
            {
                if (errors < MaxErrorsPerSplit) { findings.Add(f); errors++; }
                else suppressed++;
            }
            for (int start = 0; start < total; start += batchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                var indices = Enumerable.Range(start, Math.Min(batchSize, total - start)).ToArray();
                Batch batch;
                try { batch = data.Load(indices, TorchSharp.torch.CPU); }
                catch (Exception e) when (SampleChecks.IsReadFailure(e))
                {
                    // one sample at a time: find each unreadable one, check the readable ones
                    foreach (var i in indices)
                    {
                        try
                        {
                            using var one = data.Load([i], TorchSharp.torch.CPU);
                            foreach (var f in SampleChecks.Check(one, [i], data, split, dataset)) Add(f);
                        }
                        catch (Exception inner) when (SampleChecks.IsReadFailure(inner)) { Add(SampleChecks.Unreadable(data, i, split, inner)); }
                    }
                    checkedCounts[(int)split] += indices.Length;
                    progress?.Report(new InspectionProgress(split, start + indices.Length, total));
                    continue;
                }
                using (batch)
                {
                    for (int m = 0; m < dataset.Modalities.Count && !shapeReported; m++)
                    {
                        var want = dataset.Modalities[m].Shape;
                        var got = batch.Modalities[m].shape[1..];
                        if (got.SequenceEqual(want)) continue;
                        shapeReported = true;
                        var origin = data.Origin(indices[0], m);
                        Add(new DataFinding(FindingSeverity.Error, $"{origin.File} {origin.Location}: {name} samples of modality '{dataset.Modalities[m].Name}' have shape " +
                            $"[{string.Join(", ", got)}], but the dataset declares [{string.Join(", ", want)}] (from train): every split needs the same sample shape.", split, indices[0], dataset.Modalities[m].Name, origin));
                    }
                    foreach (var f in SampleChecks.Check(batch, indices, data, split, dataset)) Add(f);
                }
                checkedCounts[(int)split] += indices.Length;
                progress?.Report(new InspectionProgress(split, start + indices.Length, total));
            }
            if (suppressed > 0)
                findings.Add(new DataFinding(FindingSeverity.Error, $"…and {suppressed} more problem(s) in the {name} split (the first {MaxErrorsPerSplit} are listed).", split));
        }
        return new InspectionReport(findings, checkedCounts);
    }

    /// <summary>The report without reading samples (no "checked", "notes" or "problems").</summary>
    public static string ToJson(IMultimodalDataset dataset, string root) => ToJson(dataset, root, null, null, null);

    /// <summary>The report with a validation's findings and the loader's notes.</summary>
    public static string ToJson(IMultimodalDataset dataset, string root, InspectionReport? report, InspectionScope? scope, IReadOnlyList<string>? notes)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("dataset", dataset.Name);
            w.WriteString("root", root);
            w.WriteStartObject("splits");
            foreach (var split in Enum.GetValues<Split>())
            {
                w.WriteStartObject(SampleChecks.Name(split));
                w.WriteNumber("count", dataset[split].Count);
                w.WriteStartObject("modalities");
                foreach (var m in dataset.Modalities)
                {
                    w.WriteStartArray(m.Name);
                    foreach (var d in m.Shape) w.WriteNumberValue(d);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
                w.WriteStartObject("label");
                w.WriteString("kind", dataset.Label.Kind);
                if (dataset.Label.Classes is { } classes) w.WriteNumber("classes", classes);
                if (dataset.Label.Shape.Length > 0)
                {
                    w.WriteStartArray("shape");
                    foreach (var d in dataset.Label.Shape) w.WriteNumberValue(d);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndObject();
            if (scope is { } s) w.WriteString("checked", s == InspectionScope.Every ? "every" : "first");
            if (notes is not null)
            {
                w.WriteStartArray("notes");
                foreach (var n in notes) w.WriteStringValue(n);
                w.WriteEndArray();
            }
            if (report is not null)
            {
                w.WriteStartArray("problems");
                foreach (var f in report.Findings)
                {
                    w.WriteStartObject();
                    w.WriteString("severity", f.Severity == FindingSeverity.Error ? "error" : "warning");
                    if (f.Split is { } sp) w.WriteString("split", SampleChecks.Name(sp));
                    if (f.Sample is { } i) w.WriteNumber("sample", i);
                    if (f.Modality is not null) w.WriteString("modality", f.Modality);
                    if (f.Origin is { } o)
                    {
                        w.WriteString("file", o.File);
                        w.WriteString("location", o.Location);
                        w.WriteString("id", o.Id);
                    }
                    w.WriteString("message", f.Message);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
