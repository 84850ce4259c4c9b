using System.Runtime.CompilerServices;
using Cggm.Training;

namespace Cggm;

/// <summary>Runs once when the library is loaded, before any of its code.</summary>
internal static class LibraryInitializer
{
    /// <summary>Caps oneDNN's instruction set where its AVX-512, AVX2 and AVX convolutions were unreliable (<see cref="OneDnnIsa"/>).</summary>
#pragma warning disable CA2255 // a library initializer on purpose: the cap must precede the first convolution of any caller
    [ModuleInitializer]
    internal static void Initialize() => OneDnnIsa.Apply();
#pragma warning restore CA2255
}
