using Cggm.Models;
using Cggm.Tasks;

namespace Cggm.Modulation;

/// <summary>The clear errors of a method used outside its domain (task kind, number of modalities).</summary>
internal static class MethodRequirements
{
    /// <summary>Throws when the run is not a classification task; <paramref name="reason"/> says which part of the rule needs class scores.</summary>
    public static void Classification(string method, LearningTask task, string reason)
    {
        if (task.Kind == "classification") return;
        throw new NotSupportedException(
            $"{method} is defined for classification only: {reason}. This run is a {task.Kind} task; choose a method that is " +
            "defined for it (see 'cggm methods' and docs/methods.md, which also says how the comparison table reports this cell).");
    }

    /// <summary>Throws when the model has fewer than <paramref name="minimum"/> modalities.</summary>
    public static void Modalities(string method, MultimodalModel model, int minimum = 2)
    {
        if (model.ModalityCount >= minimum) return;
        throw new ArgumentException($"{method} balances modalities against each other and needs at least {minimum}; {model.GetName()} has {model.ModalityCount}.");
    }

    /// <summary>Throws when <paramref name="value"/> fails <paramref name="ok"/>.</summary>
    public static void Option(bool ok, string name, object value, string expected)
    {
        if (!ok) throw new ArgumentOutOfRangeException(name, value, $"{name} = {value}: expected {expected}.");
    }
}
