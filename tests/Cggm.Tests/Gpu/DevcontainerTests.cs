using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cggm.Cli.Commands;
using Cggm.Experiments;
using Cggm.IO;

namespace Cggm.Tests.Gpu;

/// <summary>
/// The dev container files cannot be built here (no container engine; the CUDA packages are not served), so these tests
/// check what can be checked without building: the JSON, the pinned image, and the post-create script.
/// </summary>
public sealed class DevcontainerTests
{
    private static string Repo(params string[] parts) => Path.Combine([RepositoryPaths.Root, .. parts]);

    private static JsonElement Config(string flavour) =>
        JsonDocument.Parse(File.ReadAllText(Repo(".devcontainer", flavour, "devcontainer.json")),
                           new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }).RootElement;

    [Theory]
    [InlineData("gpu", "cuda")]
    [InlineData("cpu", "cpu")]
    public void Each_configuration_builds_its_backend_registers_the_kernel_and_installs_the_notebook_extensions(string flavour, string backend)
    {
        var config = Config(flavour);
        Assert.Equal("../Dockerfile", config.GetProperty("build").GetProperty("dockerfile").GetString());
        var env = config.GetProperty("containerEnv");
        Assert.Equal(backend, env.GetProperty("TorchBackend").GetString());
        Assert.Equal("${containerWorkspaceFolder}/.tools/jupyter", env.GetProperty("JUPYTER_PATH").GetString());
        Assert.Contains(".tools/jupyter/kernels/.net-csharp/kernel.json", File.ReadAllText(Repo("src", "Cggm.Notebooks", "NotebookKernel.targets")).Replace("$(CggmRepoRoot)/", ""));
        var extensions = config.GetProperty("customizations").GetProperty("vscode").GetProperty("extensions").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Contains("ms-dotnettools.dotnet-interactive-vscode", extensions);   // Polyglot Notebooks
        Assert.Contains("ms-toolsai.jupyter", extensions);
        Assert.Contains("ms-dotnettools.csdevkit", extensions);
        Assert.Equal("bash .devcontainer/post-create.sh", config.GetProperty("postCreateCommand").GetString());
        if (flavour == "gpu")
        {
            Assert.Equal("optional", config.GetProperty("hostRequirements").GetProperty("gpu").GetString());
            Assert.False(config.TryGetProperty("runArgs", out var runArgs) && runArgs.ToString().Contains("--gpus"));   // would fail on hosts without a GPU
        }
        else Assert.False(config.TryGetProperty("hostRequirements", out _));
    }

    [Fact]
    public void The_image_is_the_sdk_of_global_json_on_ubuntu_24_04_and_cluster_jobs_default_to_it()
    {
        var sdk = JsonDocument.Parse(File.ReadAllText(Repo("global.json"))).RootElement.GetProperty("sdk").GetProperty("version").GetString();
        var from = Regex.Match(File.ReadAllText(Repo(".devcontainer", "Dockerfile")), @"^FROM (\S+)\s*$", RegexOptions.Multiline).Groups[1].Value;
        Assert.Equal($"mcr.microsoft.com/dotnet/sdk:{sdk}-noble", from);
        Assert.Equal(SweepCommand.DefaultImage, from);
    }

    [Fact]
    public void The_post_create_script_is_valid_bash_and_builds_with_the_configured_backend()
    {
        var script = Repo(".devcontainer", "post-create.sh");
        var text = File.ReadAllText(script);
        Assert.Contains("dotnet build Cggm.Notebooks.sln -c Release -p:TorchBackend=\"$backend\"", text);
        Assert.Contains("backend=\"${TorchBackend:-cpu}\"", text);
        Assert.Contains("dotnet tool restore", text);
        using var bash = Process.Start(new ProcessStartInfo("bash", ["-n", script]) { RedirectStandardError = true })!;
        var error = bash.StandardError.ReadToEnd();
        bash.WaitForExit();
        Assert.True(bash.ExitCode == 0, error);
    }
}
