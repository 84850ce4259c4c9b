using Cggm.Bench;
using Cggm.Cli;

namespace Cggm.Tests.Analysis;

/// <summary><c>cggm bench --released</c>: reading the released-code script's JSON, the side-by-side rows, and its errors (no python needed).</summary>
public sealed class ReleasedBenchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cggm-released-").FullName;

    private static StepMeasurement M(string model, string method, double median) => new(model, method, 64, 20, median, median - 10, median + 10, 100, 50, 1000);

    private const string Report = """
        {
         "released": {"repository": "https://github.com/zrguo/CGGM", "commit": "21e428cb7e666b8640453557380bb6414b7d246f", "path": "/tmp/CGGM"},
         "python": "3.11.2", "executable": "/usr/bin/python3", "torch": "1.13.0a0", "threads": 2,
         "blas": ["/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0"], "standIns": [], "steps": 20, "warmup": 3, "clsLayers": null,
         "measurements": [
          {"model": "mosi", "method": "joint", "batchSize": 64, "steps": 20, "medianMs": 812.5, "p10Ms": 790.0, "p90Ms": 850.25,
           "peakMemoryMb": 1209.0, "baselineMemoryMb": 400.5, "modelParameters": 283521, "classifierParameters": 0},
          {"model": "mosi", "method": "cggm", "batchSize": 64, "steps": 20, "medianMs": 1015.0, "p10Ms": 990.0, "p90Ms": 1100.0,
           "peakMemoryMb": 1218.0, "baselineMemoryMb": 401.0, "modelParameters": 283521, "classifierParameters": 120000}
         ],
         "ratios": [{"model": "mosi", "cggmOverJoint": 1.2492}]
        }
        """;

    [Fact]
    public void The_scripts_json_reads_into_step_measurements()
    {
        var report = ReleasedBenchReport.Parse(Report, "test");
        Assert.Equal(("3.11.2", "1.13.0a0", 2), (report.Python, report.Torch, report.Threads));
        Assert.Equal(["/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0"], report.Blas);
        Assert.Equal([("mosi", "joint"), ("mosi", "cggm")], report.Measurements.Select(m => (m.Model, m.Method)));
        var joint = report.Measurements[0];
        Assert.Equal((64, 20, 812.5, 790.0, 850.25, 1209.0, 283521L), (joint.BatchSize, joint.Steps, joint.MedianMs, joint.P10Ms, joint.P90Ms, joint.PeakMemoryMb, joint.ModelParameters));
        Assert.Empty(ReleasedBenchReport.Parse("""{"python": "3.11.2", "torch": "1.13.0a0", "threads": 1, "blas": []}""", "check").Measurements);   // --check
    }

    [Theory]
    [InlineData("", "printed nothing")]
    [InlineData("Traceback (most recent call last):", "is not the JSON report")]
    [InlineData("[1, 2]", "a JSON object")]
    [InlineData("""{"python": "3.11.2", "torch": "1.13", "threads": 0}""", "'threads'")]
    [InlineData("""{"torch": "1.13", "threads": 1}""", "'python'")]
    [InlineData("""{"python": "3", "torch": "1", "threads": 1, "measurements": {}}""", "'measurements'")]
    [InlineData("""{"python": "3", "torch": "1", "threads": 1, "measurements": [{"method": "joint", "steps": 1, "medianMs": 5}]}""", "measurements[0]")]
    [InlineData("""{"python": "3", "torch": "1", "threads": 1, "measurements": [{"model": "mosi", "method": "joint", "steps": 1, "medianMs": 0}]}""", "medianMs")]
    [InlineData("""{"python": "3", "torch": "1", "threads": 1, "measurements": [{"model": "mosi", "method": "joint", "steps": "x"}]}""", "not a step measurement")]
    public void Bad_json_is_an_error_that_names_the_source_and_the_field(string json, string expected)
    {
        var e = Assert.Throws<ReleasedBenchException>(() => ReleasedBenchReport.Parse(json, "the script's output"));
        Assert.StartsWith("the script's output", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void The_side_by_side_rows_take_medians_over_rounds_and_ratios_within_each_round()
    {
        // ours: joint 100, 200, 120; cggm 110, 260, 120 → ×joint 1.1, 1.3, 1.0; cggm-reference only in round 1 (1.5)
        IReadOnlyList<StepMeasurement>[] ours =
        [
            [M("mosi", "joint", 100), M("mosi", "cggm", 110), M("mosi", "cggm-reference", 150), M("iemocap", "joint", 1000)],
            [M("mosi", "cggm", 260), M("mosi", "joint", 200), M("iemocap", "joint", 1100)],
            [M("mosi", "joint", 120), M("mosi", "cggm", 120), M("iemocap", "joint", 900)],
        ];
        // released: joint 400, 500, 300; cggm 600, 500, 360 → ×joint 1.5, 1.0, 1.2; ours/released joint 0.25, 0.4, 0.4
        IReadOnlyList<StepMeasurement>[] released =
        [
            [M("mosi", "joint", 400), M("mosi", "cggm", 600)],
            [M("mosi", "joint", 500), M("mosi", "cggm", 500)],
            [M("mosi", "joint", 300), M("mosi", "cggm", 360)],
        ];
        var rows = ReleasedComparison.Rows(ours, released);
        Assert.Equal(["mosi", "iemocap"], rows.Select(r => r.Model));
        var mosi = rows[0];
        Assert.Equal(120, mosi.OursJointMs);
        Assert.Equal(new RoundRatio(1.1, 1.0, 1.3), Round(mosi.OursCggm));
        Assert.Equal(new RoundRatio(1.5, 1.5, 1.5), Round(mosi.OursCggmReference));
        Assert.Equal(400, mosi.ReleasedJointMs);
        Assert.Equal(new RoundRatio(1.2, 1.0, 1.5), Round(mosi.ReleasedCggm));
        Assert.Equal(new RoundRatio(0.4, 0.25, 0.4), Round(mosi.OursOverReleasedJoint));
        Assert.Equal(["mosi", "120.0", "1.10 (1.00–1.30)", "1.50 (1.50–1.50)", "400.0", "1.20 (1.00–1.50)", "0.40 (0.25–0.40)"], mosi.Cells(ranges: true));
        Assert.Equal("1.10", mosi.Cells(ranges: false)[2]);
        var iemocap = rows[1];   // measured by us only
        Assert.Equal((1000.0, (double?)null, (RoundRatio?)null, (RoundRatio?)null), (iemocap.OursJointMs!.Value, iemocap.ReleasedJointMs, iemocap.ReleasedCggm, iemocap.OursOverReleasedJoint));
        Assert.Equal(["iemocap", "1000.0", "–", "–", "–", "–", "–"], iemocap.Cells(ranges: true));
        Assert.Equal(ReleasedComparison.Columns.Count, iemocap.Cells(true).Count);
    }

    [Fact]
    public void A_missing_python_is_an_error_that_says_what_to_install()
    {
        var script = new ReleasedScript(Path.Combine(_dir, "no-such-python3"), WriteFile("time_released.py", ""), _dir);
        var e = Assert.Throws<ReleasedBenchException>(() => script.Check());
        Assert.Contains("--python " + script.Python, e.Message);
        Assert.Contains("apt-get install -y python3-torch", e.Message);
    }

    [Fact]
    public void A_missing_checkout_or_script_is_named_with_how_to_get_it()
    {
        var e = Assert.Throws<ReleasedBenchException>(() => new ReleasedScript("/bin/sh", WriteFile("time_released.py", ""), Path.Combine(_dir, "CGGM")).Check());
        Assert.Contains("--released " + Path.Combine(_dir, "CGGM"), e.Message);
        Assert.Contains(ReleasedScript.GetCheckout, e.Message);
        e = Assert.Throws<ReleasedBenchException>(() => new ReleasedScript("/bin/sh", Path.Combine(_dir, "none.py"), _dir).Check());
        Assert.Contains("none.py: not found", e.Message);
    }

    [Fact]
    public void A_failing_script_passes_on_what_it_said_and_bad_output_is_an_error()
    {
        if (!OperatingSystem.IsLinux()) return;   // the stand-in interpreter is /bin/sh
        var failing = new ReleasedScript("/bin/sh", WriteFile("fails.sh", "echo 'time_released.py: /x is not github.com/zrguo/CGGM at 21e428c' >&2; exit 2"), _dir);
        var e = Assert.Throws<ReleasedBenchException>(() => failing.Check());
        Assert.Contains("exit code 2", e.Message);
        Assert.Contains("is not github.com/zrguo/CGGM at 21e428c", e.Message);
        var garbled = new ReleasedScript("/bin/sh", WriteFile("garbled.sh", "echo 'cuda not available!'"), _dir);
        e = Assert.Throws<ReleasedBenchException>(() => garbled.Check());
        Assert.Contains("is not the JSON report", e.Message);
        Assert.Contains("cuda not available!", e.Message);
        var partial = new ReleasedScript("/bin/sh", WriteFile("partial.sh", "echo '{\"python\": \"3\", \"torch\": \"1\", \"threads\": 1, \"measurements\": []}'"), _dir);
        e = Assert.Throws<ReleasedBenchException>(() => partial.Measure(["mosi"], ["joint", "cggm"], 1, 0, 1));
        Assert.Contains("no measurement of mosi joint, mosi cggm", e.Message);
    }

    [Fact]
    public void The_script_gets_the_benchs_models_methods_steps_warmup_and_threads()
    {
        Assert.Equal(["--models", "mosi,iemocap", "--methods", "joint,cggm", "--steps", "20", "--warmup", "3", "--threads", "2"],
            ReleasedScript.Arguments(["mosi", "iemocap"], ["joint", "cggm"], 20, 3, 2));
        Assert.Equal(["--cls-layers", "1"], ReleasedScript.Arguments(["mosi"], ["joint"], 1, 0, 1, classifierLayers: 1).TakeLast(2));
        var script = new ReleasedScript("/usr/bin/python3", "benchmarks/released/time_released.py", "/tmp/my CGGM");
        Assert.Equal("/usr/bin/python3 benchmarks/released/time_released.py --released '/tmp/my CGGM' --steps 1 --json", script.CommandLine(["--steps", "1"]));
    }

    [Theory]
    [InlineData("--released", "{missing}")]
    [InlineData("--released", "{dir}", "--python", "{missing}")]
    [InlineData("--python", "/usr/bin/python3")]                                 // --python without --released
    [InlineData("--released", "{dir}", "--methods", "cggm-reference")]           // nothing the released script times
    public void Bench_refuses_a_bad_released_setup_before_measuring_anything(params string[] args)
    {
        var filled = args.Select(a => a.Replace("{missing}", Path.Combine(_dir, "missing")).Replace("{dir}", _dir)).ToArray();
        Assert.Equal(2, CliApp.Create().Run(["bench", "--models", "mosi", "--steps", "1", "--warmup", "0", .. filled]));
    }

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static RoundRatio? Round(RoundRatio? r) => r is null ? null : new RoundRatio(Math.Round(r.Median, 12), Math.Round(r.Min, 12), Math.Round(r.Max, 12));

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
