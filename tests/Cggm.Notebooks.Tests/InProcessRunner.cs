using System.Diagnostics;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace Cggm.Notebooks.Tests;

/// <summary>
/// Runs a notebook's C# cells in an in-process .NET Interactive C# kernel (the libraries the kernel tool is built from),
/// with the notebook's folder as working directory, stopping at the first failing cell.
/// </summary>
internal static class InProcessRunner
{
    private static readonly SemaphoreSlim CwdLock = new(1, 1);

    public static async Task<IReadOnlyList<CellResult>> RunAsync(string notebookPath)
    {
        var full = Path.GetFullPath(notebookPath);
        var cells = NotebookCells.Read(full);
        var csharp = new CSharpKernel()
            .UseNugetDirective<CSharpKernel>((k, refs) => { k.AddAssemblyReferences(refs.SelectMany(r => r.AssemblyPaths)); return Task.CompletedTask; }, forceRestore: false)
            .UseKernelHelpers()
            .UseValueSharing();
        using var kernel = new CompositeKernel { csharp };
        kernel.DefaultKernelName = "csharp";
        UseNuGetExtensions(kernel);
        var results = new List<CellResult>();
        await CwdLock.WaitAsync();
        var oldCwd = Environment.CurrentDirectory;
        Environment.CurrentDirectory = Path.GetDirectoryName(full)!;
        try
        {
            for (int i = 0; i < cells.Count; i++)
            {
                var clock = Stopwatch.StartNew();
                var result = await kernel.SendAsync(new SubmitCode(cells[i], "csharp"));
                var events = result.Events;
                var error = events.OfType<CommandFailed>().Select(f => f.Message).FirstOrDefault()
                    ?? events.OfType<DiagnosticsProduced>().SelectMany(d => d.Diagnostics)
                             .Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).Select(d => d.Message).FirstOrDefault();
                var outputs = events.OfType<DisplayEvent>().Where(e => e is not StandardOutputValueProduced and not StandardErrorValueProduced)
                    .SelectMany(e => e.FormattedValues).Select(v => new CellOutput(v.MimeType, v.Value)).ToList();
                var stdout = string.Concat(events.OfType<StandardOutputValueProduced>().SelectMany(e => e.FormattedValues).Select(v => v.Value));
                results.Add(new CellResult(i + 1, cells[i], error, outputs, stdout, clock.Elapsed));
                if (error is not null) break;
            }
        }
        finally
        {
            Environment.CurrentDirectory = oldCwd;
            CwdLock.Release();
        }
        return results;
    }

    /// <summary>
    /// Loads the kernel extensions of packages added with #r "nuget:" (Plotly.NET.Interactive, Microsoft.Data.Analysis
    /// formatters), as the kernel tool does; the tool's own loader is internal to it.
    /// </summary>
    private static void UseNuGetExtensions(CompositeKernel kernel)
    {
        var pending = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var seen = new HashSet<string>();
        kernel.RegisterForDisposal(kernel.KernelEvents.Subscribe(new Observer(e =>
        {
            if (e is PackageAdded { PackageReference.PackageRoot: { } root } && seen.Add(root)) pending.Enqueue(root);
        })));
        kernel.AddMiddleware(async (command, context, next) =>
        {
            await next(command, context);
            while (pending.TryDequeue(out var root))
            {
                var dir = Path.Combine(root, "interactive-extensions", "dotnet");
                if (!Directory.Exists(dir)) continue;
                foreach (var dll in Directory.GetFiles(dir, "*.dll"))
                {
                    var asm = System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromAssemblyPath(dll);
                    foreach (var t in asm.ExportedTypes.Where(t => typeof(IKernelExtension).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface))
                        if (Activator.CreateInstance(t) is IKernelExtension ext) await ext.OnLoadAsync(kernel);
                }
            }
        });
    }

    private sealed class Observer(Action<KernelEvent> onNext) : IObserver<KernelEvent>
    {
        public void OnCompleted() { }
        public void OnError(Exception error) { }
        public void OnNext(KernelEvent value) => onNext(value);
    }
}
