namespace Cggm.Modulation;

/// <summary>
/// The name of every balancing method: what <c>cggm train --method</c> takes, what run folders and tables are keyed by, and
/// what each method reports as its <see cref="Training.BalancingMethod.Name"/>. Said once, here.
/// </summary>
public static class MethodNames
{
    /// <summary>Joint training, the paper's Baseline.</summary>
    public const string Joint = "joint";

    /// <summary>Unimodal training (the run name adds the modality index: <c>unimodal-0</c>).</summary>
    public const string Unimodal = "unimodal";

    /// <summary>CGGM as the paper writes it.</summary>
    public const string Cggm = "cggm";

    /// <summary>CGGM as the released code runs it.</summary>
    public const string CggmReference = "cggm-reference";

    /// <summary>Modality random dropout.</summary>
    public const string Mrd = "mrd";

    /// <summary>Modality-specific learning rates.</summary>
    public const string Mslr = "mslr";

    /// <summary>Gradient-Blending.</summary>
    public const string GBlending = "g-blending";

    /// <summary>Greedy (conditional learning speed).</summary>
    public const string Greedy = "greedy";

    /// <summary>OGM-GE.</summary>
    public const string OgmGe = "ogm-ge";

    /// <summary>AGM.</summary>
    public const string Agm = "agm";

    /// <summary>PMR.</summary>
    public const string Pmr = "pmr";

    /// <summary>Uni-modal teacher.</summary>
    public const string Umt = "umt";

    /// <summary>Uni-modal ensemble.</summary>
    public const string Ume = "ume";

    /// <summary>QMF.</summary>
    public const string Qmf = "qmf";

    /// <summary>ReconBoost.</summary>
    public const string ReconBoost = "reconboost";

    /// <summary>MMPareto.</summary>
    public const string MmPareto = "mmpareto";

    /// <summary>MLA.</summary>
    public const string Mla = "mla";

    /// <summary>The run name of unimodal training on modality <paramref name="modality"/>.</summary>
    public static string UnimodalOn(int modality) => $"{Unimodal}-{modality}";
}
