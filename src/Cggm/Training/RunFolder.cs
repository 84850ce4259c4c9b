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
/// previous version): <c>config.json</c> (everything the run was asked to do), <c>last.ckpt</c> (after every epoch: the
/// history so far, the run state and whatever the trainer writes — model, optimizer, schedule, method, probes, generator),
/// <c>best.ckpt</c> (the best epoch's weights), and at the end <c>history.csv</c>, <c>epochs.csv</c> and <c>metrics.json</c>.
/// </summary>
internal sealed class RunFolder(string directory)
{
    private const string CheckpointMagic = "CGGM-CHECKPOINT/1";

    private sealed record CheckpointHeader(int EpochsDone, int GlobalStep, int BestEpoch, double BestScore, TrainingHistory History);

    /// <summary>The folder (absolute).</summary>
    public string Directory { get; } = Path.GetFullPath(directory);

    private string ConfigPath => Path.Combine(Directory, "config.json");

    private string LastPath => Path.Combine(Directory, "last.ckpt");

    /// <summary>
    /// Writes <paramref name="config"/> as the run's <c>config.json</c>. With <paramref name="resume"/> and a <c>last.ckpt</c> from
    /// the same config, reads it back: the trainer's own state through <paramref name="readState"/>, and the history and run
    /// state returned; otherwise returns null (a fresh start). A checkpoint of a different config is refused.
    /// </summary>
    public (TrainingHistory History, RunState State)? Open(string config, bool resume, Action<BinaryReader> readState)
    {
        (TrainingHistory, RunState)? resumed = null;
        if (resume && File.Exists(LastPath))
        {
            if (File.Exists(ConfigPath) && File.ReadAllText(ConfigPath) != config)
                throw new InvalidOperationException($"{ConfigPath} describes a different run than the one asked for (other settings, or written by another version of this kit); resume only with the same settings, or use another run folder, or delete this one (the CLI's --fresh does).");
            resumed = ReadCheckpoint(readState);
        }
        AtomicFile.WriteAllText(ConfigPath, config);
        return resumed;
    }

    /// <summary>Writes the best epoch's weights to <c>best.ckpt</c>.</summary>
    public void WriteBest(byte[] weights) => AtomicFile.Write(Path.Combine(Directory, "best.ckpt"), s => s.Write(weights));

    /// <summary>Writes <c>last.ckpt</c>: the header (history and run state), the trainer's state, then the best weights.</summary>
    public void WriteCheckpoint(TrainingHistory history, RunState state, Action<BinaryWriter> writeState) =>
        AtomicFile.Write(LastPath, stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            w.Write(CheckpointMagic);
            w.Write(Json.Serialize(new CheckpointHeader(state.EpochsDone, state.GlobalStep, state.BestEpoch, state.BestScore, history)));
            writeState(w);
            w.Write(state.BestWeights!.Length);
            w.Write(state.BestWeights);
        });

    private (TrainingHistory, RunState) ReadCheckpoint(Action<BinaryReader> readState)
    {
        try
        {
            using var r = new BinaryReader(File.OpenRead(LastPath), Encoding.UTF8);
            if (r.ReadString() != CheckpointMagic) throw new InvalidDataException($"{LastPath} is not a CGGM checkpoint.");
            var header = Json.Deserialize<CheckpointHeader>(r.ReadString(), LastPath);
            readState(r);
            var best = r.ReadBytes(r.ReadInt32());
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
}
