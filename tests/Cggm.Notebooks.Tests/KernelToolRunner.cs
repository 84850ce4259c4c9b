using System.Diagnostics;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Connection;
using Microsoft.DotNet.Interactive.Events;

namespace Cggm.Notebooks.Tests;

/// <summary>
/// Runs a notebook through the real kernel tool the way Polyglot Notebooks does: it starts the repository's copy of the
/// pinned dotnet-interactive (<c>.tools/interactive</c>, prepared by the Cggm.Notebooks build) in <c>stdio</c> mode in the
/// notebook's folder and sends each cell as a SubmitCode command, stopping at the first failing cell.
/// </summary>
internal static class KernelToolRunner
{
    public static async Task<IReadOnlyList<CellResult>> RunAsync(string notebookPath, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? cellTimeout = null)
    {
        var full = Path.GetFullPath(notebookPath);
        if (!File.Exists(Repository.KernelDll))
            throw new FileNotFoundException($"The kernel copy {Repository.KernelDll} is missing: build the solution (dotnet build -c Release), which prepares it.");
        var cells = NotebookCells.Read(full);
        var folder = Path.GetDirectoryName(full)!;
        var saved = environment?.ToDictionary(kv => kv.Key, kv => Environment.GetEnvironmentVariable(kv.Key));
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) Environment.SetEnvironmentVariable(k, v);   // inherited by the kernel process
        using var connector = new StdIoKernelConnector(["dotnet", Repository.KernelDll, "stdio", "--working-dir", folder],
            "csharp", new Uri("kernel://cggm-notebook-tests/"), new DirectoryInfo(folder));
        try
        {
            using var root = await ConnectRootAsync(connector);
            using var kernel = await connector.CreateProxyKernelAsync("csharp", "csharp");
            var results = new List<CellResult>();
            for (int i = 0; i < cells.Count; i++)
            {
                var clock = Stopwatch.StartNew();
                var events = new List<KernelEvent>();
                using var subscription = kernel.KernelEvents.Subscribe(new Observer(events.Add));
                var send = kernel.SendAsync(new SubmitCode(cells[i]));
                var timeout = cellTimeout ?? TimeSpan.FromMinutes(10);
                if (await Task.WhenAny(send, Task.Delay(timeout)) != send)
                    throw new TimeoutException($"Cell {i + 1} of {Path.GetFileName(full)} did not finish within {timeout}.");
                var result = await send;
                var all = result.Events.Concat(events).Distinct().ToList();
                var error = all.OfType<CommandFailed>().Select(f => f.Message).FirstOrDefault();
                var outputs = all.OfType<DisplayEvent>().Where(e => e is not StandardOutputValueProduced and not StandardErrorValueProduced)
                    .SelectMany(e => e.FormattedValues).Select(v => new CellOutput(v.MimeType, v.Value)).ToList();
                var stdout = string.Concat(all.OfType<StandardOutputValueProduced>().SelectMany(e => e.FormattedValues).Select(v => v.Value));
                results.Add(new CellResult(i + 1, cells[i], error, outputs, stdout, clock.Elapsed));
                if (error is not null) break;
            }
            return results;
        }
        finally
        {
            foreach (var (k, v) in saved ?? []) Environment.SetEnvironmentVariable(k, v);
        }
    }

    /// <summary>
    /// StdIoKernelConnector sets its "kernel ready" flag before it caches the kernel infos that event carries, and its
    /// waiting loop can read the cache in between ("Sequence contains no matching element", seen once in CI on a loaded
    /// 2-core machine). The process is already connected then, so asking again a moment later finds the filled cache.
    /// </summary>
    private static async Task<ProxyKernel> ConnectRootAsync(StdIoKernelConnector connector)
    {
        for (int attempt = 1; ; attempt++)
        {
            try { return await connector.CreateRootProxyKernelAsync(); }
            catch (InvalidOperationException) when (attempt < 50) { await Task.Delay(100); }
        }
    }

    private sealed class Observer(Action<KernelEvent> onNext) : IObserver<KernelEvent>
    {
        public void OnCompleted() { }
        public void OnError(Exception error) { }
        public void OnNext(KernelEvent value) => onNext(value);
    }
}
