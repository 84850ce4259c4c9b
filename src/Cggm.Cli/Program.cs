using Cggm.Cli;
using Cggm.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("cggm");
    config.UseStrictParsing();
    config.AddCommand<QuickstartCommand>("quickstart")
        .WithDescription("Joint training vs CGGM on the built-in synthetic imbalance benchmark (3 seeds); prints a table and writes an HTML report.");
    config.AddCommand<TrainCommand>("train")
        .WithDescription("Train one method on a dataset for one or more seeds.")
        .WithExample("train", "--dataset", "synthetic", "--method", "cggm", "--seeds", "0,1,2");
    config.AddCommand<MethodsCommand>("methods").WithDescription("List the balancing methods.");
    config.AddCommand<CompareCommand>("compare")
        .WithDescription("Train every balancing method on the synthetic benchmark (3 seeds) and write the comparison table.")
        .WithExample("compare", "--seeds", "0,1,2", "--methods", "joint,ogm-ge,cggm");
    config.SetExceptionHandler((exception, _) => CliErrors.Report(exception));
});
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    AnsiConsole.MarkupLine("[yellow]Stopping after the current step; finished epochs are in the run folder's last.ckpt (rerun to resume).[/]");
    cancellation.Cancel();
};
return app.Run(args, cancellation.Token);
