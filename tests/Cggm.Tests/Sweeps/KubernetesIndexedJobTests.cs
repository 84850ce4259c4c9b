using YamlDotNet.RepresentationModel;

namespace Cggm.Tests.Sweeps;

public sealed class KubernetesIndexedJobTests : IDisposable
{
    private readonly SweepFolder _sweep = new();

    private YamlMappingNode Emit(params string[] extra)
    {
        Assert.Equal(0, SweepFolder.Cli(["sweep", "--methods", "cggm,ogm-ge", "--grid", "lambda=0.1,0.2", "--grid", "ogm-ge.alpha=0.1,0.5",
                                         "--seeds", "0,1", "--epochs", "1", "--runs", _sweep.Runs, "--emit", "kubernetes", .. extra]));
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(_sweep.Runs, "sweep.k8s.yaml"))));
        Assert.Single(yaml.Documents);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static YamlNode At(YamlNode node, params object[] path)
    {
        foreach (var step in path)
            node = step is int i ? ((YamlSequenceNode)node).Children[i] : ((YamlMappingNode)node).Children[new YamlScalarNode((string)step)];
        return node;
    }

    private static string Text(YamlNode node, params object[] path) => ((YamlScalarNode)At(node, path)).Value!;

    [Fact]
    public void The_manifest_is_an_indexed_job_with_one_completion_per_cell_and_each_index_runs_its_cell()
    {
        var job = Emit("--volume-claim", "cggm-data", "--image", "registry.example/cggm:1", "--memory", "8Gi", "--namespace", "research", "--name", "My Sweep!");
        var cells = _sweep.Manifest.Cells;
        Assert.Equal(2 * 2 + 2 * 2, cells.Count);                                // cggm × λ × seeds + ogm-ge × α × seeds
        Assert.Equal("batch/v1", Text(job, "apiVersion"));
        Assert.Equal("Job", Text(job, "kind"));
        Assert.Equal("cggm-my-sweep", Text(job, "metadata", "name"));
        Assert.Equal("research", Text(job, "metadata", "namespace"));
        Assert.Equal("Indexed", Text(job, "spec", "completionMode"));
        Assert.Equal(cells.Count.ToString(), Text(job, "spec", "completions"));
        Assert.Equal(cells.Count.ToString(), Text(job, "spec", "parallelism"));
        Assert.Equal("1", Text(job, "spec", "backoffLimitPerIndex"));
        var pod = At(job, "spec", "template", "spec");
        Assert.Equal("Never", Text(pod, "restartPolicy"));
        var container = At(pod, "containers", 0);
        Assert.Equal("registry.example/cggm:1", Text(container, "image"));
        Assert.Equal(["bash", "-c"], ((YamlSequenceNode)At(container, "command")).Children.Select(c => ((YamlScalarNode)c).Value));
        Assert.Equal("1", Text(container, "resources", "limits", "nvidia.com/gpu"));
        Assert.Equal("1", Text(container, "resources", "limits", "cpu"));
        Assert.Equal("8Gi", Text(container, "resources", "requests", "memory"));
        Assert.Equal("/workspace", Text(container, "workingDir"));
        Assert.Equal("/workspace", Text(container, "volumeMounts", 0, "mountPath"));
        Assert.Equal(Text(container, "volumeMounts", 0, "name"), Text(pod, "volumes", 0, "name"));
        Assert.Equal("cggm-data", Text(pod, "volumes", 0, "persistentVolumeClaim", "claimName"));

        var script = Text(container, "args", 0);
        foreach (var cell in cells)
        {
            var (code, args, error) = _sweep.RunScript(script, "JOB_COMPLETION_INDEX", cell.Index);
            Assert.True(code == 0, error);
            Assert.Equal(["train", .. cell.Arguments], args);
            args = args[1..];
            SweepFolder.AssertTrainAccepts(cell, args);
        }
        Assert.Equal(2, _sweep.RunScript(script, "JOB_COMPLETION_INDEX", cells.Count).Code);
    }

    [Fact]
    public void Parallelism_and_gpus_follow_the_options_and_a_claim_is_required()
    {
        var job = Emit("--volume-claim", "c", "--parallel", "2", "--gpus", "0");
        Assert.Equal("2", Text(job, "spec", "parallelism"));
        Assert.False(((YamlMappingNode)At(job, "spec", "template", "spec", "containers", 0, "resources", "limits")).Children.ContainsKey(new YamlScalarNode("nvidia.com/gpu")));
        Assert.Equal(2, SweepFolder.Cli("sweep", "--methods", "cggm", "--runs", _sweep.Runs + "-2", "--emit", "kubernetes"));
    }

    [Theory]
    [InlineData("synthetic", "cggm-synthetic")]
    [InlineData("--Weird__Name--", "cggm-weird-name")]
    [InlineData("a-very-long-sweep-name-that-goes-on-and-on-and-on", "cggm-a-very-long-sweep-name-that-goes-on")]
    public void Job_names_are_dns_labels_short_enough_for_pod_names(string name, string expected)
    {
        var job = Cggm.Cli.Sweeps.KubernetesIndexedJob.JobName(name);
        Assert.Equal(expected, job);
        Assert.Matches("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", job);
        Assert.True(job.Length <= 40);
    }

    public void Dispose() => _sweep.Dispose();
}
