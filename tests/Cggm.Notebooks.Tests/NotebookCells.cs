using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;

namespace Cggm.Notebooks.Tests;

/// <summary>Reads the C# code cells of a notebook (.ipynb or .dib) in order.</summary>
internal static class NotebookCells
{
    public static IReadOnlyList<string> Read(string path)
    {
        var kernels = new KernelInfoCollection { new KernelInfo("csharp", "C#", ["c#", "C#"]) };
        kernels.DefaultKernelName = "csharp";
        var text = File.ReadAllText(path);
        InteractiveDocument doc = path.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase) ? Notebook.Parse(text, kernels) : CodeSubmission.Parse(text, kernels);
        return doc.Elements.Where(e => e.KernelName is null or "csharp" or "C#" && !string.IsNullOrWhiteSpace(e.Contents)).Select(e => e.Contents).ToArray();
    }
}
