using Cggm.Modulation;
using Cggm.Cli.Commands;
using Cggm.Experiments.Datasets;
using Spectre.Console.Cli;

namespace Cggm.Cli;

/// <summary>The <c>cggm</c> command tree.</summary>
public static class CliApp
{
    /// <summary>A configured command app (unknown options are errors; exceptions become one message and an exit code).</summary>
    public static CommandApp Create()
    {
        var app = new CommandApp();
        var (synthetic, mosi) = (DatasetRegistry.Synthetic.Name, DatasetRegistry.Mosi.Name);
        app.Configure(config =>
        {
            config.SetApplicationName("cggm");
            config.UseStrictParsing();
            config.AddCommand<QuickstartCommand>("quickstart")
                .WithDescription("Joint training vs CGGM on the built-in synthetic imbalance benchmark (3 seeds); prints a table and writes an HTML report.");
            config.AddCommand<TrainCommand>("train")
                .WithDescription("Train one method on a dataset for one or more seeds; runs go to <runs>/<dataset>/<method>/seed-<n>/.")
                .WithExample("train", "--dataset", synthetic, "--method", MethodNames.Cggm, "--seeds", "0,1,2");
            config.AddCommand<SweepCommand>("sweep")
                .WithDescription("Methods × hyperparameter grid × seeds as independent 'cggm train' runs: run them here (--parallel), or write a Slurm array (--emit slurm) or a Kubernetes Indexed Job (--emit kubernetes). Cells go to <runs>/cells/<cell>/; run it from the repository root, since relative paths are relative to the working directory.")
                .WithExample("sweep", "--methods", "joint,cggm", "--grid", "rho=1.1,1.3,1.5", "--seeds", "0-2", "--epochs", "5")
                .WithExample("sweep", "--dataset", mosi, "--methods", MethodNames.Cggm, "--grid", "lambda=0.05,0.1,0.2", "--seeds", "0-4", "--emit", "slurm", "--partition", "gpu");
            config.AddCommand<CollectCommand>("collect")
                .WithDescription("Aggregate the finished runs under a folder (a sweep's, or any --runs folder) into results tables, mean ± std over seeds.")
                .WithExample("collect", "runs/sweeps/synthetic");
            config.AddCommand<MethodsCommand>("methods").WithDescription("List the balancing methods.");
            config.AddCommand<CompareCommand>("compare")
                .WithDescription("Train every balancing method on the synthetic benchmark (3 seeds) and write the comparison table.")
                .WithExample("compare", "--seeds", "0,1,2", "--methods", "joint,ogm-ge,cggm");
            config.AddBranch("data", data =>
            {
                data.SetDescription($"Inspect and prepare datasets ({string.Join(", ", DatasetRegistry.Names)}).");
                data.AddCommand<DataInspectCommand>("inspect")
                    .WithDescription("Open a data folder through the real loader and print its splits, sample shapes and labels.")
                    .WithExample("data", "inspect", mosi, "--root", $"data/{mosi}", "--json");
                data.AddCommand<DataPrepareCommand>("prepare")
                    .WithDescription("Check a data folder (checksums), say what to download, run its conversion script (--run) or write sample data (--sample).")
                    .WithExample("data", "prepare", DatasetRegistry.Brats2021.Name, "--data-root", "/data")
                    .WithExample("data", "prepare", DatasetRegistry.AvDigits.Name, "--run");
            });
            config.AddCommand<CheckpointCommand>("checkpoint")
                .WithDescription("Move weights between the released PyTorch models (zrguo/CGGM) and the C# models by the name maps of docs/parity.md: " +
                                 "import a torch.save/.safetensors state dict, or export C# weights (module.save, a run's best.ckpt) for torch.load.")
                .WithExample("checkpoint", "import", "--model", "MSAModel", "mosi_model.pt", "mosi_model.weights")
                .WithExample("checkpoint", "export", "--model", "MSAModel", "runs/mosi/cggm/seed-0/best.ckpt", "mosi_model.pt");
            config.AddCommand<BenchCommand>("bench")
                .WithDescription("Median training-step time and peak memory of each method on the paper's models; CGGM/joint ratios.")
                .WithExample("bench", "--models", mosi, "--methods", "joint,cggm-reference", "--json");
            config.AddCommand<ReproduceCommand>("reproduce")
                .WithDescription("Run a notebook's experiment headless and write its tables (CSV, Markdown) and charts (HTML).")
                .WithExample("reproduce", "quickstart", "--profile", "smoke");
            config.SetExceptionHandler((exception, _) => CliErrors.Report(exception));
        });
        return app;
    }
}
