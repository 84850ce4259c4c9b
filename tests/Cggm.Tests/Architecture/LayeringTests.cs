using System.Reflection;
using System.Reflection.Emit;
using Cggm.Training;

namespace Cggm.Tests.Architecture;

/// <summary>
/// The library's namespaces are layers that only point down (docs/architecture.md): a type may use types of its own layer
/// or of a lower one, never of a higher one. Checked on the compiled library — base types, interfaces, fields, properties,
/// method signatures and every type, method and field a method body refers to — so no spelling of a reference escapes it.
/// </summary>
public class LayeringTests
{
    /// <summary>The layers, lowest first (the second part of the namespace: Cggm.&lt;layer&gt;[.…]).</summary>
    public static readonly string[] Layers = ["IO", "Metrics", "Tasks", "Data", "Models", "Training", "Modulation", "Analysis", "Experiments", "Bench"];

    [Fact]
    public void No_namespace_uses_a_higher_one()
    {
        var library = typeof(Trainer).Assembly;
        var violations = new SortedSet<string>();
        foreach (var type in library.GetTypes())
        {
            int own = Rank(type);
            if (own < 0) continue;
            foreach (var used in References(type))
            {
                if (used.Assembly != library) continue;
                int rank = Rank(used);
                if (rank > own) violations.Add($"{Outer(type).FullName} ({Layers[own]}) uses {Outer(used).FullName} ({Layers[rank]})");
            }
        }
        Assert.True(violations.Count == 0, "Layers must only point down (docs/architecture.md):\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Every_library_namespace_is_a_known_layer()
    {
        var unknown = typeof(Trainer).Assembly.GetTypes().Select(t => t.Namespace).Where(n => n is not null && n != "Cggm" && n.StartsWith("Cggm.", StringComparison.Ordinal))
            .Select(n => n!.Split('.')[1]).Where(l => !Layers.Contains(l)).Distinct().ToArray();
        Assert.True(unknown.Length == 0, $"Namespaces outside the layer list (add them to docs/architecture.md and Layers): {string.Join(", ", unknown)}");
    }

    [Fact]
    public void The_check_sees_a_reference_in_a_method_body()
    {
        // Trainer (Training) constructs a ModalityProbes (Training) in Fit's body: found; and nothing of Bench is seen from Trainer.
        var used = References(typeof(Trainer)).ToArray();
        Assert.Contains(typeof(ModalityProbes), used);
        Assert.DoesNotContain(used, t => t.Namespace == "Cggm.Bench");
    }

    private static Type Outer(Type t)
    {
        while (t.DeclaringType is not null) t = t.DeclaringType;
        return t;
    }

    private static int Rank(Type t)
    {
        var ns = Outer(t).Namespace;
        if (ns is null || !ns.StartsWith("Cggm.", StringComparison.Ordinal)) return -1;
        return Array.IndexOf(Layers, ns.Split('.')[1]);
    }

    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Every type <paramref name="type"/> names in its declaration or its method bodies (generic arguments unfolded).</summary>
    private static IEnumerable<Type> References(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null || t.IsGenericParameter || !found.Add(t)) return;
            if (t.HasElementType) Add(t.GetElementType());
            if (t.IsGenericType) foreach (var a in t.GetGenericArguments()) Add(a);
        }
        Add(type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(i);
        foreach (var f in type.GetFields(All)) Add(f.FieldType);
        foreach (var p in type.GetProperties(All)) Add(p.PropertyType);
        foreach (var m in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (m is MethodInfo mi) Add(mi.ReturnType);
            foreach (var p in m.GetParameters()) Add(p.ParameterType);
            foreach (var t in BodyReferences(m)) Add(t);
        }
        foreach (var nested in type.GetNestedTypes(All)) foreach (var t in References(nested)) Add(t);
        return found;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The types of the members and types a method body's instructions refer to.</summary>
    private static IEnumerable<Type> BodyReferences(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        foreach (var local in method.GetMethodBody()!.LocalVariables) yield return local.LocalType;
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int pos = 0; pos < il.Length;)
        {
            short value = il[pos] == 0xFE ? (short)(0xFE00 | il[pos + 1]) : il[pos];
            var op = OpCodesByValue[value];
            pos += op.Size;
            int operand = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, pos),
                _ => 4,
            };
            if (op.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                MemberInfo? member = null;
                try { member = method.Module.ResolveMember(BitConverter.ToInt32(il, pos), typeArgs, methodArgs); }
                catch (ArgumentException) { }
                switch (member)
                {
                    case Type t: yield return t; break;
                    case FieldInfo f: yield return f.DeclaringType!; yield return f.FieldType; break;
                    case MethodBase m:
                        yield return m.DeclaringType!;
                        if (m.IsGenericMethod) foreach (var a in m.GetGenericArguments()) yield return a;
                        break;
                }
            }
            pos += operand;
        }
    }
}
