namespace Cggm.Bench;

/// <summary>
/// The released code could not be timed: the python interpreter, its packages, the checkout or the timing script is missing
/// or wrong, or the script's output is unreadable. The message names the file or value, what was expected and what to do.
/// </summary>
public sealed class ReleasedBenchException(string message, Exception? inner = null) : Exception(message, inner);
