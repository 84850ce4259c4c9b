using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

Cggm.Training.NativeAllocator.KeepFreedMemory();   // as the CLI runs

// In process: TorchSharp's native libraries are loaded once, from this project's build output.
var config = DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
BenchmarkSwitcher.FromAssembly(typeof(Cggm.Benchmarks.CggmStepBenchmarks).Assembly).Run(args, config);
