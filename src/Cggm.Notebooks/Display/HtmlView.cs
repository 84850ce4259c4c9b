namespace Cggm.Notebooks.Display;

/// <summary>
/// An object that shows itself as HTML in a .NET Interactive notebook. The kernel finds the formatter through an attribute
/// named <c>TypeFormatterSourceAttribute</c> by convention, so this library needs no reference to .NET Interactive.
/// </summary>
[TypeFormatterSource(typeof(HtmlFormatterSource))]
public abstract class HtmlView
{
    /// <summary>The HTML shown in the notebook.</summary>
    public abstract string ToHtml();
}

/// <summary>The convention-based marker the .NET Interactive formatter looks for (matched by name).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    /// <summary>The type whose <c>CreateTypeFormatters()</c> yields the formatters.</summary>
    public Type FormatterSourceType { get; } = formatterSourceType;
}

/// <summary>Yields the text/html formatter of <see cref="HtmlView"/> (duck-typed: <c>MimeType</c> and <c>Format</c>).</summary>
internal sealed class HtmlFormatterSource
{
    public IEnumerable<object> CreateTypeFormatters()
    {
        yield return new HtmlFormatter();
    }

    private sealed class HtmlFormatter
    {
        public string MimeType => "text/html";

        public bool Format(object instance, TextWriter writer)
        {
            if (instance is not HtmlView view) return false;
            writer.Write(view.ToHtml());
            return true;
        }
    }
}
