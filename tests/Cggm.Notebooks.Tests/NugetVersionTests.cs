using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Cggm.Notebooks.Tests;

/// <summary>Every <c>#r "nuget: Package, Version"</c> in a notebook names the version Directory.Packages.props pins.</summary>
public sealed partial class NugetVersionTests
{
    [GeneratedRegex(@"#r\s+""nuget:\s*([^,""\s]+)\s*(?:,\s*([^""\s]+))?\s*""")]
    private static partial Regex NugetReference();

    [Fact]
    public void Notebook_package_versions_match_the_central_versions()
    {
        var pinned = XDocument.Load(Path.Combine(Repository.Root, "Directory.Packages.props"))
            .Descendants("PackageVersion").ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);
        var references = Directory.GetFiles(Repository.Notebooks, "*.ipynb")
            .SelectMany(f => NotebookCells.Read(f).SelectMany(c => NugetReference().Matches(c)).Select(m => (File: Path.GetFileName(f), Package: m.Groups[1].Value, Version: m.Groups[2].Value)))
            .ToArray();
        Assert.NotEmpty(references);
        foreach (var (file, package, version) in references)
        {
            Assert.True(pinned.TryGetValue(package, out var expected), $"{file} references {package}, which Directory.Packages.props does not pin.");
            Assert.True(version == expected, $"{file} references {package} {(version.Length == 0 ? "without a version" : version)}; Directory.Packages.props pins {expected}.");
        }
    }

    [Fact]
    public void Notebooks_are_committed_without_outputs()
    {
        foreach (var f in Directory.GetFiles(Repository.Notebooks, "*.ipynb"))
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(f));
            foreach (var cell in doc.RootElement.GetProperty("cells").EnumerateArray())
                if (cell.TryGetProperty("outputs", out var outputs))
                    Assert.True(outputs.GetArrayLength() == 0, $"{Path.GetFileName(f)} has a cell with outputs; clear them before committing.");
        }
    }
}
