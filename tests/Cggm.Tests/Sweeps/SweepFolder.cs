using System.Diagnostics;
using Cggm.Cli;
using Cggm.Cli.Sweeps;

namespace Cggm.Tests.Sweeps;

/// <summary>A temporary folder for one sweep, the CLI run in process, and a runner for the emitted job scripts.</summary>
internal sealed class SweepFolder : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "cggm-sweep-" + Guid.NewGuid().ToString("N")[..8]);

    public string Runs => Path.Combine(Root, "sweep");

    public SweepManifest Manifest => SweepPlan.Load(Runs) ?? throw new InvalidOperationException($"No sweep.json in {Runs}.");

    public static int Cli(params string[] args) => CliApp.Create().Run(args);

    /// <summary>What a command printed with Console.WriteLine, and its exit code.</summary>
    public static (int Code, string Output) CliOutput(params string[] args)
    {
        var previous = Console.Out;
        var writer = new StringWriter();
        Console.SetOut(writer);
        try
        {
            return (Cli(args), writer.ToString());
        }
        finally
        {
            Console.SetOut(previous);
        }
    }

    /// <summary>
    /// Runs a job script's text with bash, as a scheduler would, with <paramref name="variable"/> = <paramref name="index"/>,
    /// in a working directory whose <c>./cggm</c> records its arguments (and, unless <paramref name="built"/> is false, a
    /// stand-in for the build output the script checks for).
    /// </summary>
    public (int Code, string[] Args, string Error) RunScript(string script, string variable, int index, bool built = true)
    {
        var work = Path.Combine(Root, "work-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(work);
        if (built)
        {
            var dll = Path.Combine(work, CellScript.CliDll);
            Directory.CreateDirectory(Path.GetDirectoryName(dll)!);
            File.WriteAllText(dll, "");
        }
        var argsFile = Path.Combine(work, "args.bin");
        var stub = Path.Combine(work, "cggm");
        File.WriteAllText(stub, "#!/usr/bin/env bash\nprintf '%s\\0' \"$@\" > \"$CGGM_ARGS_OUT\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(stub, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var start = new ProcessStartInfo("bash") { WorkingDirectory = work, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.Environment[variable] = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["CGGM_ARGS_OUT"] = argsFile;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var args = File.Exists(argsFile) ? File.ReadAllText(argsFile).Split('\0', StringSplitOptions.None)[..^1] : [];
        return (process.ExitCode, args, error.Result);
    }

    /// <summary>Asserts that <c>cggm train</c> accepts <paramref name="args"/> and would write the run where the sweep expects it.</summary>
    public static void AssertTrainAccepts(SweepManifest.Cell cell, IReadOnlyList<string> args)
    {
        var (code, output) = CliOutput(["train", .. args, "--dry-run"]);
        Assert.True(code == 0, $"cggm train rejected cell {cell.Index}: {string.Join(" ", args)}");
        var runs = args[args.ToList().IndexOf("--runs") + 1];
        Assert.Equal(Path.Combine(runs, "synthetic", cell.Method, $"seed-{cell.Seed}"), output.Trim());
    }

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
