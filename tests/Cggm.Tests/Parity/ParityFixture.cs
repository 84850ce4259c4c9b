using System.Text.Json;
using Cggm.Models.Interop;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Cggm.Tests.Parity;

/// <summary>Parity tests run one at a time: the BraTS cases use gigabytes, and the loops read torch's thread count.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ParityCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Parity (serial)";
}

/// <summary>
/// One case of <c>Parity/Fixtures</c>, written by the released PyTorch code (data-scripts/parity/generate.py; FORMAT.md there
/// documents every file): its <c>case.json</c> and safetensors files, read with the library's safetensors reader.
/// </summary>
internal sealed class ParityCase : IDisposable
{
    private readonly Dictionary<string, Dictionary<string, Tensor>> _files = [];

    public ParityCase(string name)
    {
        Name = name;
        Directory = Path.Combine(AppContext.BaseDirectory, "Parity", "Fixtures", name);
        Json = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(Directory, "case.json"))).RootElement;
    }

    public string Name { get; }

    public string Directory { get; }

    public JsonElement Json { get; }

    public string PathOf(string file) => Path.Combine(Directory, file);

    /// <summary>The tensors of <paramref name="file"/> (cached).</summary>
    public Dictionary<string, Tensor> File(string file)
    {
        if (!_files.TryGetValue(file, out var d)) _files[file] = d = PyTorchStateDict.Read(PathOf(file));
        return d;
    }

    public Tensor this[string file, string name] => File(file).TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"{Name}/{file} has no tensor '{name}'.");

    /// <summary>The released state listing (<c>state.model|classifier</c>): names, shapes, parameter flags, in state_dict order.</summary>
    public (string Name, long[] Shape, bool Parameter)[] State(string part)
    {
        var s = Json.GetProperty("state").GetProperty(part);
        // brats_loop refers to brats_model for the names and flags ("the same as ../brats_model/case.json …").
        var listed = s.GetProperty("names").ValueKind == JsonValueKind.String
            ? JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(Directory, "..", "brats_model", "case.json"))).RootElement.GetProperty("state").GetProperty(part)
            : s;
        var names = listed.GetProperty("names").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var shapes = s.GetProperty("shapes").EnumerateArray().Select(e => e.EnumerateArray().Select(x => x.GetInt64()).ToArray()).ToArray();
        var parameter = listed.GetProperty("parameter").EnumerateArray().Select(e => e.GetBoolean()).ToArray();
        return names.Select((n, i) => (n, shapes[i], parameter[i])).ToArray();
    }

    public void Dispose()
    {
        foreach (var d in _files.Values) foreach (var t in d.Values) t.Dispose();
    }
}

/// <summary>The closed-form pattern of FORMAT.md §2 (exact integer and IEEE arithmetic), for BraTS weights and images and Food features.</summary>
internal static class Pattern
{
    private static uint Mix(uint x)
    {
        x ^= x >> 16; x *= 0x7FEB352D; x ^= x >> 15; x *= 0x846CA68B; x ^= x >> 16;
        return x;
    }

    /// <summary>v(k) = u(k)·2⁻²³ − 1 for stream and position p.</summary>
    public static double V(uint stream, uint p, long k) => (Mix(Mix(stream * 65536u + p) + (uint)k * 0x9E3779B9u) >> 8) * (1.0 / 8388608.0) - 1.0;

    /// <summary>(float)(offset + scale·v(k)) for k = 0..n−1.</summary>
    public static float[] Values(uint stream, uint p, long n, double offset, double scale)
    {
        uint seed = Mix(stream * 65536u + p);
        var values = new float[n];
        Parallel.For(0, (n + 65535) / 65536, chunk =>
        {
            long end = Math.Min(n, (chunk + 1) * 65536);
            for (long k = chunk * 65536; k < end; k++)
            {
                double v = (Mix(seed + (uint)k * 0x9E3779B9u) >> 8) * (1.0 / 8388608.0) - 1.0;
                double scaled = scale * v;
                values[k] = (float)(offset + scaled);
            }
        });
        return values;
    }

    /// <summary>The pattern state dict of a released listing (stream 1 model, 2 classifier), in released names.</summary>
    public static Dictionary<string, Tensor> StateDict((string Name, long[] Shape, bool Parameter)[] listing, uint stream)
    {
        var result = new Dictionary<string, Tensor>();
        for (int p = 0; p < listing.Length; p++)
        {
            var (name, shape, _) = listing[p];
            long n = shape.Aggregate(1L, (a, b) => a * b);
            var last = name[(name.LastIndexOf('.') + 1)..];
            if (last == "num_batches_tracked") { result[name] = torch.zeros(shape, ScalarType.Int64); continue; }
            (double offset, double scale) = last switch
            {
                "running_mean" => (0.0, 1.0 / 16),
                "running_var" => (1.0, 1.0 / 4),
                _ when name.EndsWith("bias", StringComparison.Ordinal) => (0.0, 1.0 / 64),
                _ when shape.Length >= 2 => (0.0, Math.Pow(2, -FanInExponent(n / shape[0]))),
                _ => (1.0, 1.0 / 8),
            };
            result[name] = torch.tensor(Values(stream, (uint)p, n, offset, scale), shape);
        }
        return result;
    }

    private static int FanInExponent(long fanIn)
    {
        int e = 0;
        while (Math.Pow(4, e) < fanIn) e++;
        return e;
    }

    /// <summary>BraTS labels [N, 160, 160] and the four images [N, 1, 160, 160] from label parameters (FORMAT.md §4).</summary>
    public static (Tensor[] Images, Tensor Labels) Brats(Tensor labelParams, double[][] classMeans, uint imageP)
    {
        int n = (int)labelParams.shape[0];
        var prm = labelParams.data<long>().ToArray();
        var labels = new long[n * 160 * 160];
        for (int i = 0; i < n; i++)
        {
            long cy = prm[i * 5], cx = prm[i * 5 + 1], rw = prm[i * 5 + 2], rt = prm[i * 5 + 3], re = prm[i * 5 + 4];
            for (int y = 0; y < 160; y++)
            for (int x = 0; x < 160; x++)
            {
                long d2 = (y - cy) * (y - cy) + (x - cx) * (x - cx);
                long l = 0;
                if (d2 <= rw * rw) l = 2;
                if (d2 <= rt * rt) l = 1;
                if (re >= 0 && d2 <= re * re) l = 3;
                labels[(i * 160 + y) * 160 + x] = l;
            }
        }
        var images = new Tensor[4];
        for (int m = 0; m < 4; m++)
        {
            var data = new float[n * 160 * 160];
            for (int i = 0; i < n; i++)
            {
                var v = Values((uint)(40 + m), (uint)(imageP + i), 160 * 160, 0, 1);   // v(k) exactly (scale 1, offset 0)
                for (int k = 0; k < 160 * 160; k++)
                    data[i * 25600 + k] = (float)(0.5 * (double)v[k] + classMeans[m][labels[i * 25600 + k]]);
            }
            images[m] = torch.tensor(data, [n, 1, 160, 160]);
        }
        return (images, torch.tensor(labels, [n, 160, 160]));
    }
}

/// <summary>Summaries and samples as FORMAT.md §1 defines them.</summary>
internal static class Stats
{
    /// <summary>[Σx, Σx², max|x|] in float64.</summary>
    public static double[] Summary(Tensor x)
    {
        using var _ = torch.NewDisposeScope();
        var d = x.detach().to(ScalarType.Float64).reshape(-1);
        return [d.sum().item<double>(), d.square().sum().item<double>(), d.numel() == 0 ? 0 : d.abs().max().item<double>()];
    }

    public static long[] SampleIndex(long n, int k) => k == 1 ? [0] : Enumerable.Range(0, k).Select(j => j * (n - 1) / (k - 1)).ToArray();

    public static double[] Sample(Tensor x, int k)
    {
        var flat = x.detach().reshape(-1).to(ScalarType.Float64);
        return SampleIndex(flat.shape[0], k).Select(i => flat[i].item<double>()).ToArray();
    }

    public static double[] Doubles(Tensor t) => t.detach().to(ScalarType.Float64).cpu().reshape(-1).data<double>().ToArray();
}

/// <summary>
/// Collects comparisons of one case: each is |ours − released| ≤ tol·scale, where scale is the quantity's own magnitude (stated
/// per call). Reports the largest error/scale of every group, and fails with every violation listed.
/// </summary>
internal sealed class Comparison(ITestOutputHelper output, string caseName)
{
    private readonly Dictionary<string, double> _worst = [];
    private readonly List<string> _failures = [];

    /// <summary>Compares element-wise; scale = max(|expected|) of the array (or <paramref name="scale"/> when given).</summary>
    public void Close(string group, string what, double[] expected, double[] actual, double tol, double? scale = null) => Close(group, what, expected, actual, tol, scale, 0);

    /// <summary>
    /// Compares element-wise with an absolute allowance: |ours − released| ≤ tol·scale + <paramref name="absolute"/>; the
    /// reported error is the part beyond the allowance, (|Δ| − absolute)⁺ / scale.
    /// </summary>
    public void Close(string group, string what, double[] expected, double[] actual, double tol, double? scale, double absolute)
    {
        if (expected.Length != actual.Length) { _failures.Add($"{what}: {expected.Length} released values, {actual.Length} ours"); return; }
        double s = scale ?? Math.Max(expected.Select(Math.Abs).DefaultIfEmpty(0).Max(), 1e-30);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = Math.Max(0, Math.Abs(expected[i] - actual[i]) - absolute) / s;
            if (!(e <= worst)) { worst = double.IsNaN(e) ? double.PositiveInfinity : e; at = i; }
        }
        _worst[group] = Math.Max(_worst.GetValueOrDefault(group), worst);
        if (!(worst <= tol)) _failures.Add($"{what}[{at}]: released {expected[at]:R}, ours {actual[at]:R} (error {worst:E2} of scale {s:E3} > {tol:E1}" + (absolute > 0 ? $" beyond {absolute:E1})" : ")"));
    }

    public void Close(string group, string what, double expected, double actual, double tol, double? scale = null) =>
        Close(group, what, [expected], [actual], tol, scale ?? Math.Max(Math.Abs(expected), 1e-30));

    /// <summary>
    /// A summary [Σx, Σx², max|x|] of n values: Σx against √(n·Σx²) (its round-off scale), the others against themselves. An
    /// <paramref name="absolute"/> allowance a on single elements (Adam's, on weights) is given to max|x| as a and to Σx² as
    /// 2a·max|x| + a², as much as one element moved by a changes them.
    /// </summary>
    public void Summary(string group, string what, double[] expected, double[] actual, long n, double tol, double absolute = 0)
    {
        double norm = Math.Sqrt(Math.Max(expected[1], 0) * Math.Max(n, 1));
        Close(group, what + " Σx", [expected[0]], [actual[0]], tol, Math.Max(norm, 1e-30), 0);
        Close(group, what + " Σx²", [expected[1]], [actual[1]], tol, Math.Max(expected[1], 1e-30), 2 * absolute * expected[2] + absolute * absolute);
        Close(group, what + " max|x|", [expected[2]], [actual[2]], tol, Math.Max(expected[2], 1e-30), absolute);
    }

    /// <summary>Records a failure that is not a comparison (the run stopped, for example).</summary>
    public void Fail(string what) => _failures.Add(what);

    public void Exact(string what, double expected, double actual)
    {
        if (expected != actual) _failures.Add($"{what}: released {expected:R}, ours {actual:R} (must be equal)");
    }

    /// <summary>Writes the worst error per group and fails when any comparison exceeded its tolerance.</summary>
    public void Assert()
    {
        foreach (var (g, w) in _worst.OrderBy(kv => kv.Key)) output.WriteLine($"{caseName} {g}: max error {w:E2}");
        if (_failures.Count > 0)
            Xunit.Assert.Fail($"{caseName}: {_failures.Count} comparison(s) outside tolerance:\n  " + string.Join("\n  ", _failures.Take(40)));
    }
}
