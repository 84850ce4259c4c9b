using System.Collections;
using System.Collections.Specialized;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Cggm.Models.Interop;

/// <summary>
/// A PyTorch state dict on disk: <c>torch.save(model.state_dict())</c> files (<c>.pt</c>, <c>.pth</c>, <c>.bin</c>: the zip
/// format of PyTorch ≥ 1.6, read and written with TorchSharp.PyBridge) and safetensors files (<c>.safetensors</c>,
/// <see cref="SafetensorsFile"/>).
/// Names and tensors are kept exactly as in the file (released names, released shapes); <see cref="ReleasedNameMap"/>
/// translates them to a C# model's. Tensors live on the CPU and belong to the caller.
/// </summary>
public static class PyTorchStateDict
{
    /// <summary>True when <paramref name="path"/> names a safetensors file (by extension); anything else is read as a torch.save zip.</summary>
    public static bool IsSafetensors(string path) => string.Equals(Path.GetExtension(path), ".safetensors", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads every tensor of <paramref name="path"/>, in the file's order.</summary>
    /// <exception cref="CheckpointException">The file is missing or is not a state dict that can be read.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException(path, $"There is no file '{path}'.");
        try
        {
            using var scope = NewDisposeScope();
            Dictionary<string, Tensor> read;
            if (IsSafetensors(path))
            {
                read = SafetensorsFile.Read(path);
            }
            else
            {
                using var stream = File.OpenRead(path);
                var table = PyTorchUnpickler.UnpickleStateDict(stream, false, false);
                read = [];
                foreach (DictionaryEntry e in table)
                    read[(string)e.Key] = e.Value as Tensor ?? throw new CheckpointException(path, $"Entry '{e.Key}' is a {e.Value?.GetType().Name ?? "null"}, not a tensor; save the model with torch.save(model.state_dict(), path).");
            }
            return read.ToDictionary(kv => kv.Key, kv => kv.Value.DetachFromDisposeScope());
        }
        catch (CheckpointException) { throw; }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or KeyNotFoundException or NotImplementedException or InvalidCastException or IOException or ArgumentException or Razorvine.Pickle.PickleException or InvalidOperationException)
        {
            throw new CheckpointException(path, $"'{path}' is not a PyTorch state dict that can be read ({e.Message.Split('\n')[0]}). " +
                                                "Expected torch.save(model.state_dict(), path) (PyTorch ≥ 1.6 zip format) or a .safetensors file.", e);
        }
    }

    /// <summary>Writes <paramref name="entries"/> (in order) to <paramref name="path"/>: safetensors for <c>.safetensors</c>, else the torch.save zip format.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> entries)
    {
        var list = entries.Select(kv => new KeyValuePair<string, Tensor>(kv.Key, kv.Value.detach().cpu().contiguous())).ToList();
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        var temporary = path + ".partial";
        using (var stream = File.Create(temporary))
        {
            if (IsSafetensors(path))
            {
                SafetensorsFile.Write(stream, list);
            }
            else
            {
                var ordered = new OrderedDictionary();   // torch.load keeps the pickled order
                foreach (var (k, v) in list) ordered[k] = v;
                PyTorchPickler.PickleStateDict(stream, ordered, true);
            }
        }
        File.Move(temporary, path, overwrite: true);
    }
}

/// <summary>A checkpoint file that cannot be read, or whose tensors do not fit the model: the message names the file and the tensor.</summary>
public sealed class CheckpointException : Exception
{
    /// <summary>An error about <paramref name="path"/>.</summary>
    public CheckpointException(string path, string message, Exception? inner = null) : base(message, inner) => Path = path;

    /// <summary>The file.</summary>
    public string Path { get; }
}
