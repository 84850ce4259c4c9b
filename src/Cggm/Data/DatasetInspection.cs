using System.Text;
using System.Text.Json;

namespace Cggm.Data;

/// <summary>
/// The <c>cggm data inspect</c> report (DESIGN §7): one JSON object
/// <c>{"dataset", "root", "splits": {"train"|"valid"|"test": {"count", "modalities": {name: [dims]}, "label": {"kind",
/// "classes"?, "shape"?}}}}</c>, with the dims of one sample as the model receives it. Before reporting, the first
/// sample of every non-empty split is read and its shapes checked, so a broken folder fails here and not hours into a run.
/// </summary>
public static class DatasetInspection
{
    /// <summary>Reads one sample per split and returns the report as indented JSON.</summary>
    public static string Inspect(IMultimodalDataset dataset, string root)
    {
        foreach (var split in Enum.GetValues<Split>())
        {
            var data = dataset[split];
            if (data.Count == 0) continue;
            using var batch = data.Load([0], TorchSharp.torch.CPU);
            for (int m = 0; m < dataset.Modalities.Count; m++)
            {
                var want = dataset.Modalities[m].Shape;
                var got = batch.Modalities[m].shape[1..];
                if (!got.SequenceEqual(want))
                    throw new InvalidDataException($"{dataset.Name} {split}: modality '{dataset.Modalities[m].Name}' has samples of [{string.Join(", ", got)}], the dataset declares [{string.Join(", ", want)}].");
            }
        }
        return ToJson(dataset, root);
    }

    /// <summary>The report without reading samples.</summary>
    public static string ToJson(IMultimodalDataset dataset, string root)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("dataset", dataset.Name);
            w.WriteString("root", root);
            w.WriteStartObject("splits");
            foreach (var split in Enum.GetValues<Split>())
            {
                w.WriteStartObject(split.ToString().ToLowerInvariant());
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
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
