using System.ComponentModel;
using Cggm.Cli.Options;
using Cggm.Cli.Sweeps;
using Cggm.Experiments.Sweeps;
using Cggm.Training;
using Spectre.Console;
using Spectre.Console.Cli;
using Cggm.IO;

namespace Cggm.Cli.Commands;

/// <summary>
/// <c>cggm sweep</c>: methods × hyperparameter grid × seeds as independent <c>cggm train</c> runs, each in its own folder
/// under the sweep folder. Runs them here (a parallelism limit, one torch thread each by default), or writes a Slurm
/// job-array script or a Kubernetes Indexed Job manifest that runs the same command lines on a cluster.
/// </summary>
internal sealed class SweepCommand : Command<SweepCommand.Settings>
{
    public sealed class Settings : DatasetRunSettings
    {
        [CommandOption("--methods <METHODS>")]
        [Description("Comma-separated methods (see 'cggm methods').")]
        [DefaultValue("joint,cggm")]
        public string Methods { get; init; } = "joint,cggm";

        [CommandOption("--grid <KEY=VALUES>")]
        [Description("An axis, e.g. --grid rho=1.1,1.3,1.5 --grid lambda=0.1,0.2 (repeatable). Keys: epochs, rho (a number or none), lambda, modality, or a method setting such as ogm-ge.alpha. A method only varies along the axes it reads.")]
        public string[] Grid { get; init; } = [];

        [CommandOption("--parallel <N>")]
        [Description("Here: runs at once (default: cores ÷ --threads on the CPU, 1 when runs use CUDA). Slurm: the array's %N throttle. Kubernetes: the Job's parallelism (default: all).")]
        public int? Parallel { get; init; }

        [CommandOption("--emit <KIND>")]
        [Description("slurm or kubernetes: write <runs>/sweep.sbatch or <runs>/sweep.k8s.yaml instead of running here.")]
        public string? Emit { get; init; }

        [CommandOption("--dry-run")]
        [Description("List the cells and their 'cggm train' command lines; run and write nothing.")]
        public bool DryRun { get; init; }

        [CommandOption("--name <NAME>")]
        [Description("Cluster job name (default: the sweep folder's name).")]
        public string? Name { get; init; }

        [CommandOption("--gpus <N>")]
        [Description("Cluster jobs: GPUs per run (default: 0 with --device cpu, else 1; 0 asks for none and names the CPU build).")]
        public int? Gpus { get; init; }

        [CommandOption("--memory <SIZE>")]
        [Description("Cluster jobs: memory per run, e.g. 16G (Slurm) or 16Gi (Kubernetes); default: none asked for, so the cluster's default applies.")]
        public string? Memory { get; init; }

        [CommandOption("--partition <NAME>")]
        [Description("Slurm partition.")]
        public string? Partition { get; init; }

        [CommandOption("--time <LIMIT>")]
        [Description("Slurm time limit per run, e.g. 04:00:00.")]
        public string? Time { get; init; }

        [CommandOption("--workdir <DIR>")]
        [Description("Slurm: the repository root on the cluster (default: the current directory).")]
        public string? Workdir { get; init; }

        [CommandOption("--image <IMAGE>")]
        [Description("Kubernetes: container image with the .NET SDK (default: the devcontainer's base image).")]
        [DefaultValue(DefaultImage)]
        public string Image { get; init; } = DefaultImage;

        [CommandOption("--volume-claim <PVC>")]
        [Description("Kubernetes: PersistentVolumeClaim holding the built repository, data and runs (required for --emit kubernetes).")]
        public string? VolumeClaim { get; init; }

        [CommandOption("--mount-path <DIR>")]
        [Description("Kubernetes: where the claim is mounted; the repository root in the pods.")]
        [DefaultValue("/workspace")]
        public string MountPath { get; init; } = "/workspace";

        [CommandOption("--namespace <NS>")]
        [Description("Kubernetes namespace.")]
        public string? Namespace { get; init; }

        /// <summary>True when --device asks for the CPU.</summary>
        public bool OnCpu => Device?.Trim().Equals("cpu", StringComparison.OrdinalIgnoreCase) == true;

        public override ValidationResult Validate() =>
            base.Validate() is { Successful: false } failed ? failed
            : Parallel is < 1 ? ValidationResult.Error("--parallel must be at least 1.")
            : Gpus < 0 ? ValidationResult.Error("--gpus must be 0 or more.")
            : Gpus > 0 && OnCpu ? ValidationResult.Error($"--device {Device} and --gpus {Gpus} contradict each other: runs on the CPU need no GPU. Drop --gpus, or use --device cuda.")
            : Emit is not null && Emit.ToLowerInvariant() is not ("slurm" or "kubernetes" or "k8s") ? ValidationResult.Error($"--emit '{Emit}': expected slurm or kubernetes.")
            : Emit?.ToLowerInvariant() is "kubernetes" or "k8s" && string.IsNullOrWhiteSpace(VolumeClaim)
                ? ValidationResult.Error("--emit kubernetes needs --volume-claim: the PersistentVolumeClaim that holds the built repository, the data and the runs.")
            : ValidationResult.Success();
    }

    /// <summary>GPUs per cluster job: --gpus, else none for --device cpu, else one.</summary>
    private static int JobGpus(Settings s) => s.Gpus ?? (s.OnCpu ? 0 : 1);

    /// <summary>The GPU devcontainer's base image (.devcontainer/Dockerfile), the .NET SDK of global.json on Ubuntu 24.04.</summary>
    public const string DefaultImage = "mcr.microsoft.com/dotnet/sdk:10.0.401-noble";

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var plan = Plan(settings);
        if (settings.DryRun)
        {
            foreach (var cell in plan.Cells)
                Console.WriteLine($"{cell.Index,4}  {cell.Description}\n      cggm train {ShellWords.Join(plan.Arguments(cell))}");
            return 0;
        }
        if (settings.Fresh && Directory.Exists(plan.Runs)) Directory.Delete(plan.Runs, recursive: true);
        var existing = SweepPlan.Load(plan.Runs);
        if (existing is not null && existing.Compatibility != plan.Compatibility)
            throw new ArgumentException($"{plan.ManifestPath} was written for other settings ({existing.Dataset}: {string.Join(" ", existing.Fixed)}); " +
                                        "a sweep folder only grows by cells (more methods, axis values or seeds). Use another --runs, or --fresh to start over.");
        Directory.CreateDirectory(plan.Runs);
        plan.Save();

        var emit = settings.Emit?.ToLowerInvariant();
        var name = settings.Name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(plan.Runs)));
        if (emit == "slurm")
        {
            Directory.CreateDirectory(Path.Combine(plan.Runs, "logs"));   // sbatch does not create the --output folder
            var path = Path.Combine(plan.Runs, "sweep.sbatch");
            var gpus = JobGpus(settings);
            AtomicFile.WriteAllText(path, SlurmArrayScript.Write(plan, new SlurmOptions(name, settings.Workdir ?? Environment.CurrentDirectory,
                gpus, settings.Partition, settings.Time, settings.Memory, settings.Parallel)));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
            AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(path)}[/]: a Slurm array of {plan.Cells.Count} runs{(gpus == 0 ? " on CPUs (no GPU asked for)" : $", {gpus} GPU(s) each")}. Build once on the cluster " +
                                   $"([grey]{CellScript.BuildCommand(gpus > 0)}[/]), then [bold]sbatch {Markup.Escape(path)}[/]; afterwards [bold]./cggm collect {Markup.Escape(plan.Runs)}[/]. " +
                                   "A task stopped by its time limit is requeued and resumes from its last finished epoch.");
            return 0;
        }
        if (emit is "kubernetes" or "k8s")
        {
            var path = Path.Combine(plan.Runs, "sweep.k8s.yaml");
            AtomicFile.WriteAllText(path, KubernetesIndexedJob.Write(plan, new KubernetesOptions(name, settings.Image, settings.VolumeClaim!,
                settings.MountPath, settings.Namespace, JobGpus(settings), settings.Memory, settings.Parallel)));
            AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(path)}[/]: an Indexed Job of {plan.Cells.Count} runs ({Markup.Escape(KubernetesIndexedJob.JobName(name))}). " +
                                   $"Put the built repository on the claim, then [bold]kubectl apply -f {Markup.Escape(path)}[/]; afterwards [bold]./cggm collect {Markup.Escape(plan.Runs)}[/].");
            return 0;
        }

        if (settings.Device is not null) Devices.Decide(settings.Device);   // runs here: an unavailable device fails once, not in every cell
        var parallel = settings.Parallel ?? DefaultParallel(settings);
        var outcome = LocalSweep.Run(plan, parallel, cancellation);
        bool collected = CollectCommand.Report(plan.Runs, null);
        return outcome.Failed.Count > 0 ? 1 : collected ? 0 : 2;
    }

    /// <summary>Runs at once by default: one per core ÷ threads on the CPU; one when the runs use CUDA (one GPU's memory).</summary>
    private static int DefaultParallel(Settings s)
    {
        bool onCuda = s.Device?.Trim().ToLowerInvariant() is { } d ? d.StartsWith("cuda", StringComparison.Ordinal) : Devices.CudaAvailable;
        return onCuda ? 1 : Math.Max(1, Environment.ProcessorCount / RunThreads(s));
    }

    /// <summary>Torch threads of each run: --threads, else 1.</summary>
    private static int RunThreads(Settings s) => s.Threads ?? 1;

    private static SweepPlan Plan(Settings s)
    {
        var dataset = s.Dataset;
        var target = s.TargetFor(dataset);
        var axes = s.Grid.Select(SweepAxis.Parse).ToList();
        if (s.Epochs is { } epochs)
        {
            if (axes.Any(a => a.Key == "epochs")) throw new ArgumentException("--epochs and --grid epochs=… contradict each other; keep one.");
            axes.Add(new SweepAxis("epochs", [epochs.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
        }
        var cells = SweepGrid.Expand(Parsing.Names(s.Methods, "--methods"), axes, Parsing.Seeds(s.Seeds));
        new Modulation.MethodSettings().SetAll(s.Set);   // a bad fixed setting fails here, not in every run
        var fixedArgs = new List<string>();
        if (target is not null) fixedArgs.AddRange(["--target", target]);
        if (s.DataRoot is not null) fixedArgs.AddRange(["--data-root", s.DataRoot]);
        if (s.Device is not null) fixedArgs.AddRange(["--device", s.Device]);
        foreach (var set in s.Set) fixedArgs.AddRange(["--set", set]);
        foreach (var axis in axes.Where(a => a.Values.Count == 1)) fixedArgs.AddRange(SweepPlan.AxisArguments(axis.Key, axis.Values[0]));
        return new SweepPlan(dataset.Name, s.Runs ?? Path.Combine("runs", "sweeps", dataset.Name), RunThreads(s), fixedArgs, axes, cells);
    }
}
