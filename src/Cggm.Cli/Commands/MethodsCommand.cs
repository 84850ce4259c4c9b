using Cggm.Modulation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cggm.Cli.Commands;

/// <summary><c>cggm methods</c>: every balancing method by name.</summary>
internal sealed class MethodsCommand : Command
{
    public override int Execute(CommandContext context, CancellationToken cancellation)
    {
        var table = new Table().AddColumn("Method").AddColumn("What it does");
        foreach (var m in MethodRegistry.Methods) table.AddRow(Markup.Escape(m.Name), Markup.Escape(m.Description));
        AnsiConsole.Write(table);
        return 0;
    }
}
