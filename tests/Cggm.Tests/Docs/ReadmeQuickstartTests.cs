using System.Globalization;
using System.Text.RegularExpressions;
using Cggm.Experiments;
using TorchSharp;

namespace Cggm.Tests.Docs;

/// <summary>
/// The README's quickstart table is what <c>./cggm quickstart</c> prints: the test runs the same experiment through the
/// library (<see cref="Quickstart.Run"/> with the default <see cref="QuickstartConfig"/>, the call the command makes) into
/// a temporary run folder and compares every cell of the README's table with it. Training results can depend on the
/// processor (libtorch picks its CPU kernels by instruction set), so the README's marker names the processor the table was
/// measured on, and on any other the test is skipped with that reason.
/// </summary>
public sealed partial class ReadmeQuickstartTests : IDisposable
{
    /// <summary>The largest difference, in table points, between a README cell and the measured one.</summary>
    private const double Tolerance = 0.5;

    /// <summary>The README line just before the table (an HTML comment, invisible when rendered).</summary>
    internal const string Marker = "<!-- quickstart-table";

    private readonly string _runs = Path.Combine(Path.GetTempPath(), "cggm-readme-quickstart-" + Guid.NewGuid().ToString("N")[..8]);

    [SkippableFact]
    public void The_README_quickstart_table_matches_a_fresh_quickstart_run()
    {
        var readme = ReadmeTable.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")));
        var cpu = Processor();
        Skip.If(cpu != readme.Processor,
            $"The README's quickstart table was measured on '{readme.Processor}'; this processor is '{cpu ?? "unknown"}', whose floating-point results may differ.");
        // One torch thread: on this processor the table is the same as with the command's default (both were run), and on a
        // busy 2-core machine the tiny model trains several times faster on one.
        var threads = torch.get_num_threads();
        torch.set_num_threads(1);
        ResultTable measured;
        try
        {
            measured = RunQuickstart();
        }
        finally
        {
            torch.set_num_threads(threads);
        }

        var problems = Compare(readme, measured);
        Assert.True(problems.Count == 0,
            $"The README's quickstart table no longer matches `./cggm quickstart` (tolerance {Tolerance} points); " +
            "re-run it on a fresh clone and paste its table into README.md:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void A_changed_README_cell_is_reported_with_its_row_column_and_both_values()
    {
        var table = new ResultTable("t", [new ResultColumn("Acc (%)")], [new ResultRow("cggm", [new MeanStd(0.972, 0.0046, 3)])]);
        var readme = ReadmeTable.Parse($"{Marker} cpu=\"X\" cpu-family=1 -->\n| Method | Acc (%) |\n|---|---:|\n| cggm | 96.60 ± 0.17 |\n");
        Assert.Equal("X, cpu family 1", readme.Processor);

        var problem = Assert.Single(Compare(readme, table));
        Assert.Contains("cggm", problem);
        Assert.Contains("Acc (%)", problem);
        Assert.Contains("README 96.60 ± 0.17", problem);
        Assert.Contains("measured 97.20 ± 0.46", problem);
        Assert.Empty(Compare(ReadmeTable.Parse($"{Marker} cpu=\"X\" cpu-family=1 -->\n| Method | Acc (%) |\n|---|---:|\n| cggm | 97.60 ± 0.46 |\n"), table));
    }

    /// <summary>
    /// The quickstart into this test's own run folder. TorchSharp 0.107 now and then frees a temporary scalar while libtorch
    /// still uses it and the step fails with a libtorch error (docs/performance.md, "Known issue"); as with the command, running
    /// again resumes from the last finished epoch, and a resumed run ends where an uninterrupted one does.
    /// </summary>
    private ResultTable RunQuickstart()
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return Quickstart.Run(new QuickstartConfig(), _runs, resume: true).Table;
            }
            catch (System.Runtime.InteropServices.ExternalException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>One line per README cell, row or column that differs from the measured table.</summary>
    internal static List<string> Compare(ReadmeTable readme, ResultTable measured)
    {
        var problems = new List<string>();
        var headers = measured.Columns.Select(c => c.Header).ToArray();
        if (!readme.Headers.SequenceEqual(headers))
            problems.Add($"columns: README [{string.Join(", ", readme.Headers)}], measured [{string.Join(", ", headers)}]");
        foreach (var row in measured.Rows.Where(r => !readme.Rows.ContainsKey(r.Method)))
            problems.Add($"row '{row.Method}': measured but not in the README");
        foreach (var method in readme.Rows.Keys.Where(m => measured.Rows.All(r => r.Method != m)))
            problems.Add($"row '{method}': in the README but not measured");
        foreach (var row in measured.Rows.Where(r => readme.Rows.ContainsKey(r.Method)))
        {
            var cells = readme.Rows[row.Method];
            for (int c = 0; c < measured.Columns.Count && c < cells.Count; c++)
            {
                var column = measured.Columns[c];
                var value = row.Values[c];
                var (mean, std) = cells[c];
                var shown = value?.Format(column.Decimals, column.Scale) ?? "(none)";
                if (value is null || Math.Abs(mean - value.Mean * column.Scale) > Tolerance || Math.Abs(std - value.Std * column.Scale) > Tolerance)
                    problems.Add($"{row.Method}, {column.Header}: README {Show(mean, std, column.Decimals)}, measured {shown}");
            }
        }
        return problems;
    }

    private static string Show(double mean, double std, int decimals) =>
        mean.ToString("F" + decimals, CultureInfo.InvariantCulture) + " ± " + std.ToString("F" + decimals, CultureInfo.InvariantCulture);

    /// <summary>"model name, cpu family N" of the first processor in /proc/cpuinfo (Linux), else null.</summary>
    private static string? Processor()
    {
        if (!File.Exists("/proc/cpuinfo")) return null;
        var info = File.ReadLines("/proc/cpuinfo").TakeWhile(l => l.Length > 0)
            .Select(l => l.Split(':', 2)).Where(kv => kv.Length == 2).GroupBy(kv => kv[0].Trim()).ToDictionary(g => g.Key, g => g.First()[1].Trim());
        return info.TryGetValue("model name", out var model) && info.TryGetValue("cpu family", out var family) ? $"{model}, cpu family {family}" : null;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Cggm.Notebooks.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Cggm.Notebooks.sln was not found above " + AppContext.BaseDirectory);
    }

    public void Dispose()
    {
        if (Directory.Exists(_runs)) Directory.Delete(_runs, recursive: true);
    }

    /// <summary>
    /// The README's quickstart marker (<c>&lt;!-- quickstart-table cpu="…" cpu-family=N …--&gt;</c>, naming the processor the
    /// table was measured on) and the Markdown table after it: headers after "Method", and each row's cells.
    /// </summary>
    internal sealed partial record ReadmeTable(string Processor, IReadOnlyList<string> Headers, IReadOnlyDictionary<string, IReadOnlyList<(double Mean, double Std)>> Rows)
    {
        public static ReadmeTable Parse(string markdown)
        {
            var lines = markdown.Split('\n').Select(l => l.Trim()).ToList();
            int marker = lines.FindIndex(l => l.StartsWith(Marker, StringComparison.Ordinal));
            Assert.True(marker >= 0, $"README.md has no line starting with '{Marker}' before the quickstart table.");
            var cpu = CpuOf().Match(lines[marker]);
            Assert.True(cpu.Success, $"README.md's quickstart marker does not name the processor: cpu=\"model name\" cpu-family=N.");
            var table = lines.Skip(marker + 1).SkipWhile(l => l.Length == 0).TakeWhile(l => l.StartsWith('|')).ToList();
            Assert.True(table.Count >= 3, "README.md: no Markdown table after the quickstart marker.");
            var headers = Cells(table[0]).Skip(1).ToArray();
            var rows = new Dictionary<string, IReadOnlyList<(double, double)>>();
            foreach (var line in table.Skip(2))
            {
                var cells = Cells(line);
                rows[cells[0]] = cells.Skip(1).Select(cell =>
                {
                    var m = Cell().Match(cell);
                    Assert.True(m.Success, $"README.md quickstart table: '{cell}' in row '{cells[0]}' is not 'mean ± std'.");
                    return (double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
                }).ToArray();
            }
            return new ReadmeTable($"{cpu.Groups[1].Value}, cpu family {cpu.Groups[2].Value}", headers, rows);
        }

        private static string[] Cells(string line) => line.Trim('|').Split('|').Select(c => c.Trim()).ToArray();

        [GeneratedRegex(@"cpu=""([^""]+)""\s+cpu-family=(\d+)")]
        private static partial Regex CpuOf();

        [GeneratedRegex(@"^(-?\d+(?:\.\d+)?)\s*±\s*(\d+(?:\.\d+)?)$")]
        private static partial Regex Cell();
    }
}
