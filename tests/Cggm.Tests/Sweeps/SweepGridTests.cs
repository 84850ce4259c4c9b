using Cggm.Experiments.Sweeps;

namespace Cggm.Tests.Sweeps;

public sealed class SweepGridTests
{
    private static SweepAxis[] Axes(params string[] texts) => texts.Select(SweepAxis.Parse).ToArray();

    [Fact]
    public void Axis_values_split_on_commas_outside_brackets()
    {
        var axis = SweepAxis.Parse("mslr.multipliers=[1,3],[1,5]");
        Assert.Equal("mslr.multipliers", axis.Key);
        Assert.Equal(["[1,3]", "[1,5]"], axis.Values);
        Assert.Equal(["1.1", "none"], SweepAxis.Parse("rho=1.1, none").Values);
    }

    [Theory]
    [InlineData("rho")]                       // no values
    [InlineData("rho=1.1,,1.5")]              // an empty value
    [InlineData("rho=1.1,1.1")]               // a repeated value
    [InlineData("rho=fast")]                  // not a number
    [InlineData("epochs=0")]
    [InlineData("learning-rate=0.1")]         // not a key cggm train takes
    [InlineData("ogm-ge.nope=0.1")]           // not a method setting
    public void Bad_axes_are_rejected_with_the_reason(string text)
    {
        var e = Assert.ThrowsAny<Exception>(() => SweepAxis.Parse(text));
        Assert.True(e is FormatException or ArgumentException, e.GetType().Name);
        Assert.NotEmpty(e.Message);
    }

    [Fact]
    public void A_method_varies_only_along_the_axes_it_reads()
    {
        var cells = SweepGrid.Expand(["joint", "cggm", "ogm-ge"], Axes("rho=1.1,1.5", "lambda=0.1,0.2", "ogm-ge.alpha=0.1,0.5"), [0, 1, 2]);
        Assert.Equal(3, cells.Count(c => c.Method == "joint"));                 // joint reads none: one cell per seed
        Assert.Equal(2 * 2 * 3, cells.Count(c => c.Method == "cggm"));          // ρ × λ × seeds
        Assert.Equal(2 * 3, cells.Count(c => c.Method == "ogm-ge"));            // α × seeds
        Assert.All(cells.Where(c => c.Method == "cggm"), c => Assert.Equal(["rho", "lambda"], c.Values.Select(v => v.Key)));
        Assert.Equal(Enumerable.Range(0, cells.Count), cells.Select(c => c.Index));
        Assert.Equal(cells.Count, cells.Select(c => c.Id).Distinct().Count());
        // methods in the given order, the first axis slowest, seeds fastest
        Assert.Equal(["joint_seed-0", "joint_seed-1", "joint_seed-2", "cggm_rho-1.1_lambda-0.1_seed-0", "cggm_rho-1.1_lambda-0.1_seed-1"],
                     cells.Take(5).Select(c => c.Id));
        Assert.Equal("cggm_rho-1.1_lambda-0.2_seed-0", cells[6].Id);
        Assert.Equal("cggm rho=1.5 lambda=0.2 seed 2", cells.Last(c => c.Method == "cggm").Description);
    }

    [Fact]
    public void Epochs_apply_to_every_method_and_modality_only_to_unimodal_training()
    {
        var cells = SweepGrid.Expand(["joint", "unimodal"], Axes("epochs=1,2", "modality=0,1"), [0]);
        Assert.Equal(["joint_epochs-1_seed-0", "joint_epochs-2_seed-0",
                      "unimodal_epochs-1_modality-0_seed-0", "unimodal_epochs-1_modality-1_seed-0",
                      "unimodal_epochs-2_modality-0_seed-0", "unimodal_epochs-2_modality-1_seed-0"], cells.Select(c => c.Id));
    }

    [Fact]
    public void A_one_valued_axis_is_a_fixed_setting_not_part_of_a_cell()
    {
        var cells = SweepGrid.Expand(["cggm"], Axes("rho=1.5"), [0, 1]);
        Assert.Equal(["cggm_seed-0", "cggm_seed-1"], cells.Select(c => c.Id));
        Assert.All(cells, c => Assert.Empty(c.Values));
    }

    [Fact]
    public void Values_a_method_rejects_fail_before_anything_runs()
    {
        var e = Assert.Throws<ArgumentException>(() => SweepGrid.Expand(["cggm"], Axes("rho=1.1,-1"), [0]));
        Assert.Contains("rho=-1", e.Message);
        Assert.Contains("cggm", e.Message);
        Assert.Throws<ArgumentException>(() => SweepGrid.Expand(["no-such-method"], [], [0]));
        Assert.Throws<ArgumentException>(() => SweepGrid.Expand(["cggm"], Axes("rho=1.1,1.2", "rho=1.3,1.4"), [0]));
        Assert.Throws<ArgumentException>(() => SweepGrid.Expand(["cggm", "CGGM"], [], [0]));
    }
}
