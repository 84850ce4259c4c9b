using TorchSharp;

namespace Cggm.Training;

/// <summary>One-call seeding of every random source a run uses: torch's CPU and CUDA generators (weight init, dropout, noise).
/// Data order is derived from (seed, epoch) by <see cref="Data.BatchOrder"/>, so it needs no global state.</summary>
public static class Seeding
{
    /// <summary>Seeds torch's generators with <paramref name="seed"/>.</summary>
    public static void Everything(int seed)
    {
        torch.manual_seed(seed);
        if (torch.cuda.is_available()) torch.cuda.manual_seed_all(seed);
    }
}
