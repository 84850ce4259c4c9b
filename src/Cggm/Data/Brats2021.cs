using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;
using Cggm.IO;

namespace Cggm.Data;

/// <summary>How validation and test slices are chosen.</summary>
public enum BratsEvalSlices
{
    /// <summary>One tumour slice per case, fixed by the seed: deterministic, one sample per case like the released code.</summary>
    Fixed,

    /// <summary>Every tumour slice of every case is a sample: deterministic and exhaustive.</summary>
    AllTumour,

    /// <summary>The released code: a new random tumour slice at each access, so evaluation is stochastic.</summary>
    Random,
}

/// <summary>Settings of <see cref="Brats2021"/>.</summary>
public sealed record Brats2021Options
{
    /// <summary>Side of the centre crop (CGGM: 160).</summary>
    public int CropSize { get; init; } = 160;

    /// <summary>Slices are drawn from depth [0, SliceRange) (CGGM: <c>randint(0, 128)</c>).</summary>
    public int SliceRange { get; init; } = 128;

    /// <summary>Slice choice for valid and test.</summary>
    public BratsEvalSlices EvalSlices { get; init; } = BratsEvalSlices.Fixed;

    /// <summary>Seed of the training slice draws and augmentations, and of <see cref="BratsEvalSlices.Fixed"/>.</summary>
    public int Seed { get; init; }

    /// <summary>Apply the paper's train augmentations (rot90 k∈{0,1,2}, flip, Gaussian noise p = 0.1, σ ~ U(0, 0.1)).</summary>
    public bool Augment { get; init; } = true;

    /// <summary>NIfTI only: first depth slice kept (our preprocessing assumption: 20).</summary>
    public int DepthStart { get; init; } = 20;

    /// <summary>NIfTI only: depth slices kept (128, the depth CGGM's sampler needs).</summary>
    public int DepthCount { get; init; } = 128;

    /// <summary>NIfTI only: fractions of cases in train and valid (the rest is test); our split, see <see cref="Brats2021.SplitCases"/>.</summary>
    public (double Train, double Valid) SplitFractions { get; init; } = (0.8, 0.1);

    /// <summary>Keep the per-case tumour-slice lists in <c>&lt;root&gt;/tumour-slices.json</c> (rebuilt when a file changes).</summary>
    public bool CacheTumourSlices { get; init; } = true;

    /// <summary>Receives notes (cases without tumour, cache writes).</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>
/// BraTS 2021 (Baid et al. 2021; Menze et al. 2015; Bakas et al. 2017) as CGGM trains on it (<c>datasets/BratsDataset.py</c>):
/// 2-D axial slices of four MRI modalities, order [flair, t1ce, t1, t2], each [1, 160, 160], and the label [160, 160]
/// (int64; 0 background, 1 necrotic core, 2 oedema, 3 = BraTS label 4 enhancing tumour). Two sources:
/// the released layout <c>&lt;root&gt;/{train,valid,test}/*.h5</c> (<c>image</c> (4, W, H, D), <c>label</c> (W, H, D)) read by
/// hyperslab, one slice at a time; or the official NIfTI case folders (<see cref="BratsNiftiCase"/>, our preprocessing
/// assumption), split into train/valid/test by <see cref="SplitCases"/>.
/// <para>Sampling: the released code redraws <c>idx = randint(0, 128)</c> until the label slice has tumour, i.e. draws
/// uniformly among the tumour slices in [0, 128); here each case's tumour-slice list is computed once (and cached) and
/// drawn from directly (same distribution, no unbounded loop; cases without tumour in range are skipped and logged).
/// Then the centre crop (offsets <c>round((W − 160)/2)</c>, Python rounding), and in training rot90 by k∈{0,1,2},
/// a flip of one spatial axis, and with p = 0.1 Gaussian noise N(0, σ²), σ ~ U(0, 0.1) on the four images. Validation
/// and test use <see cref="Brats2021Options.EvalSlices"/> (deterministic by default; the released stochastic draw is an
/// option). Lazy: a batch reads only its slices.</para>
/// </summary>
public sealed class Brats2021 : IMultimodalDataset
{
    /// <summary>The dataset's name: its <c>--dataset</c> name and its folder under the data root.</summary>
    public const string DatasetName = "brats2021";

    private static readonly string[] SplitNames = ["train", "valid", "test"];
    private readonly LazySplit[] _splits = new LazySplit[3];

    private Brats2021(string root, string source, Brats2021Options options, IBratsCase[][] cases)
    {
        Root = root;
        Source = source;
        Options = options;
        int c = options.CropSize;
        Modalities = new[] { "flair", "t1ce", "t1", "t2" }.Select(n => new ModalityInfo(n, [1, c, c])).ToArray();
        var slices = TumourSlices(root, cases.SelectMany(x => x).ToArray(), options);
        CaseIds = new IReadOnlyList<string>[3];
        for (int s = 0; s < 3; s++)
        {
            var usable = cases[s].Where(k => slices[k.KeyFile].Length > 0).ToArray();
            int dropped = cases[s].Length - usable.Length;
            if (dropped > 0) options.Log?.Invoke($"BraTS {SplitNames[s]}: {dropped} case(s) have no tumour in depth [0, {options.SliceRange}) and are skipped (the released sampler would loop forever on them).");
            CaseIds[s] = usable.Select(k => k.Id).ToArray();
            _splits[s] = MakeSplit(s, usable, usable.Select(k => slices[k.KeyFile]).ToArray());
        }
    }

    /// <summary>The dataset folder.</summary>
    public string Root { get; }

    /// <summary>"h5" (released layout) or "nifti" (official release).</summary>
    public string Source { get; }

    /// <summary>The settings used.</summary>
    public Brats2021Options Options { get; }

    /// <summary>Case ids per split (train, valid, test) after dropping cases without tumour.</summary>
    public IReadOnlyList<string>[] CaseIds { get; }

    /// <inheritdoc />
    public string Name => DatasetName;

    /// <inheritdoc />
    public IReadOnlyList<ModalityInfo> Modalities { get; }

    /// <inheritdoc />
    public LabelInfo Label => LabelInfo.Segmentation(4, Options.CropSize, Options.CropSize);

    /// <inheritdoc />
    public IDataSplit this[Split split] => _splits[(int)split];

    /// <summary>One split with per-sample access.</summary>
    public LazySplit Get(Split split) => _splits[(int)split];

    /// <summary>Opens <paramref name="root"/>: the released <c>{train,valid,test}/*.h5</c> layout if <c>train/</c> exists,
    /// else NIfTI case folders (<c>BraTS2021_xxxxx/</c>, directly or under <c>BraTS2021_Training_Data/</c>).</summary>
    public static Brats2021 Open(string root, Brats2021Options? options = null) => DatasetFileException.Guard(DataScripts.Brats2021, () =>
    {
        options ??= new Brats2021Options();
        if (options.CropSize < 1 || options.SliceRange < 1 || options.DepthCount < 1 || options.DepthStart < 0)
            throw new ArgumentOutOfRangeException(nameof(options), "CropSize, SliceRange and DepthCount must be ≥ 1, DepthStart ≥ 0.");
        if (!Directory.Exists(root)) throw new DatasetFileException(DataProblem.Missing, root, "no such folder", "BraTS 2021 data: train/, valid/, test/ with .h5 cases, or BraTS2021_xxxxx NIfTI case folders");
        if (Directory.Exists(Path.Combine(root, "train")))
        {
            var cases = SplitNames.Select(s =>
            {
                var dir = Path.Combine(root, s);
                if (!Directory.Exists(dir)) throw new DatasetFileException(DataProblem.Missing, dir, "no such folder", "train/, valid/ and test/ folders of per-case .h5 files");
                var files = Directory.GetFiles(dir, "*.h5").Order(StringComparer.Ordinal).ToArray();
                if (files.Length == 0) throw new DatasetFileException(DataProblem.Missing, dir, "no .h5 files", "one .h5 per case with datasets 'image' (4, W, H, D) and 'label' (W, H, D)");
                return files.Select(f => (IBratsCase)new BratsH5Case(f)).ToArray();
            }).ToArray();
            return new Brats2021(root, "h5", options, cases);
        }
        var caseRoot = Directory.Exists(Path.Combine(root, "BraTS2021_Training_Data")) ? Path.Combine(root, "BraTS2021_Training_Data") : root;
        var all = Directory.GetDirectories(caseRoot, "BraTS2021_*").Order(StringComparer.Ordinal).ToArray();
        var folders = all.Where(d => BratsNiftiCase.Volume(d, "seg") is not null).ToArray();
        var unlabelled = all.Except(folders).ToArray();
        if (folders.Length == 0)
            throw new DatasetFileException(DataProblem.Missing, root,
                unlabelled.Length == 0 ? "neither train/ (released .h5 layout) nor BraTS2021_xxxxx case folders" : $"{unlabelled.Length} BraTS2021_xxxxx case folder(s), none with a segmentation (*_seg.nii.gz or *_seg.nii)",
                "train/, valid/, test/ with .h5 cases, or the official BraTS2021_Training_Data case folders with their _seg files (the validation-phase release has none)");
        if (unlabelled.Length > 0)
            options.Log?.Invoke($"BraTS: {unlabelled.Length} case folder(s) have no segmentation (*_seg.nii.gz or *_seg.nii) and are not used: " +
                                string.Join(", ", unlabelled.Take(10).Select(Path.GetFileName)) + (unlabelled.Length > 10 ? ", …" : "") + $" (in {caseRoot}).");
        var split = SplitCases(folders.Select(Path.GetFileName).ToArray()!, options.SplitFractions, options.Seed);
        if (split.Any(s => s.Length == 0))
            throw new DatasetFileException(DataProblem.Missing, caseRoot,
                $"{folders.Length} labelled case(s) split {options.SplitFractions.Train:0.##}/{options.SplitFractions.Valid:0.##}/{1 - options.SplitFractions.Train - options.SplitFractions.Valid:0.##} " +
                $"give train {split[0].Length}, valid {split[1].Length} and test {split[2].Length} cases, and every split needs at least one",
                $"at least {MinimumCases(options.SplitFractions)} labelled cases for this split (the official release has 1,251); or lay your cases out yourself as " +
                "train/, valid/ and test/ folders of .h5 cases (python3 data-scripts/brats2021/nifti_to_h5.py --root <dir> converts them; its --train/--valid fractions choose the split)");
        var byId = folders.ToDictionary(d => Path.GetFileName(d)!, d => d);
        var nifti = split.Select(ids => ids.Select(id => (IBratsCase)new BratsNiftiCase(byId[id], options.DepthStart, options.DepthCount)).ToArray()).ToArray();
        return new Brats2021(root, "nifti", options, nifti);
    });

    /// <summary>
    /// Our case split for the NIfTI release (CGGM's is unpublished): cases ordered by SHA-256 of <c>"{seed}:{id}"</c>
    /// (hex), the first <c>round(n·train)</c> train, the next <c>round(n·valid)</c> valid, the rest test; each list sorted
    /// by id. The rule is language-independent (data-scripts/brats2021/nifti_to_h5.py applies the same).
    /// </summary>
    public static string[][] SplitCases(IReadOnlyList<string> ids, (double Train, double Valid) fractions, int seed)
    {
        if (fractions.Train <= 0 || fractions.Valid < 0 || fractions.Train + fractions.Valid > 1) throw new ArgumentOutOfRangeException(nameof(fractions), "Train > 0, Valid ≥ 0 and Train + Valid ≤ 1.");
        var ordered = ids.OrderBy(id => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}:{id}"))), StringComparer.Ordinal).ToArray();
        int train = (int)Math.Round(ordered.Length * fractions.Train, MidpointRounding.ToEven);
        int valid = (int)Math.Round(ordered.Length * fractions.Valid, MidpointRounding.ToEven);
        valid = Math.Min(valid, ordered.Length - train);
        return [ordered[..train].Order(StringComparer.Ordinal).ToArray(), ordered[train..(train + valid)].Order(StringComparer.Ordinal).ToArray(), ordered[(train + valid)..].Order(StringComparer.Ordinal).ToArray()];
    }

    /// <summary>The fewest cases for which <see cref="SplitCases"/> leaves no split empty.</summary>
    public static int MinimumCases((double Train, double Valid) fractions)
    {
        for (int n = 3; n < 10_000; n++)
            if (SplitCases(Enumerable.Range(0, n).Select(i => i.ToString()).ToArray(), fractions, 0).All(s => s.Length > 0)) return n;
        return 10_000;
    }

    private LazySplit MakeSplit(int split, IBratsCase[] cases, int[][] slices)
    {
        int c = Options.CropSize;
        bool train = split == 0;
        var mode = train ? BratsEvalSlices.Random : Options.EvalSlices;
        var rng = new Random(Options.Seed * 31 + split);
        var gate = new object();
        (int Case, int Slice)[] items = mode switch
        {
            BratsEvalSlices.AllTumour => cases.SelectMany((k, i) => slices[i].Select(z => (i, z))).ToArray(),
            BratsEvalSlices.Fixed => cases.Select((k, i) => (i, slices[i][new Random(Options.Seed * 1_000_003 + i).Next(slices[i].Length)])).ToArray(),
            _ => cases.Select((k, i) => (i, -1)).ToArray(),
        };
        return new LazySplit(items.Length, Modalities.Select(m => m.Shape), [c, c], ScalarType.Int64, index =>
        {
            var (ci, z) = items[index];
            Random? augment = null;
            lock (gate)
            {
                if (z < 0) z = slices[ci][rng.Next(slices[ci].Length)];
                if (train && Options.Augment) augment = new Random(rng.Next());
            }
            return SliceSample(cases[ci], z, augment);
        }, origin: (index, m) =>
        {
            var (ci, z) = items[index];
            var slice = z < 0 ? "a random tumour slice" : $"depth slice {z}";
            return new SampleOrigin(cases[ci].FileOf(m), $"{cases[ci].PartOf(m)}, {slice}", cases[ci].Id);
        });
    }

    private Sample SliceSample(IBratsCase @case, int z, Random? augment)
    {
        var (w, h, _) = @case.Size;
        int c = Options.CropSize;
        if (w < c || h < c) throw new DatasetFileException(DataProblem.WrongShape, @case.KeyFile, $"slices of {w}×{h}", $"at least {c}×{c} for the centre crop");
        var (image, label) = @case.ReadSlice(z);
        int x0 = (int)Math.Round((w - c) / 2.0, MidpointRounding.ToEven), y0 = (int)Math.Round((h - c) / 2.0, MidpointRounding.ToEven);
        var channels = new float[4][];
        for (int m = 0; m < 4; m++)
        {
            channels[m] = new float[c * c];
            for (int x = 0; x < c; x++)
                for (int y = 0; y < c; y++) channels[m][x * c + y] = image[(m * w + x0 + x) * h + y0 + y];
        }
        var target = new double[c * c];
        for (int x = 0; x < c; x++)
            for (int y = 0; y < c; y++)
            {
                long v = label[(x0 + x) * h + y0 + y];
                target[x * c + y] = v switch
                {
                    0 or 1 or 2 => v,
                    4 => 3,   // label[label == 4] = 3
                    _ => throw new DatasetFileException(DataProblem.WrongDtype, @case.KeyFile, $"label value {v} in slice {z}", "BraTS labels {0, 1, 2, 4}"),
                };
            }
        if (augment is not null) (channels, target) = Augment(channels, target, c, augment);
        return new Sample(channels, target);
    }

    /// <summary>The released train transforms after the crop: <c>RandomRotFlip</c> then <c>GaussianNoise(p=0.1)</c>.</summary>
    internal static (float[][] Channels, double[] Target) Augment(float[][] channels, double[] target, int c, Random rng)
    {
        int k = rng.Next(3);            // np.random.randint(0, 3): 0°, 90°, 180° (never 270°)
        int axis = rng.Next(2);         // np.flip on image axis 1 or 2 = label axis 0 or 1
        // out[i, j] = in[source(i, j)] for rot90 by k (counter-clockwise, numpy's np.rot90(m, k)) followed by the flip.
        int Source(int i, int j)
        {
            if (axis == 0) i = c - 1 - i; else j = c - 1 - j;
            return k switch { 0 => i * c + j, 1 => j * c + (c - 1 - i), _ => (c - 1 - i) * c + (c - 1 - j) };
        }
        var outChannels = channels.Select(_ => new float[c * c]).ToArray();
        var outTarget = new double[c * c];
        for (int i = 0; i < c; i++)
            for (int j = 0; j < c; j++)
            {
                int src = Source(i, j);
                for (int m = 0; m < channels.Length; m++) outChannels[m][i * c + j] = channels[m][src];
                outTarget[i * c + j] = target[src];
            }
        if (rng.NextDouble() < 0.1)
        {
            double sigma = rng.NextDouble() * 0.1;   // the "variance" argument is used as a standard deviation
            foreach (var ch in outChannels)
                for (int i = 0; i < ch.Length; i++)
                {
                    double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
                    ch[i] += (float)(sigma * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
                }
        }
        return (outChannels, outTarget);
    }

    /// <summary>Tumour slices per case (cached in <c>tumour-slices.json</c> keyed by file, size and date).</summary>
    private static Dictionary<string, int[]> TumourSlices(string root, IBratsCase[] cases, Brats2021Options options)
    {
        var cachePath = Path.Combine(root, "tumour-slices.json");
        var settings = $"range={options.SliceRange};depth={options.DepthStart}+{options.DepthCount}";
        JsonObject? cache = null;
        if (options.CacheTumourSlices && File.Exists(cachePath))
        {
            try { cache = JsonNode.Parse(File.ReadAllText(cachePath)) as JsonObject; }
            catch (JsonException) { cache = null; }
            if (cache?["settings"]?.GetValue<string>() != settings) cache = null;
        }
        var entries = cache?["cases"] as JsonObject ?? new JsonObject();
        var result = new Dictionary<string, int[]>();
        bool changed = false;
        foreach (var k in cases)
        {
            var info = new FileInfo(k.KeyFile);
            var key = Path.GetRelativePath(root, k.KeyFile).Replace('\\', '/');
            var stamp = $"{info.Length}:{info.LastWriteTimeUtc.Ticks}";
            if (entries[key] is JsonObject e && e["stamp"]?.GetValue<string>() == stamp && e["slices"] is JsonArray cached)
            {
                result[k.KeyFile] = cached.Select(v => v!.GetValue<int>()).ToArray();
                continue;
            }
            var flags = k.TumourPerSlice(options.SliceRange);
            var list = Enumerable.Range(0, flags.Length).Where(z => flags[z]).ToArray();
            result[k.KeyFile] = list;
            entries[key] = new JsonObject { ["stamp"] = stamp, ["slices"] = new JsonArray(list.Select(z => (JsonNode)z).ToArray()) };
            changed = true;
        }
        if (options.CacheTumourSlices && changed)
        {
            try
            {
                var json = new JsonObject { ["settings"] = settings, ["cases"] = entries.DeepClone() };
                AtomicFile.WriteAllText(cachePath, json.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
                options.Log?.Invoke($"BraTS: tumour-slice lists of {cases.Length} case(s) saved to {cachePath}.");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                options.Log?.Invoke($"BraTS: could not write {cachePath} ({e.Message}); the lists will be recomputed next time.");
            }
        }
        return result;
    }
}
