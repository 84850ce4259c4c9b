using System.Text.RegularExpressions;
using Cggm.Experiments.Datasets;
using Cggm.IO;

namespace Cggm.Tests.Architecture;

/// <summary>
/// A dataset is an object (<see cref="DatasetRegistry"/>): code outside the descriptors never spells a dataset's name, so it
/// cannot switch or branch on one. The only other place a name is written is its loader's <c>DatasetName</c> constant.
/// </summary>
public sealed partial class DatasetNameTests
{
    [Fact]
    public void No_source_outside_the_descriptors_spells_a_dataset_name()
    {
        var src = Path.Combine(RepositoryPaths.Root, "src");
        var descriptors = Path.Combine(src, "Cggm", "Experiments", "Datasets") + Path.DirectorySeparatorChar;
        var found = new List<string>();
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(descriptors, StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")).ToArray();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (SpellsAName(lines[i])) found.Add($"{Path.GetRelativePath(src, file)}:{i + 1}: {lines[i].Trim()}");
            }
        }
        Assert.True(found.Count == 0, "Dataset names spelled outside src/Cggm/Experiments/Datasets/ (use the descriptor, DatasetRegistry.X.Name, or the loader's DatasetName):\n" + string.Join("\n", found));
    }

    [Fact]
    public void The_scan_sees_a_switch_on_a_name_in_any_case_and_passes_comments_and_loader_constants()
    {
        Assert.True(SpellsAName("            case \"mosi\": SampleData.WriteMosi(root); break;"));
        Assert.True(SpellsAName("        (\"IEMOCAP\", _) => \"IEMOCAP (Table 4)\","));
        Assert.False(SpellsAName("    /// <summary>The dataset \"mosi\".</summary>"));
        Assert.False(SpellsAName("    public const string DatasetName = \"mosi\";"));
        Assert.False(SpellsAName("        new(\"brats2021-small\", settings),"));
    }

    /// <summary>True when a line of code (not a comment, not a loader's name constant) holds a dataset's name as a string literal.</summary>
    private static bool SpellsAName(string line)
    {
        var code = line.Trim();
        if (code.StartsWith("//", StringComparison.Ordinal) || LoaderConstant().IsMatch(code)) return false;
        return DatasetRegistry.Names.Any(name => code.Contains($"\"{name}\"", StringComparison.OrdinalIgnoreCase));
    }

    [GeneratedRegex("""^public const string DatasetName = "[^"]+";$""")]
    private static partial Regex LoaderConstant();
}
