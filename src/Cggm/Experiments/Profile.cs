namespace Cggm.Experiments;

/// <summary>How big an experiment runs.</summary>
public enum Profile
{
    /// <summary>Seconds: tiny data and few steps, for CI and notebook tests. Numbers mean nothing.</summary>
    Smoke,

    /// <summary>Minutes on a 2-core CPU: reduced epochs/seeds, enough to see the effect.</summary>
    Quick,

    /// <summary>The paper's settings (a GPU is expected for the real datasets).</summary>
    Paper,
}

/// <summary>Reads the profile a notebook or command should use.</summary>
public static class Profiles
{
    /// <summary>Environment variable that selects the profile ("smoke", "quick", "paper"); the notebook tests set it to "smoke".</summary>
    public const string Variable = "CGGM_PROFILE";

    /// <summary>The profile named by <see cref="Variable"/>, else <paramref name="fallback"/>.</summary>
    public static Profile FromEnvironment(Profile fallback = Profile.Quick) =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } text ? Parse(text) : fallback;

    /// <summary>Parses "smoke", "quick" or "paper" (any case).</summary>
    public static Profile Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "smoke" => Profile.Smoke,
        "quick" => Profile.Quick,
        "paper" => Profile.Paper,
        _ => throw new ArgumentException($"Unknown profile '{text}': expected smoke, quick or paper.", nameof(text)),
    };
}
