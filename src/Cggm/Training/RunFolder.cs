using System.Text;
using Cggm.IO;

namespace Cggm.Training;

/// <summary>Where a run stands: epochs done, steps taken, and the best epoch so far with its weights.</summary>
internal sealed class RunState
{
    public int EpochsDone;
    public int GlobalStep;
    public int BestEpoch = -1;
    public double BestScore = double.NaN;
    public byte[]? BestWeights;
}

/// <summary>
/// The files of one run, each written atomically (a temporary file renamed into place, so an interrupted write leaves the
/// previous version): <c>config.json</c> (everything the run was asked to do); <c>last.ckpt</c> after every epoch (the history
/// so far, the run state and the trainer's state: model, optimizer, schedule, method, probes, generator); <c>best.ckpt</c>, the
/// best epoch's weights; and at the end <c>history.csv</c>, <c>epochs.csv</c> and <c>metrics.json</c>.
/// <para>While a run trains, it holds an exclusive lock on the folder's <c>.lock</c> file (<c>flock</c>, released by the
/// kernel when the process ends, also after a crash or <c>kill -9</c>), so a second run into the same folder is refused.</para>
/// <para>An epoch that improves the best writes <c>best.next-&lt;epoch&gt;.ckpt</c>; <c>last.ckpt</c> is written next and only then
/// is the new best renamed to <c>best.ckpt</c>, so <c>best.ckpt</c> always holds the best epoch that <c>last.ckpt</c> names and
/// <c>last.ckpt</c> needs no copy of the best weights (a BraTS <c>last.ckpt</c> held one: 0.96 of its 2.9 GB). Checkpoints of the
/// earlier format (<c>CGGM-CHECKPOINT/1</c>, best weights inside) still resume.</para>
/// </summary>
internal sealed class RunFolder(string directory) : IDisposable
{
    private const string CheckpointMagic = "CGGM-CHECKPOINT/2";
    private const string EmbeddedBestMagic = "CGGM-CHECKPOINT/1";
    private FileStream? _lock;

    private sealed record CheckpointHeader(int EpochsDone, int GlobalStep, int BestEpoch, double BestScore, TrainingHistory History);

    /// <summary>The folder (absolute).</summary>
    public string Directory { get; } = Path.GetFullPath(directory);

    private string ConfigPath => Path.Combine(Directory, "config.json");

    private string LastPath => Path.Combine(Directory, "last.ckpt");

    private string BestPath => Path.Combine(Directory, "best.ckpt");

    private string NextBestPath(int epoch) => Path.Combine(Directory, $"best.next-{epoch}.ckpt");

    private string OwnerPath => Path.Combine(Directory, ".lock.owner");

    /// <summary>Takes the folder's exclusive lock; a folder another process trains into is refused with a <see cref="RunFolderException"/>.</summary>
    public void Lock()
    {
        System.IO.Directory.CreateDirectory(Directory);
        try
        {
            _lock = new FileStream(Path.Combine(Directory, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            var owner = File.Exists(OwnerPath) ? $" ({File.ReadAllText(OwnerPath).Trim()})" : "";
            throw new RunFolderException($"{Directory} is in use: another training process holds its lock{owner}. Two runs writing one folder would leave files " +
                                         "that disagree with each other. Wait for that run to finish (a resubmitted run then resumes from its last.ckpt), or train into another folder.", e);
        }
        AtomicFile.WriteAllText(OwnerPath, $"process {Environment.ProcessId} on {Environment.MachineName}, since {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC");
    }

    /// <summary>
    /// Writes <paramref name="config"/> as the run's <c>config.json</c>. With <paramref name="resume"/> and a <c>last.ckpt</c> from
    /// the same config, reads it back: the trainer's own state through <paramref name="readState"/>, and the history and run
    /// state returned; otherwise returns null (a fresh start). A checkpoint of a different config is refused, naming the
    /// settings that differ.
    /// </summary>
    public (TrainingHistory History, RunState State)? Open(string config, bool resume, Action<BinaryReader> readState)
    {
        (TrainingHistory, RunState)? resumed = null;
        if (resume && File.Exists(LastPath))
        {
            if (File.Exists(ConfigPath) && File.ReadAllText(ConfigPath) is var old && old != config)
            {
                var differences = Json.Differences(old, config);
                throw new RunFolderException($"{Directory} holds a different run than the one asked for; its config.json differs in " +
                    (differences.Count == 0 ? "formatting (written by another version of this kit)" : string.Join("; ", differences.Take(8)) + (differences.Count > 8 ? $"; and {differences.Count - 8} more" : "")) +
                    ". Resume it with the same settings, train into another folder, or start it over (the CLI's --fresh deletes it).");
            }
            resumed = ReadCheckpoint(readState);
        }
        foreach (var stale in System.IO.Directory.EnumerateFiles(Directory, "best.next-*.ckpt")) File.Delete(stale);
        AtomicFile.WriteAllText(ConfigPath, config);
        return resumed;
    }

    /// <summary>Stages the weights of <paramref name="epoch"/>, a new best; they become <c>best.ckpt</c> once that epoch's <c>last.ckpt</c> is written.</summary>
    public void StageBest(int epoch, byte[] weights) => AtomicFile.Write(NextBestPath(epoch), s => s.Write(weights));

    /// <summary>Writes <c>last.ckpt</c> (the header with history and run state, then the trainer's state), then promotes a staged best.</summary>
    public void WriteCheckpoint(TrainingHistory history, RunState state, Action<BinaryWriter> writeState)
    {
        AtomicFile.Write(LastPath, stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            w.Write(CheckpointMagic);
            w.Write(Json.Serialize(new CheckpointHeader(state.EpochsDone, state.GlobalStep, state.BestEpoch, state.BestScore, history)));
            writeState(w);
        });
        PromoteBest(state.BestEpoch);
    }

    private void PromoteBest(int bestEpoch)
    {
        if (File.Exists(NextBestPath(bestEpoch))) File.Move(NextBestPath(bestEpoch), BestPath, overwrite: true);
    }

    private (TrainingHistory, RunState) ReadCheckpoint(Action<BinaryReader> readState)
    {
        try
        {
            using var r = new BinaryReader(File.OpenRead(LastPath), Encoding.UTF8);
            var magic = r.ReadString();
            if (magic != CheckpointMagic && magic != EmbeddedBestMagic) throw new InvalidDataException($"{LastPath} is not a CGGM checkpoint.");
            var header = Json.Deserialize<CheckpointHeader>(r.ReadString(), LastPath);
            readState(r);
            byte[] best;
            if (magic == EmbeddedBestMagic) best = r.ReadBytes(r.ReadInt32());
            else
            {
                PromoteBest(header.BestEpoch);   // the crash came between last.ckpt and the rename
                if (!File.Exists(BestPath)) throw new InvalidDataException($"{BestPath}, the weights of best epoch {header.BestEpoch} that last.ckpt names, is missing.");
                best = File.ReadAllBytes(BestPath);
            }
            return (header.History, new RunState
            {
                EpochsDone = header.EpochsDone, GlobalStep = header.GlobalStep, BestEpoch = header.BestEpoch,
                BestScore = header.BestScore, BestWeights = best,
            });
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or InvalidOperationException or System.Runtime.InteropServices.ExternalException)
        {
            throw new InvalidDataException($"Cannot resume from {LastPath}: the checkpoint is truncated, corrupt or from a different model ({e.Message}). Delete it to start over.", e);
        }
    }

    /// <summary>Writes the finished run's <c>history.csv</c>, <c>epochs.csv</c> and <c>metrics.json</c>.</summary>
    public void WriteResults(TrainingResult result)
    {
        AtomicFile.WriteAllText(Path.Combine(Directory, "history.csv"), result.History.StepsCsv());
        AtomicFile.WriteAllText(Path.Combine(Directory, "epochs.csv"), result.History.EpochsCsv());
        AtomicFile.WriteAllText(Path.Combine(Directory, "metrics.json"), Json.Serialize(new
        {
            method = result.Method, seed = result.Seed, bestEpoch = result.BestEpoch, seconds = result.Seconds,
            modalities = result.History.Modalities, valid = result.Valid, test = result.Test,
        }));
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose()
    {
        if (_lock is null) return;
        try { File.Delete(OwnerPath); } catch (IOException) { }
        _lock.Dispose();
        _lock = null;
    }
}

/// <summary>Run folders as a command sees them.</summary>
public static class RunFolders
{
    /// <summary>
    /// Deletes the run folder <paramref name="directory"/> (the CLI's <c>--fresh</c>) unless a training process holds its lock:
    /// a folder in use is a <see cref="RunFolderException"/>, so a second command never deletes a running run's files.
    /// </summary>
    public static void Delete(string directory)
    {
        if (!Directory.Exists(directory)) return;
        using (var folder = new RunFolder(directory)) folder.Lock();
        Directory.Delete(directory, recursive: true);
    }
}
