using Cggm.Modulation;

namespace Cggm.Tests.Modulation;

public sealed class MethodSettingsTests
{
    [Fact]
    public void Set_changes_one_value_by_a_dotted_key_ignoring_case_and_dashes()
    {
        var s = new MethodSettings().Set("ogm-ge.alpha=0.5").Set("Mslr.Multipliers=[1,3]").Set("mslr.strategy=Keep").Set("modality=1");
        Assert.Equal(0.5, s.OgmGe.Alpha);
        Assert.Equal(new[] { 1.0, 3.0 }, s.Mslr.Multipliers);
        Assert.Equal(MslrStrategy.Keep, s.Mslr.Strategy);
        Assert.Equal(1, s.Modality);
        Assert.Equal(new OgmGeOptions().ModulationEnd, s.OgmGe.ModulationEnd);
        Assert.Equal(0.2, s.Cggm.Lambda);
    }

    [Fact]
    public void Unknown_keys_and_bad_values_name_what_is_wrong()
    {
        var unknown = Assert.Throws<ArgumentException>(() => new MethodSettings().Set("ogm-ge.beta=1"));
        Assert.Contains("alpha", unknown.Message);
        Assert.Throws<ArgumentException>(() => new MethodSettings().Set("pmr.alpha=fast"));
        Assert.Throws<FormatException>(() => new MethodSettings().Set("pmr.alpha"));
    }

    [Fact]
    public void Every_registered_method_builds_from_default_settings()
    {
        foreach (var m in MethodRegistry.Methods)
        {
            using var method = m.Create(new MethodSettings());
            Assert.False(string.IsNullOrWhiteSpace(method.Name));
        }
    }
}
