using System.Runtime.InteropServices;
using Cggm.Cli;
using Cggm.Training;
using Spectre.Console;

NativeAllocator.KeepFreedMemory();   // activations are reallocated every step: keep freed pages instead of faulting them in again

using var cancellation = new CancellationTokenSource();
void Stop(string why)
{
    AnsiConsole.MarkupLine($"[yellow]Stopping ({Markup.Escape(why)}); finished epochs are kept in each run folder's last.ckpt — run the same command again to resume.[/]");
    cancellation.Cancel();
}
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    Stop("Ctrl+C");
};
// SIGTERM (kill, a scheduler's time limit or scancel, a pod being stopped) stops the same way as Ctrl+C: the current step ends,
// the run folder's lock is released, and the last finished epoch's checkpoint is what a rerun or a requeued job resumes from.
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    Stop("SIGTERM");
});
CliErrors.Arguments = args;
return CliApp.Create().Run(args, cancellation.Token);
