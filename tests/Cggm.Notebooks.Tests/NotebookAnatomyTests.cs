using System.Text.Json;
using System.Text.RegularExpressions;

namespace Cggm.Notebooks.Tests;

/// <summary>
/// Every notebook has the same sections in the same order (notebooks/README.md, "What every notebook looks like"), and its
/// links point at files of the repository that exist.
/// </summary>
public sealed partial class NotebookAnatomyTests
{
    private static readonly string[] Sections = ["## Setup", "## Data, model and methods", "## Train", "## Results", "## Discussion"];

    public static IEnumerable<object[]> Notebooks() => Repository.NotebookNames();

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebook_has_the_shared_sections_in_order(string name)
    {
        var headings = Markdown(name).SelectMany(m => m.Split('\n')).Where(l => l.StartsWith('#')).Select(l => l.TrimEnd()).ToArray();
        Assert.Matches(@"^# \d\d · ", headings[0]);
        Assert.Equal(Sections, headings.Where(h => h.StartsWith("## ", StringComparison.Ordinal)));
        Assert.DoesNotContain(headings.Skip(1), h => h.StartsWith("# ", StringComparison.Ordinal));
        var results = Array.IndexOf(headings, "## Results");
        var discussion = Array.IndexOf(headings, "## Discussion");
        var data = Array.IndexOf(headings, "## Data, model and methods");
        var train = Array.IndexOf(headings, "## Train");
        Assert.All(headings.Select((h, i) => (h, i)).Where(x => x.h.StartsWith("### ", StringComparison.Ordinal)),
            x => Assert.True(x.i > data && x.i < train || x.i > results && x.i < discussion, $"{name}: '{x.h}' is outside 'Data, model and methods' and 'Results'."));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebook_links_only_to_files_of_the_repository(string name)
    {
        foreach (var text in Markdown(name))
        {
            Assert.DoesNotContain("shared/research", text);
            foreach (Match link in RelativeLink().Matches(text))
            {
                var target = link.Groups[1].Value.Split('#')[0];
                Assert.True(File.Exists(Path.Combine(Repository.Notebooks, target)), $"{name} links to {link.Groups[1].Value}, which does not exist.");
            }
        }
    }

    private static IEnumerable<string> Markdown(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Notebooks, name)));
        return doc.RootElement.GetProperty("cells").EnumerateArray()
            .Where(c => c.GetProperty("cell_type").GetString() == "markdown")
            .Select(c => string.Concat(c.GetProperty("source").EnumerateArray().Select(l => l.GetString())))
            .ToArray();
    }

    [GeneratedRegex(@"\]\((?!https?:|#)([^)\s]+)\)")]
    private static partial Regex RelativeLink();
}
