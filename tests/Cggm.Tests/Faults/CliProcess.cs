using System.Diagnostics;

namespace Cggm.Tests.Faults;

/// <summary>Runs the <c>cggm</c> command line as a separate process (the one built next to the tests).</summary>
internal static class CliProcess
{
    private static string Dll => Path.Combine(AppContext.BaseDirectory, "Cggm.Cli.dll");

    public static Process Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = StartInfo(args);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    public static int Run(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        using var p = Start(args, environment);
        WaitOrKill(p, timeout);
        return p.ExitCode;
    }

    /// <summary>Runs to the end and returns the exit code with everything written to standard output and standard error.</summary>
    public static (int ExitCode, string StdOut, string StdErr) Capture(IEnumerable<string> args, TimeSpan? timeout = null)
    {
        using var p = Process.Start(StartInfo(args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        WaitOrKill(p, timeout);
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static void WaitOrKill(Process p, TimeSpan? timeout)
    {
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(5))) { p.Kill(entireProcessTree: true); throw new TimeoutException("cggm did not finish in time"); }
    }

    private static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["OMP_NUM_THREADS"] = "1";
        return psi;
    }
}
