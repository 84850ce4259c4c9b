using System.Text.Json.Nodes;
using Cggm.Data;
using Cggm.Experiments;
using Cggm.Experiments.Datasets;
using Cggm.Modulation;
using Cggm.Training;
using static Cggm.Tests.Experiments.ExperimentTestKit;

namespace Cggm.Tests.Experiments;

[Collection(Cggm.Tests.Modulation.ModulationCollection.Name)]
public class StudyTests
{
    private static Dictionary<string, double> Scores(double accuracy, double f1) => new() { ["accuracy"] = accuracy, ["f1_weighted"] = f1 };

    [Fact]
    public void A_sweep_point_s_improvement_is_paired_by_seed()
    {
        var baseline = new[] { Run("joint", 0, Scores(0.65, 0.60)), Run("joint", 1, Scores(0.50, 0.40)) };
        var point = new SweepPoint(1.2, new CggmOptions { Rho = 1.2 }, [Run("cggm", 1, Scores(0.60, 0.50)), Run("cggm", 0, Scores(0.70, 0.61))]);
        var sweep = new SweepResult(CggmHyperparameter.Rho, baseline, [point]);
        var gain = sweep.Improvement(point, "accuracy");   // seed 0: +0.05, seed 1: +0.10
        Assert.Equal(0.075, gain.Mean, 12);
        Assert.Equal(Math.Sqrt(2 * 0.025 * 0.025), gain.Std, 12);
        // 95 % Student-t interval, 1 degree of freedom: t = 12.7062047, half-width t·s/√n = 12.7062047 · 0.025.
        Assert.Equal(0.075 - 12.7062047 * 0.025, gain.Low!.Value, 6);
        Assert.Equal(0.075 + 12.7062047 * 0.025, gain.High!.Value, 6);

        var table = HyperparameterSweep.Table(sweep, "fig 5a");
        Assert.Equal(["ρ = 1.2", "joint training (Baseline)"], table.Rows.Select(r => r.Method));
        Assert.Equal(0.055, table.Rows[0].Values[1]!.Mean, 12);
        Assert.Null(table.Rows[1].Values[0]);
        Assert.Equal(0.575, table.Rows[1].Values[2]!.Mean, 12);

        var orphan = point with { Runs = [Run("cggm", 7, Scores(0.7, 0.7))] };
        Assert.Throws<InvalidOperationException>(() => sweep.Improvement(orphan, "accuracy"));
        Assert.Throws<ArgumentException>(() => sweep.Improvement(point, "dice_wt"));
    }

    [Fact]
    public void The_swept_values_share_the_dataset_s_own_point_and_name_their_folders_by_both_hyperparameters()
    {
        foreach (var profile in Enum.GetValues<Profile>())
        {
            Assert.Contains(1.2, HyperparameterSweep.Values(CggmHyperparameter.Rho, profile));
            Assert.Contains(0.2, HyperparameterSweep.Values(CggmHyperparameter.Lambda, profile));
        }
        Assert.Equal(7, HyperparameterSweep.Values(CggmHyperparameter.Rho, Profile.Paper).Count);
        Assert.Equal((6, 0.01, 0.25), (HyperparameterSweep.LambdaValues.Count, HyperparameterSweep.LambdaValues[0], HyperparameterSweep.LambdaValues[^1]));
        var options = new CggmOptions { Rho = 1.2, Lambda = 0.2 };
        Assert.Equal("rho-1.2_lambda-0.2", HyperparameterSweep.Folder(HyperparameterSweep.With(options, CggmHyperparameter.Rho, 1.2)));
        Assert.Equal("rho-1.2_lambda-0.2", HyperparameterSweep.Folder(HyperparameterSweep.With(options, CggmHyperparameter.Lambda, 0.2)));
        Assert.Equal("rho-none_lambda-0.1", HyperparameterSweep.Folder(options with { Rho = null, Lambda = 0.1 }));
    }

    [Fact]
    public void A_sweep_trains_joint_once_per_seed_and_cggm_once_per_value_and_reuses_finished_runs()
    {
        var setup = Tiny();
        using var _ = (SyntheticImbalance)setup.Data;
        using var folder = new TempFolder();
        var first = HyperparameterSweep.Run(setup, CggmHyperparameter.Lambda, [0.1, 0.3], [0], folder.Path);
        Assert.True(File.Exists(Path.Combine(folder.Path, "joint", "seed-0", "metrics.json")));
        Assert.True(File.Exists(Path.Combine(folder.Path, "rho-1.3_lambda-0.1", "cggm", "seed-0", "metrics.json")));
        Assert.True(File.Exists(Path.Combine(folder.Path, "rho-1.3_lambda-0.3", "cggm", "seed-0", "metrics.json")));
        Assert.Equal([0.1, 0.3], first.Points.Select(p => p.Options.Lambda));
        Assert.All(first.Points, p => Assert.Equal(1.3, p.Options.Rho));

        var again = HyperparameterSweep.Run(setup, CggmHyperparameter.Lambda, [0.3], [0], folder.Path);
        Assert.Equal(first.Points[1].Runs[0].Result.Test.Metrics["accuracy"], again.Points[0].Runs[0].Result.Test.Metrics["accuracy"]);
        Assert.Equal(first.Baseline[0].Result.History.Steps.Count, again.Baseline[0].Result.History.Steps.Count);
    }

    [Fact]
    public void The_ablation_switches_off_one_part_each_and_shares_the_comparison_s_joint_and_cggm_folders()
    {
        var both = new CggmOptions { Rho = 1.2, Lambda = 0.2 };
        var rows = CggmAblation.Rows(both);
        Assert.Null(rows[0].Options);
        Assert.Equal(both with { Lambda = 0 }, rows[1].Options);
        Assert.Equal(both with { Rho = null }, rows[2].Options);
        Assert.Equal(both, rows[3].Options);
        Assert.Equal("magnitude only (ρ = 1.2, λ = 0)", rows[1].Label);

        var setup = Tiny();
        using var _ = (SyntheticImbalance)setup.Data;
        using var folder = new TempFolder();
        var runs = CggmAblation.Run(setup, [0], folder.Path);
        Assert.Equal(CggmAblation.Rows(setup.Methods.Cggm).Select(r => r.Label), runs.Select(r => r.Method));
        foreach (var (dir, lambda, rho) in new[] { ("cggm", 0.2, (double?)1.3), ("ablation-magnitude/cggm", 0.0, 1.3), ("ablation-direction/cggm", 0.2, null) })
        {
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder.Path, dir, "seed-0", "config.json")))!["method"]!["options"]!;
            Assert.Equal(lambda, config["lambda"]!.GetValue<double>());
            Assert.Equal(rho, config["rho"]?.GetValue<double>());
        }
        Assert.True(File.Exists(Path.Combine(folder.Path, "joint", "seed-0", "metrics.json")));
        var table = CggmAblation.Table("t6", runs);
        Assert.Equal(4, table.Rows.Count);
        Assert.Equal(["Acc (%)", "F1 (%)"], table.Columns.Select(c => c.Header));
    }

    [Fact]
    public void The_dynamics_table_averages_the_first_and_last_epoch_and_uses_the_applied_gradient()
    {
        var history = new TrainingHistory(["a", "b"]);
        StepRecord Step(int epoch, double norm, double? modulated, double cos) => new()
        {
            Epoch = epoch, GradNorm = [norm, norm * 2], GradNormModulated = modulated is { } m ? [m, m] : null, Cosine = [cos, -cos],
        };
        history.Steps.AddRange([Step(0, 1, 0.5, 0.1), Step(0, 3, 1.5, 0.3), Step(1, 5, 2.5, 0.5), Step(2, 7, 3.5, 0.7)]);
        Dictionary<string, double> Acc(double v) => new() { ["acc2"] = v };
        history.Epochs.AddRange([
            new EpochRecord { Epoch = 0, Valid = Acc(0.5), ValidPerModality = [Acc(0.6), Acc(0.4)] },
            new EpochRecord { Epoch = 2, Valid = Acc(0.8), ValidPerModality = [Acc(0.9), Acc(0.5)] },
        ]);
        var run = new ExperimentRun("cggm", 0, new TrainingResult
        {
            Method = "cggm", Seed = 0, History = history, BestEpoch = 0, Seconds = 0,
            Valid = new EvaluationResult(0, Acc(0), []), Test = new EvaluationResult(0, Acc(0), []),
        });
        var table = GradientAnalysis.Dynamics([run], ["a", "b"], "acc2");
        Assert.Equal(["cggm: a", "cggm: b", "cggm: fused"], table.Rows.Select(r => r.Method));
        Assert.Equal([0.6, 0.9, 1.0, 3.5, 0.2, 0.7], table.Rows[0].Values.Select(v => Math.Round(v!.Mean, 12)));
        Assert.Equal(-0.2, table.Rows[1].Values[4]!.Mean, 12);
        Assert.Equal([0.5, 0.8], table.Rows[2].Values.Take(2).Select(v => v!.Mean));
        Assert.All(table.Rows[2].Values.Skip(2), Assert.Null);

        var quick = GradientAnalysis.Budget(DatasetRegistry.Mosi, Profile.Quick)!;
        Assert.Equal((512, 8, 1), (quick.Train, quick.Epochs, quick.Seeds));
        Assert.Equal(DatasetRegistry.Mosi.Budget(Profile.Smoke), GradientAnalysis.Budget(DatasetRegistry.Mosi, Profile.Smoke));
    }
}
