using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Cggm.Cli.Sweeps;

/// <summary>Settings of a Kubernetes Indexed Job.</summary>
/// <param name="Name">Job name (made a DNS label: lowercase letters, digits and '-', at most 40 characters so pod names fit).</param>
/// <param name="Image">Container image with the .NET SDK (the kit itself is on the volume).</param>
/// <param name="VolumeClaim">The PersistentVolumeClaim holding the built repository, the data and the runs.</param>
/// <param name="MountPath">Where the claim is mounted; the repository root, and the pods' working directory.</param>
/// <param name="Namespace">Namespace (null: kubectl's current one).</param>
/// <param name="Gpus">NVIDIA GPUs per pod (<c>nvidia.com/gpu</c>; 0 asks for none).</param>
/// <param name="Memory">Memory request and limit per pod, e.g. 16Gi.</param>
/// <param name="Parallel">Pods at once (default: every cell; the cluster queues what does not fit).</param>
internal sealed record KubernetesOptions(string Name, string Image, string VolumeClaim, string MountPath, string? Namespace, int Gpus, string? Memory, int? Parallel);

/// <summary>
/// A Kubernetes Indexed Job (batch/v1, <c>completionMode: Indexed</c>): pod i runs cell i of the sweep
/// (<c>JOB_COMPLETION_INDEX</c>), <c>cggm train</c> from the repository root on a shared volume. A failed cell is retried
/// once without failing the others (<c>backoffLimitPerIndex</c>, Kubernetes 1.29 or later). Apply with
/// <c>kubectl apply -f</c>.
/// </summary>
internal static partial class KubernetesIndexedJob
{
    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex NotDns();

    /// <summary>The manifest's YAML text.</summary>
    public static string Write(SweepPlan plan, KubernetesOptions options)
    {
        if (plan.Cells.Count == 0) throw new ArgumentException("The sweep has no cells.");
        var name = JobName(options.Name);
        var parallel = Math.Min(options.Parallel ?? plan.Cells.Count, plan.Cells.Count);
        var sb = new StringBuilder();
        void Line(string text) => sb.Append(text).Append('\n');
        Line($"# cggm sweep on {plan.Dataset}: {plan.Cells.Count} runs, one 'cggm train' per index. Written by 'cggm sweep --emit kubernetes'.");
        Line($"# The claim '{options.VolumeClaim}' must hold the repository (built once with '{CellScript.BuildCommand(options.Gpus > 0)}'), its data and runs folders.");
        Line($"# Apply: kubectl apply -f {Path.Combine(plan.Runs, "sweep.k8s.yaml")}   Collect when done: ./cggm collect {plan.Runs}");
        Line("apiVersion: batch/v1");
        Line("kind: Job");
        Line("metadata:");
        Line($"  name: {name}");
        if (options.Namespace is not null) Line($"  namespace: {Scalar(options.Namespace)}");
        Line("  labels:");
        Line("    app.kubernetes.io/name: cggm-sweep");
        Line("spec:");
        Line("  completionMode: Indexed");
        Line($"  completions: {plan.Cells.Count.ToString(CultureInfo.InvariantCulture)}");
        Line($"  parallelism: {parallel.ToString(CultureInfo.InvariantCulture)}");
        Line("  backoffLimitPerIndex: 1");
        Line("  template:");
        Line("    metadata:");
        Line("      labels:");
        Line("        app.kubernetes.io/name: cggm-sweep");
        Line("    spec:");
        Line("      restartPolicy: Never");
        Line("      containers:");
        Line("        - name: train");
        Line($"          image: {Scalar(options.Image)}");
        Line($"          workingDir: {Scalar(options.MountPath)}");
        Line("          command: [\"bash\", \"-c\"]");
        Line("          args:");
        Line("            - |");
        foreach (var line in CellScript.Lines(plan, "JOB_COMPLETION_INDEX", options.Gpus > 0)) Line("              " + line);
        Line("          env:");
        Line("            - name: DOTNET_CLI_TELEMETRY_OPTOUT");
        Line("              value: \"1\"");
        Line("          resources:");
        var cpu = Scalar(plan.Threads.ToString(CultureInfo.InvariantCulture));
        Line("            requests:");
        Line($"              cpu: {cpu}");
        if (options.Memory is not null) Line($"              memory: {Scalar(options.Memory)}");
        Line("            limits:");
        Line($"              cpu: {cpu}");
        if (options.Memory is not null) Line($"              memory: {Scalar(options.Memory)}");
        if (options.Gpus > 0) Line($"              nvidia.com/gpu: {options.Gpus.ToString(CultureInfo.InvariantCulture)}");
        Line("          volumeMounts:");
        Line("            - name: workspace");
        Line($"              mountPath: {Scalar(options.MountPath)}");
        Line("      volumes:");
        Line("        - name: workspace");
        Line("          persistentVolumeClaim:");
        Line($"            claimName: {Scalar(options.VolumeClaim)}");
        return sb.ToString();
    }

    /// <summary>A valid Job name: "cggm-" + the name in lowercase letters, digits and '-', at most 40 characters.</summary>
    public static string JobName(string name)
    {
        var dns = NotDns().Replace(name.ToLowerInvariant(), "-").Trim('-');
        var full = ("cggm-" + dns).TrimEnd('-');
        return full.Length <= 40 ? full : full[..40].TrimEnd('-');
    }

    /// <summary>A YAML double-quoted scalar (a JSON string is one).</summary>
    private static string Scalar(string value) => JsonSerializer.Serialize(value);
}
