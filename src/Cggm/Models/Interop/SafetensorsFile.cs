using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Models.Interop;

/// <summary>
/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the raw little-endian data. Read and written here rather than through TorchSharp.PyBridge:
/// PyBridge 1.4.4 is built against TorchSharp 0.103, and a host with its own per-assembly loader (the notebook kernel's Roslyn
/// scripting) gives it a second copy of TorchSharp whose tensors are not this library's (<see cref="MissingMethodException"/>).
/// </summary>
internal static class SafetensorsFile
{
    private static readonly (string Name, ScalarType Type)[] DTypes =
    [
        ("F64", ScalarType.Float64), ("F32", ScalarType.Float32), ("F16", ScalarType.Float16), ("BF16", ScalarType.BFloat16),
        ("I64", ScalarType.Int64), ("I32", ScalarType.Int32), ("I16", ScalarType.Int16), ("I8", ScalarType.Int8),
        ("U8", ScalarType.Byte), ("BOOL", ScalarType.Bool),
    ];

    /// <summary>Every tensor of the file, in the header's order (CPU tensors the caller owns).</summary>
    /// <exception cref="InvalidDataException">The header or a byte range is malformed.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        long headerLength = BitConverter.ToInt64(prefix);
        if (headerLength <= 0 || headerLength > stream.Length - 8 || headerLength > int.MaxValue)
            throw new InvalidDataException($"its header length {headerLength} does not fit a file of {stream.Length} bytes");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        using var json = JsonDocument.Parse(header);
        long dataStart = 8 + headerLength, dataLength = stream.Length - dataStart;
        var tensors = new Dictionary<string, Tensor>();
        foreach (var entry in json.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__") continue;
            var dtypeName = entry.Value.GetProperty("dtype").GetString();
            var dtype = DTypes.Where(d => d.Name == dtypeName).Select(d => (ScalarType?)d.Type).FirstOrDefault()
                        ?? throw new InvalidDataException($"tensor '{entry.Name}' has dtype {dtypeName}, which this reader does not know");
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var tensor = torch.empty(shape, dtype);
            long bytes = tensor.numel() * tensor.ElementSize;
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] - offsets[0] != bytes || offsets[1] > dataLength)
                throw new InvalidDataException($"tensor '{entry.Name}' ({dtypeName} [{string.Join(", ", shape)}], {bytes} bytes) has the byte range [{string.Join(", ", offsets)}] in {dataLength} bytes of data");
            stream.Position = dataStart + offsets[0];
            stream.ReadExactly(tensor.bytes);
            tensors[entry.Name] = tensor;
        }
        return tensors;
    }

    /// <summary>Writes contiguous CPU tensors in the given order; the header is padded with spaces to a multiple of 8 bytes.</summary>
    public static void Write(Stream stream, IReadOnlyList<KeyValuePair<string, Tensor>> entries)
    {
        var header = new Dictionary<string, object>();
        long offset = 0;
        foreach (var (name, tensor) in entries)
        {
            var dtype = DTypes.FirstOrDefault(d => d.Type == tensor.dtype).Name
                        ?? throw new NotSupportedException($"Tensor '{name}' has dtype {tensor.dtype}, which safetensors cannot hold.");
            long bytes = tensor.numel() * tensor.ElementSize;
            header[name] = new { dtype, shape = tensor.shape, data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int padding = (8 - json.Length % 8) % 8;
        stream.Write(BitConverter.GetBytes((long)(json.Length + padding)));
        stream.Write(json);
        for (int i = 0; i < padding; i++) stream.WriteByte((byte)' ');
        foreach (var (_, tensor) in entries) stream.Write(tensor.bytes);
    }
}
