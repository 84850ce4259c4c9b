using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Cggm.Experiments;
using Cggm.Training;

namespace Cggm.Notebooks.Display;

/// <summary>
/// A progress display for long runs in a notebook that updates in place: an overall bar and one line per run (method,
/// seed, epoch, loss, best validation metric). In a cell: <c>var progress = NotebookProgress.Show(v => display(v).Update);</c>
/// then pass <c>progress</c> to a recipe. Redraws at most every <see cref="Interval"/>, and at each epoch and run end.
/// </summary>
public sealed class NotebookProgress : HtmlView, IProgress<RecipeProgress>
{
    private readonly Action<object> _update;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<string, string> _runs = [];
    private readonly List<string> _order = [];
    private TimeSpan? _lastDraw;
    private double _fraction;

    private NotebookProgress(Action<object> update) => _update = update;

    /// <summary>Minimum time between redraws.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Shows the display through <paramref name="display"/> (the kernel's <c>display(v).Update</c>) and returns the progress.</summary>
    public static NotebookProgress Show(Func<object, Action<object>> display)
    {
        Action<object>? update = null;
        var progress = new NotebookProgress(v => update?.Invoke(v));
        update = display(progress);
        return progress;
    }

    /// <inheritdoc />
    public void Report(RecipeProgress value)
    {
        var t = value.Training;
        var key = $"{value.Method} · seed {value.Seed}";
        if (!_runs.ContainsKey(key)) _order.Add(key);
        var best = t.EpochSummary is { } e ? string.Join(", ", e.Valid.Take(2).Select(kv => $"{kv.Key} {kv.Value.ToString("F3", CultureInfo.InvariantCulture)}")) : null;
        _runs[key] = t.Stage == ProgressStage.Test
            ? "done"
            : $"epoch {t.Epoch + 1}/{t.Epochs}, step {t.Step}/{t.StepsPerEpoch}, loss {t.Loss.ToString("G4", CultureInfo.InvariantCulture)}" + (best is null ? "" : $"; valid {best}");
        _fraction = (value.RunIndex + t.Fraction) / Math.Max(1, value.RunCount);
        if (t.Stage != ProgressStage.Step || _lastDraw is null || _clock.Elapsed - _lastDraw >= Interval)
        {
            _lastDraw = _clock.Elapsed;
            _update(this);
        }
    }

    /// <inheritdoc />
    public override string ToHtml()
    {
        var sb = new StringBuilder("<div style=\"font-family:system-ui,sans-serif;font-size:13px\">");
        int pct = (int)Math.Round(_fraction * 100);
        sb.Append(CultureInfo.InvariantCulture, $"<div><progress value=\"{pct}\" max=\"100\" style=\"width:320px\"></progress> {pct}% · {_clock.Elapsed:mm\\:ss} elapsed</div>");
        foreach (var key in _order)
            sb.Append("<div>").Append(WebUtility.HtmlEncode(key)).Append(": ").Append(WebUtility.HtmlEncode(_runs[key])).Append("</div>");
        return sb.Append("</div>").ToString();
    }
}
