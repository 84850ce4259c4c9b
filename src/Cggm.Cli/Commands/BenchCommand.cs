using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using Cggm.Analysis;
using Cggm.Cli.Options;
using Cggm.Experiments;
using Cggm.Experiments.Datasets;
using Cggm.Training;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;
using Cggm.IO;
using Cggm.Bench;
using Cggm.Modulation;

namespace Cggm.Cli.Commands;

/// <summary><c>cggm bench</c>: step time and memory of every method on the paper's models.</summary>
internal sealed class BenchCommand : Command<BenchCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--models <MODELS>")]
        [Description("Benchmark models: mosi, iemocap, food101, brats2021-small (default: all).")]
        public string? Models { get; init; }

        [CommandOption("--methods <METHODS>")]
        [Description("Methods (default: every method on mosi; joint, cggm and cggm-reference on the others).")]
        public string? Methods { get; init; }

        [CommandOption("--steps <N>")]
        [Description("Measured steps per (model, method).")]
        [DefaultValue(20)]
        public int Steps { get; init; } = 20;

        [CommandOption("--warmup <N>")]
        [Description("Warm-up steps, not measured.")]
        [DefaultValue(3)]
        public int Warmup { get; init; } = 3;

        [CommandOption("--rounds <N>")]
        [Description("Measure every (model, method) this many times, alternating the order of the methods each round; medians and ratios are taken over the rounds.")]
        [DefaultValue(1)]
        public int Rounds { get; init; } = 1;

        [CommandOption(SharedOptions.Threads)]
        [Description(SharedOptions.ThreadsDescription)]
        public int? Threads { get; init; }

        [CommandOption("--soak <STEPS>")]
        [Description("Also train CGGM (reference) on the MOSI-size model for this many steps and sample resident memory (e.g. 2000).")]
        public int? Soak { get; init; }

        [CommandOption("--overlap-classifiers")]
        [Description("Run CGGM's classifier pass on a second thread beside the backward pass (CggmOptions.OverlapClassifiers; off by default).")]
        public bool OverlapClassifiers { get; init; }

        [CommandOption("--classifier-layers <N>")]
        [Description("Transformer layers of CGGM's classifiers f_i on mosi, iemocap and food101 (default: the released 2; the paper allows 1–2).")]
        public int? ClassifierLayers { get; init; }

        [CommandOption("--released <CHECKOUT>")]
        [Description("Also time the released code (a checkout of github.com/zrguo/CGGM at 21e428c) in every round with benchmarks/released/time_released.py, " +
                     "its joint and cggm steps at the same models, steps, warm-up and threads (ours first, then the released code; the other way round every other round), " +
                     "and print both in one table with the ratios.")]
        public string? Released { get; init; }

        [CommandOption("--python <PATH>")]
        [Description("The python that runs the released code with --released: Debian's, with apt's python3-torch (default: /usr/bin/python3).")]
        public string? Python { get; init; }

        [CommandOption("--json")]
        [Description("Print one JSON object instead of tables.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            Steps < 1 ? ValidationResult.Error("--steps must be at least 1.") : Rounds < 1 ? ValidationResult.Error("--rounds must be at least 1.") : ClassifierLayers is < 1 ? ValidationResult.Error("--classifier-layers must be at least 1.")
            : Python is not null && Released is null ? ValidationResult.Error("--python is the interpreter of --released; give --released CHECKOUT too.")
            : SharedOptions.CheckThreads(Threads) is { } error ? ValidationResult.Error(error) : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (settings.Threads is { } threads) torch.set_num_threads(threads);
        var cases = (settings.Models is null ? BenchSuite.Cases : Parsing.Names(settings.Models, "--models").Select(BenchSuite.Case))
            .Select(c => c with { Settings = c.Settings with { Cggm = c.Settings.Cggm with { OverlapClassifiers = settings.OverlapClassifiers } } })
            .Select(c => settings.ClassifierLayers is { } layers ? BenchSuite.WithClassifierLayers(c, layers) : c).ToArray();
        var methods = settings.Methods is null ? null : Parsing.Names(settings.Methods, "--methods");
        foreach (var m in methods ?? []) Modulation.MethodRegistry.Get(m);
        var released = settings.Released is null ? null : ReleasedRun.Start(settings, cases, methods, cancellation, line => Progress(settings, line));
        var rounds = new List<List<StepMeasurement>>();
        var clock = Stopwatch.StartNew();
        for (int round = 0; round < settings.Rounds; round++)
        {
            var roundText = settings.Rounds > 1 ? $"round {round + 1}/{settings.Rounds} " : "";
            if (round % 2 == 1) released?.Measure(roundText);
            var measured = new List<StepMeasurement>();
            foreach (var bench in cases)
            {
                var names = methods ?? (bench.EveryMethod ? BenchSuite.MethodsFor(bench) : [MethodNames.Joint, MethodNames.Cggm, MethodNames.CggmReference]);
                foreach (var method in round % 2 == 0 ? names : names.Reverse())
                {
                    cancellation.ThrowIfCancellationRequested();
                    try
                    {
                        var m = BenchSuite.Measure(bench, method, settings.Warmup, settings.Steps);
                        measured.Add(m);
                        Progress(settings, $"{roundText}{bench.Name} {m.Method}: median {m.MedianMs:F1} ms/step, peak {m.PeakMemoryMb:F0} MiB ({clock.Elapsed.TotalMinutes:F1} min so far)");
                    }
                    catch (NotSupportedException e)
                    {
                        if (round == 0) Progress(settings, $"{bench.Name} {method}: not defined ({e.Message})");
                    }
                }
            }
            rounds.Add(measured);
            if (round % 2 == 0) released?.Measure(roundText);
        }
        var measurements = BenchRounds.Combine(rounds);
        var comparison = released is null ? null : ReleasedComparison.Rows(rounds, released.Rounds);
        var ratios = measurements.Select(m => m.Model).Distinct().Select(model =>
        {
            var (paper, reference) = (BenchRounds.Ratio(rounds, model, MethodNames.Cggm), BenchRounds.Ratio(rounds, model, MethodNames.CggmReference));
            return new
            {
                model,
                cggmOverJoint = paper?.Median,
                cggmReferenceOverJoint = reference?.Median,
                cggmOverJointRange = paper is null ? null : new[] { paper.Min, paper.Max },
                cggmReferenceOverJointRange = reference is null ? null : new[] { reference.Min, reference.Max },
            };
        }).ToArray();
        var parameters = cases.Select(c => { var (model, cls) = BenchSuite.ParameterCounts(c); return new { model = c.Name, modelParameters = model, classifierParameters = cls, classifierMegabytesFp32 = cls * 4 / 1048576.0 }; }).ToArray();
        IReadOnlyList<(int Step, double ResidentMb)>? soak = settings.Soak is { } n ? BenchSuite.Soak(BenchSuite.Case(DatasetRegistry.Mosi.Name), MethodNames.CggmReference, n) : null;
        var report = new
        {
            machine = new { cores = Environment.ProcessorCount, torchThreads = torch.get_num_threads(), os = System.Runtime.InteropServices.RuntimeInformation.OSDescription },
            settings = new { settings.Steps, settings.Warmup, settings.Rounds, settings.OverlapClassifiers, settings.ClassifierLayers },
            seconds = clock.Elapsed.TotalSeconds,
            measurements,
            ratios,
            rounds = settings.Rounds > 1 ? rounds : null,
            parameters,
            soak = soak?.Select(s => new { step = s.Step, residentMb = s.ResidentMb }).ToArray(),
            soakGrowthMb = soak is { Count: > 1 } ? soak[^1].ResidentMb - soak[0].ResidentMb : (double?)null,
            released = released is null ? null : new
            {
                checkout = settings.Released,
                script = released.Script.Script,
                python = released.Script.Python,
                pythonVersion = released.Environment.Python,
                torch = released.Environment.Torch,
                torchThreads = released.Threads,
                blas = released.Environment.Blas,
                measurements = BenchRounds.Combine(released.Rounds),
                rounds = settings.Rounds > 1 ? released.Rounds : null,
                comparison,
            },
        };
        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(report, Json.Options));
            return 0;
        }
        if (comparison is not null)
        {
            var sideBySide = new Table().AddColumns(ReleasedComparison.Columns.Select(Markup.Escape).ToArray());
            foreach (var row in comparison) sideBySide.AddRow(row.Cells(settings.Rounds > 1).Select(Markup.Escape).ToArray());
            sideBySide.Caption(Markup.Escape($"Medians over {settings.Rounds} round(s){(settings.Rounds > 1 ? ", per-round min–max of each ratio in brackets" : "")}; " +
                $"ours and the released code at {released!.Threads} torch thread(s); released: python {released.Environment.Python}, torch {released.Environment.Torch}, " +
                $"BLAS {(released.Environment.Blas.Count > 0 ? string.Join(", ", released.Environment.Blas) : "?")}"));
            AnsiConsole.Write(sideBySide);
        }
        else
        {
            var table = new Table().AddColumns("Model", "Method", "Median ms/step", "p10–p90", "Peak MiB", "× joint");
            foreach (var m in measurements)
            {
                var ratio = BenchRounds.Ratio(rounds, m.Model, m.Method);   // joint's own is 1 (1–1)
                table.AddRow(m.Model, Markup.Escape(m.Method), m.MedianMs.ToString("F1"), $"{m.P10Ms:F0}–{m.P90Ms:F0}", m.PeakMemoryMb.ToString("F0"),
                    ratio?.Format(settings.Rounds > 1) ?? "");
            }
            AnsiConsole.Write(table);
        }
        if (report.soakGrowthMb is { } growth) AnsiConsole.MarkupLine($"Memory soak: {soak!.Count * 100} steps, resident memory grew {growth:F1} MiB from step {soak[0].Step} to {soak[^1].Step}.");
        return 0;
    }

    /// <summary>The released code's side of <c>--released</c>: its script, checked before anything is measured, and its rounds.</summary>
    private sealed class ReleasedRun(ReleasedScript script, ReleasedBenchReport environment, IReadOnlyList<string> models, IReadOnlyList<string> methods,
                                     Settings settings, CancellationToken cancellation, Action<string> progress)
    {
        public ReleasedScript Script => script;
        public ReleasedBenchReport Environment => environment;
        public int Threads { get; } = torch.get_num_threads();
        public List<IReadOnlyList<StepMeasurement>> Rounds { get; } = [];

        /// <summary>Finds the script, checks python, its packages and the checkout; throws <see cref="ReleasedBenchException"/> before anything is measured.</summary>
        public static ReleasedRun Start(Settings settings, IReadOnlyList<BenchCase> cases, IReadOnlyList<string>? methods, CancellationToken cancellation, Action<string> progress)
        {
            var path = ReleasedScript.Find(Directory.GetCurrentDirectory(), AppContext.BaseDirectory)
                ?? throw new ReleasedBenchException($"{ReleasedScript.RelativePath} not found above the current folder or the cggm binary; run cggm from the repository.");
            var timed = ReleasedScript.Methods.Where(m => methods is null || methods.Contains(m)).ToArray();
            if (timed.Length == 0)
                throw new ArgumentException($"--released times the released {string.Join(" and ", ReleasedScript.Methods)} steps; --methods {settings.Methods} names neither.");
            var script = new ReleasedScript(settings.Python ?? ReleasedScript.DefaultPython, path, settings.Released!);
            var environment = script.Check(cancellation);
            progress($"released code: {settings.Released} with python {environment.Python}, torch {environment.Torch}, BLAS {string.Join(", ", environment.Blas)}");
            return new ReleasedRun(script, environment, cases.Select(c => c.Name).ToArray(), timed, settings, cancellation, progress);
        }

        /// <summary>One round of the released code.</summary>
        public void Measure(string roundText)
        {
            var report = script.Measure(models, methods, settings.Steps, settings.Warmup, Threads, settings.ClassifierLayers, line => progress($"{roundText}released {line}"), cancellation);
            Rounds.Add(report.Measurements);
        }
    }

    /// <summary>A line per measurement as it finishes: grey on the console, or on standard error beside <c>--json</c> (whose stdout holds only the JSON).</summary>
    private static void Progress(Settings settings, string line)
    {
        if (settings.Json) Console.Error.WriteLine(line);
        else AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]");
    }
}
