using Cggm.IO;
using Cggm.Modulation;

namespace Cggm.Tests.Architecture;

/// <summary>Method names are said once (<see cref="MethodNames"/>): no other source spells one as a string literal.</summary>
public sealed class MethodNameTests
{
    [Fact]
    public void No_source_outside_MethodNames_spells_a_method_name()
    {
        var src = Path.Combine(RepositoryPaths.Root, "src");
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
                     .Where(f => Path.GetFileName(f) != "MethodNames.cs" && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")))
        {
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
                if (SpellsAName(lines[i])) found.Add($"{Path.GetRelativePath(src, file)}:{i + 1}: {lines[i].Trim()}");
        }
        Assert.True(found.Count == 0, "Method names spelled outside src/Cggm/Modulation/MethodNames.cs (use MethodNames.X):\n" + string.Join("\n", found));
    }

    [Fact]
    public void The_scan_sees_a_literal_and_passes_comments_and_the_program_name()
    {
        Assert.True(SpellsAName("        var baseline = Run(setup, [\"joint\"], seeds);"));
        Assert.True(SpellsAName("        new(\"(b)\", \"CGGM magnitude only\", \"cggm\", cggm),"));
        Assert.False(SpellsAName("    /// <summary>Runs \"joint\" first.</summary>"));
        Assert.False(SpellsAName("            config.SetApplicationName(\"cggm\");"));
    }

    private static readonly string[] Names = typeof(MethodNames).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToArray();

    /// <summary>True when a line of code (not a comment, not the program's name) holds a method's name as a string literal.</summary>
    private static bool SpellsAName(string line)
    {
        var code = line.Trim();
        if (code.StartsWith("//", StringComparison.Ordinal) || code.Contains("SetApplicationName", StringComparison.Ordinal)) return false;
        return Names.Any(name => code.Contains($"\"{name}\"", StringComparison.Ordinal));
    }
}
