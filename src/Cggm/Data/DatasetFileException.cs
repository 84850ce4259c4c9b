namespace Cggm.Data;

/// <summary>What was wrong with a dataset file.</summary>
public enum DataProblem
{
    /// <summary>The file or folder does not exist.</summary>
    Missing,

    /// <summary>A key, group, dataset or column the loader needs is absent.</summary>
    WrongKey,

    /// <summary>An array has the wrong rank or size.</summary>
    WrongShape,

    /// <summary>An array has a data type the loader cannot use.</summary>
    WrongDtype,

    /// <summary>The file ends before the data it announces.</summary>
    Truncated,

    /// <summary>The file is not in the expected format or is damaged.</summary>
    Corrupt,
}

/// <summary>
/// A dataset file that cannot be used: names the file (and key), what was found, what was expected and the
/// <c>data-scripts/</c> script or command that produces a correct file.
/// </summary>
public sealed class DatasetFileException : IOException
{
    /// <summary>Creates the error.</summary>
    /// <param name="problem">The kind of problem.</param>
    /// <param name="path">The file or folder.</param>
    /// <param name="detail">What is wrong, including the key when there is one.</param>
    /// <param name="expected">What the loader expects.</param>
    /// <param name="fix">The data-script or command that makes a correct file, or null when not known yet.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public DatasetFileException(DataProblem problem, string path, string detail, string expected, string? fix = null, Exception? inner = null)
        : base(Compose(problem, path, detail, expected, fix), inner)
    {
        Problem = problem;
        FilePath = path;
        Detail = detail;
        Expected = expected;
        Fix = fix;
    }

    /// <summary>The kind of problem.</summary>
    public DataProblem Problem { get; }

    /// <summary>The file or folder.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong.</summary>
    public string Detail { get; }

    /// <summary>What was expected.</summary>
    public string Expected { get; }

    /// <summary>The data-script or command that fixes it.</summary>
    public string? Fix { get; }

    /// <summary>The same error with <paramref name="fix"/> as the remedy (kept if one is already set).</summary>
    public DatasetFileException WithFix(string fix) =>
        Fix is not null ? this : new DatasetFileException(Problem, FilePath, Detail, Expected, fix, InnerException);

    /// <summary>Runs <paramref name="read"/> and adds <paramref name="fix"/> to any <see cref="DatasetFileException"/> it throws.</summary>
    public static T Guard<T>(string fix, Func<T> read)
    {
        try { return read(); }
        catch (DatasetFileException e) when (e.Fix is null) { throw e.WithFix(fix); }
    }

    private static string Compose(DataProblem problem, string path, string detail, string expected, string? fix)
    {
        var what = problem switch
        {
            DataProblem.Missing => "missing",
            DataProblem.WrongKey => "missing key",
            DataProblem.WrongShape => "wrong shape",
            DataProblem.WrongDtype => "wrong data type",
            DataProblem.Truncated => "truncated",
            _ => "unreadable",
        };
        var text = $"{path}: {what}: {detail}. Expected {expected}.";
        return fix is null ? text : $"{text} Fix: {fix}.";
    }
}
