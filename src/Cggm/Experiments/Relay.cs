namespace Cggm.Experiments;

/// <summary>An <see cref="IProgress{T}"/> that calls <paramref name="report"/> on the reporting thread (no synchronization context).</summary>
internal sealed class Relay<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
