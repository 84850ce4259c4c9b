using System.Text.Json;
using System.Text.Json.Nodes;
using Cggm.Training;
using Cggm.IO;

namespace Cggm.Modulation;

/// <summary>A balancing method selectable by name from the CLI and the recipes.</summary>
/// <param name="Name">The name (<c>cggm train --method NAME</c>).</param>
/// <param name="Description">One line for <c>cggm methods</c>.</param>
/// <param name="Create">Builds a fresh instance from the run's settings.</param>
public sealed record MethodInfo(string Name, string Description, Func<MethodSettings, BalancingMethod> Create);

/// <summary>
/// Settings a method factory may read (the per-dataset hyperparameters of the experiment configs): one options record per
/// method. <see cref="Set"/> changes one value by a dotted key, e.g. <c>ogmGe.alpha=0.5</c> or <c>mslr.multipliers=[1,3]</c>.
/// </summary>
public sealed record MethodSettings
{
    /// <summary>CGGM's hyperparameters (its <see cref="CggmOptions.Variant"/> is overridden by the method name).</summary>
    public CggmOptions Cggm { get; init; } = new();

    /// <summary>The modality index kept by unimodal training.</summary>
    public int Modality { get; init; }

    /// <summary>MRD (<see cref="ModalityDropout"/>).</summary>
    public ModalityDropoutOptions Mrd { get; init; } = new();

    /// <summary>MSLR (<see cref="ModalitySpecificLearningRates"/>).</summary>
    public MslrOptions Mslr { get; init; } = new();

    /// <summary>G-Blending (<see cref="GradientBlending"/>).</summary>
    public GradientBlendingOptions GBlending { get; init; } = new();

    /// <summary>Greedy (<see cref="Modulation.Greedy"/>).</summary>
    public GreedyOptions Greedy { get; init; } = new();

    /// <summary>OGM-GE (<see cref="Modulation.OgmGe"/>).</summary>
    public OgmGeOptions OgmGe { get; init; } = new();

    /// <summary>AGM (<see cref="Modulation.Agm"/>).</summary>
    public AgmOptions Agm { get; init; } = new();

    /// <summary>PMR (<see cref="Modulation.Pmr"/>).</summary>
    public PmrOptions Pmr { get; init; } = new();

    /// <summary>UMT (<see cref="UniModalTeacher"/>).</summary>
    public UniModalTeacherOptions Umt { get; init; } = new();

    /// <summary>QMF (<see cref="Modulation.Qmf"/>).</summary>
    public QmfOptions Qmf { get; init; } = new();

    /// <summary>ReconBoost (<see cref="Modulation.ReconBoost"/>).</summary>
    public ReconBoostOptions ReconBoost { get; init; } = new();

    /// <summary>MMPareto (<see cref="Modulation.MmPareto"/>).</summary>
    public MmParetoOptions MmPareto { get; init; } = new();

    /// <summary>MLA (<see cref="Modulation.Mla"/>).</summary>
    public MlaOptions Mla { get; init; } = new();

    /// <summary>
    /// A copy with one value changed: <paramref name="assignment"/> is <c>key=value</c>, the key a dotted path of property
    /// names (case and dashes ignored: <c>ogm-ge.alpha</c>, <c>OgmGe.Alpha</c>), the value JSON or a bare word
    /// (<c>0.5</c>, <c>true</c>, <c>[1,3]</c>, <c>null</c>, <c>Keep</c>).
    /// </summary>
    public MethodSettings Set(string assignment)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0) throw new FormatException($"'{assignment}' is not a setting; write key=value, e.g. ogm-ge.alpha=0.5.");
        string key = assignment[..eq].Trim(), text = assignment[(eq + 1)..].Trim();
        var root = JsonSerializer.SerializeToNode(this, Json.Options)!.AsObject();
        var node = root;
        var path = key.Split('.');
        for (int i = 0; i < path.Length; i++)
        {
            var name = node.Select(p => p.Key).FirstOrDefault(k => Normalize(k) == Normalize(path[i]))
                ?? throw new ArgumentException($"Unknown setting '{key}': '{path[i]}' is not one of {string.Join(", ", node.Select(p => p.Key))}.");
            if (i == path.Length - 1) { node[name] = Parse(text); break; }
            node = node[name] as JsonObject ?? throw new ArgumentException($"Setting '{key}': '{name}' is a value, not a group of settings.");
        }
        try
        {
            return root.Deserialize<MethodSettings>(Json.Options)!;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new ArgumentException($"Setting '{assignment}': '{text}' is not a valid value ({e.Message}).", e);
        }
    }

    /// <summary>Applies <see cref="Set"/> for each assignment in order.</summary>
    public MethodSettings SetAll(IEnumerable<string> assignments) => assignments.Aggregate(this, (s, a) => s.Set(a));

    private static string Normalize(string name) => name.Replace("-", "").Replace("_", "").ToLowerInvariant();

    private static JsonNode? Parse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }
}

/// <summary>Every balancing method by name. The trainer never sees names; only this registry does.</summary>
public static class MethodRegistry
{
    private static readonly MethodInfo[] All =
    [
        new(MethodNames.Joint, "Joint training (the paper's Baseline): no balancing.", _ => new JointTraining()),
        new(MethodNames.Unimodal, "Train and evaluate on one modality (--modality), the others zero-masked.", s => new UnimodalTraining(s.Modality)),
        new(MethodNames.Cggm, "CGGM as the paper writes it (Eq. 6–13): gradient cosines, ρ in B everywhere, guard on.",
            s => CggmMethod.Create(s.Cggm with { Variant = CggmVariant.Paper })),
        new(MethodNames.CggmReference, "CGGM as the released code runs it: weight cosines, one-step-lagged L_gm, ρ only on encoders, 1e-8 epsilon.",
            s => CggmMethod.Create(s.Cggm with { Variant = CggmVariant.Reference })),
        new(MethodNames.Mrd, "MRD, modality random dropout: each modality's features zeroed with probability p per sample in training.", s => new ModalityDropout(s.Mrd)),
        new(MethodNames.Mslr, "MSLR (Yao & Mihalcea, ACL Findings 2022): per-encoder learning rates, Keep/Smooth/Dynamic.", s => new ModalitySpecificLearningRates(s.Mslr)),
        new(MethodNames.GBlending, "Gradient-Blending (Wang et al., CVPR 2020): unimodal+fused losses weighted by measured ΔG/ΔO².", s => new GradientBlending(s.GBlending)),
        new(MethodNames.Greedy, "Greedy (Wu et al., ICML 2022): MMTM bypass, conditional learning speed, re-balancing steps.", s => new Greedy(s.Greedy)),
        new(MethodNames.OgmGe, "OGM-GE (Peng et al., CVPR 2022): slow the dominant encoder by 1 − tanh(αρ), plus Gaussian noise.", s => new OgmGe(s.OgmGe)),
        new(MethodNames.Agm, "AGM (Li et al., ICCV 2023): Shapley mono-modal responses, gradients scaled by exp(α(r̄ − r)).", s => new Agm(s.Agm)),
        new(MethodNames.Pmr, "PMR (Fan et al., CVPR 2023): prototype cross-entropy for the slow modality, entropy for the fast.", s => new Pmr(s.Pmr)),
        new(MethodNames.Umt, "UMT (Du et al., ICML 2023): distil pre-trained unimodal teachers' features into the encoders.", s => new UniModalTeacher(s.Umt)),
        new(MethodNames.Ume, "UME (Du et al., ICML 2023): ensemble of independently trained unimodal models.", _ => new UniModalEnsemble()),
        new(MethodNames.Qmf, "QMF (Zhang et al., ICML 2023): energy-confidence-weighted late fusion with a ranking loss.", s => new Qmf(s.Qmf)),
        new(MethodNames.ReconBoost, "ReconBoost (Hua et al., ICML 2024): alternating boosting of unimodal learners, global rectification.", s => new ReconBoost(s.ReconBoost)),
        new(MethodNames.MmPareto, "MMPareto (Wei & Hu, ICML 2024): Pareto integration of multimodal and unimodal encoder gradients.", s => new MmPareto(s.MmPareto)),
        new(MethodNames.Mla, "MLA (Zhang et al., CVPR 2024): alternating unimodal steps, OWM-projected shared head, entropy fusion.", s => new Mla(s.Mla)),
    ];

    /// <summary>Every registered method.</summary>
    public static IReadOnlyList<MethodInfo> Methods => All;

    /// <summary>The method called <paramref name="name"/>; an unknown name throws an error listing the known ones.</summary>
    public static MethodInfo Get(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown method '{name}'. Known methods: {string.Join(", ", All.Select(m => m.Name))} (see 'cggm methods').", nameof(name));

    /// <summary>Creates the method called <paramref name="name"/>.</summary>
    public static BalancingMethod Create(string name, MethodSettings? settings = null) => Get(name).Create(settings ?? new MethodSettings());
}
