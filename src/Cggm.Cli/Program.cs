using Cggm.Cli;
using Cggm.Training;
using Spectre.Console;

NativeAllocator.KeepFreedMemory();   // activations are reallocated every step: keep freed pages instead of faulting them in again

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    AnsiConsole.MarkupLine("[yellow]Stopping; finished epochs are kept in each run folder's last.ckpt — run the same command again to resume.[/]");
    cancellation.Cancel();
};
return CliApp.Create().Run(args, cancellation.Token);
