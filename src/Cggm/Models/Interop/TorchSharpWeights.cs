using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Models.Interop;

/// <summary>
/// The C# side of <c>cggm checkpoint</c>: weights in TorchSharp's own format (<c>module.save</c>), one state dict per module,
/// written one after another (a model: one; the classifiers: one per modality, as <c>ModalityClassifierSet.SaveWeights</c>
/// writes them). A run's <c>best.ckpt</c> starts with the model's, so it is read as a model file.
/// </summary>
public static class TorchSharpWeights
{
    /// <summary>Writes <paramref name="modules"/> one after another to <paramref name="path"/>.</summary>
    public static void Write(string path, IEnumerable<nn.Module> modules)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        using var writer = new BinaryWriter(File.Create(path));
        foreach (var m in modules) m.save(writer);
    }

    /// <summary>
    /// Reads the state dicts of <paramref name="path"/> (at most <paramref name="count"/>, else until the end of the file), with
    /// their C# names, on the CPU.
    /// </summary>
    public static List<Dictionary<string, Tensor>> Read(string path, int? count = null)
    {
        if (!File.Exists(path)) throw new CheckpointException(path, $"There is no file '{path}'.");
        var result = new List<Dictionary<string, Tensor>>();
        using var reader = new BinaryReader(File.OpenRead(path));
        try
        {
            while ((count is null || result.Count < count) && reader.BaseStream.Position < reader.BaseStream.Length)
            {
                long entries = reader.Read7BitEncodedInt64();
                if (entries < 0 || entries > 1_000_000) throw new InvalidDataException($"a state dict of {entries} entries");
                var dict = new Dictionary<string, Tensor>();
                for (long i = 0; i < entries; i++)
                {
                    var name = reader.ReadString();
                    dict[name] = TensorExtensionMethods.Load(reader);
                }
                result.Add(dict);
            }
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or IOException or ArgumentException or OverflowException)
        {
            throw new CheckpointException(path, $"'{path}' is not a TorchSharp weights file (module.save) after {result.Count} state dict(s): {e.Message}", e);
        }
        if (result.Count == 0) throw new CheckpointException(path, $"'{path}' holds no state dict.");
        return result;
    }
}
