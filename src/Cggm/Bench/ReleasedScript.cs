using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Cggm.Bench;

/// <summary>
/// Runs <c>benchmarks/released/time_released.py</c>, which times the released CGGM code (github.com/zrguo/CGGM at 21e428c)
/// at the shapes of <see cref="BenchSuite.Cases"/>, as a child process and reads its JSON: <see cref="Check"/> before
/// anything is measured (python, packages, checkout), <see cref="Measure"/> in each round.
/// </summary>
/// <param name="Python">The interpreter: Debian's <c>/usr/bin/python3</c> with <c>python3-torch</c>.</param>
/// <param name="Script">Path of <c>time_released.py</c>.</param>
/// <param name="Checkout">The released checkout.</param>
public sealed record ReleasedScript(string Python, string Script, string Checkout)
{
    /// <summary>Debian's python, whose <c>python3-torch</c> is PyTorch 1.13.</summary>
    public const string DefaultPython = "/usr/bin/python3";

    /// <summary>Where the script is in the repository.</summary>
    public const string RelativePath = "benchmarks/released/time_released.py";

    /// <summary>How to get the released code.</summary>
    public const string GetCheckout = "git clone https://github.com/zrguo/CGGM && git -C CGGM checkout 21e428c";

    /// <summary>What the released code's python needs (the apt packages).</summary>
    public const string Packages = "apt-get install -y python3-torch python3-numpy python3-sklearn python3-h5py python3-torchvision";

    /// <summary>The methods the script times: the released trainer without (<c>--modulation none</c>) and with CGGM.</summary>
    public static IReadOnlyList<string> Methods { get; } = [Modulation.MethodNames.Joint, Modulation.MethodNames.Cggm];

    /// <summary>The script found in a folder at or above one of <paramref name="starts"/>, or null.</summary>
    public static string? Find(params string[] starts)
    {
        foreach (var start in starts)
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, RelativePath))) return Path.Combine(dir.FullName, RelativePath);
        return null;
    }

    /// <summary>Checks python, its packages and the checkout (the script's <c>--check</c>); times nothing.</summary>
    /// <exception cref="ReleasedBenchException">Any of them missing or wrong.</exception>
    public ReleasedBenchReport Check(CancellationToken cancellation = default) => Run(["--check"], null, cancellation);

    /// <summary>Times <paramref name="methods"/> of the released code on <paramref name="models"/>; the script's progress lines go to <paramref name="progress"/>.</summary>
    /// <exception cref="ReleasedBenchException">The script failed or left out a (model, method).</exception>
    public ReleasedBenchReport Measure(IReadOnlyList<string> models, IReadOnlyList<string> methods, int steps, int warmup, int threads, int? classifierLayers = null,
                                       Action<string>? progress = null, CancellationToken cancellation = default)
    {
        var report = Run(Arguments(models, methods, steps, warmup, threads, classifierLayers), progress, cancellation);
        var missing = models.SelectMany(model => methods.Select(method => (model, method)))
            .Where(p => !report.Measurements.Any(m => m.Model == p.model && m.Method == p.method)).Select(p => $"{p.model} {p.method}").ToArray();
        if (missing.Length > 0)
            throw new ReleasedBenchException($"{Script} reported no measurement of {string.Join(", ", missing)}; expected every model × method it was given. Is it this repository's script?");
        return report;
    }

    /// <summary>The script's arguments after <c>--released</c> for a timing run.</summary>
    public static IReadOnlyList<string> Arguments(IReadOnlyList<string> models, IReadOnlyList<string> methods, int steps, int warmup, int threads, int? classifierLayers = null)
    {
        var args = new List<string> { "--models", string.Join(",", models), "--methods", string.Join(",", methods),
            "--steps", Invariant(steps), "--warmup", Invariant(warmup), "--threads", Invariant(threads) };
        if (classifierLayers is { } layers) args.AddRange(["--cls-layers", Invariant(layers)]);
        return args;
    }

    /// <summary>The command line of a run with <paramref name="args"/>, to copy into a shell.</summary>
    public string CommandLine(IReadOnlyList<string> args) =>
        string.Join(" ", ScriptArguments(args).Prepend(Python).Select(Quote));

    /// <summary>What follows the interpreter: the script, the checkout, <paramref name="args"/> and <c>--json</c>.</summary>
    private IEnumerable<string> ScriptArguments(IReadOnlyList<string> args) => new[] { Script, "--released", Checkout }.Concat(args).Append("--json");

    private ReleasedBenchReport Run(IReadOnlyList<string> args, Action<string>? progress, CancellationToken cancellation)
    {
        if (!File.Exists(Script))
            throw new ReleasedBenchException($"{Script}: not found; expected this repository's {RelativePath}. Run cggm from the repository.");
        if (!Directory.Exists(Checkout))
            throw new ReleasedBenchException($"--released {Checkout}: no such folder; expected a checkout of the released code. Get it with: {GetCheckout}");
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in ScriptArguments(args)) info.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new Win32Exception($"Process.Start returned no process for {Python}");
        }
        catch (Win32Exception e)
        {
            throw new ReleasedBenchException($"--python {Python}: cannot run it ({e.Message}); expected a python with PyTorch, such as Debian's {DefaultPython} " +
                                             $"after '{Packages}'. Pass its path with --python.", e);
        }
        using (process)
        {
            var tail = new Queue<string>();
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (tail)
                {
                    tail.Enqueue(e.Data);
                    if (tail.Count > 40) tail.Dequeue();
                }
                progress?.Invoke(e.Data);
            };
            process.BeginErrorReadLine();
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            using (cancellation.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }))
                process.WaitForExit();
            cancellation.ThrowIfCancellationRequested();
            string output = stdout.Result;
            if (process.ExitCode != 0)
            {
                string said;
                lock (tail) said = string.Join(Environment.NewLine + "  ", tail.Where(l => l.Trim().Length > 0));
                throw new ReleasedBenchException($"{CommandLine(args)} failed (exit code {process.ExitCode})" +
                                                 (said.Length > 0 ? $"; it said:{Environment.NewLine}  {said}" : "; it said nothing on standard error."));
            }
            return ReleasedBenchReport.Parse(output, $"The output of {CommandLine(args)}");
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsLetterOrDigit(c) || "/._-,=+:@".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";
}
