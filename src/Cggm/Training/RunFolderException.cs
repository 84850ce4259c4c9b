namespace Cggm.Training;

/// <summary>
/// A run folder that cannot be used as asked: another process is training into it, or it holds a different run than the one
/// asked for. The message names the folder, the cause and what to do.
/// </summary>
public sealed class RunFolderException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
