using System.Text;
using System.Text.Json;

namespace Cggm.Data;

/// <summary>One UPMC Food-101 image–text pair.</summary>
/// <param name="Id">Sample id (file name).</param>
/// <param name="Label">Class index in <see cref="FoodIndex.Classes"/>.</param>
/// <param name="Text">The text the tokenizer receives.</param>
/// <param name="ImagePath">Absolute path of the image under the user's root.</param>
public sealed record FoodItem(string Id, int Label, string Text, string ImagePath)
{
    /// <summary>Where the sample list names this pair: the list file and its line, item or row (for messages).</summary>
    public SampleOrigin? Source { get; init; }
}

/// <summary>Which public layout a Food-101 folder uses.</summary>
public enum FoodLayout
{
    /// <summary>CGGM's <c>train.json</c>/<c>test.json</c> lists (<c>text_tokens</c>, <c>img_path</c>); text = ingredient tokens.</summary>
    CggmJson,

    /// <summary>MMBT/QMF <c>train.jsonl</c>, <c>dev.jsonl</c>, <c>test.jsonl</c> (<c>text</c>, <c>img</c>); text = page title.</summary>
    MmbtJsonl,

    /// <summary>Kaggle <c>texts/{train,test}_titles.csv</c> (<c>filename,text,label</c>, no header) + <c>images/</c>; text = page title.</summary>
    KaggleCsv,
}

/// <summary>
/// The sample lists of a UPMC Food-101 folder (Wang et al., ICME workshops 2015), in whichever of the three public
/// layouts it has (detected from the files present). Class index = position in CGGM's alphabetical
/// <c>CLASS_NAME</c> list. Absolute <c>img_path</c> values (CGGM's JSON holds the author's paths) are re-rooted: the
/// part from <c>images/</c> on is joined to the user's root. Splits: train and test; valid is <c>dev.jsonl</c> when the
/// layout has it, else none (see <see cref="ValidationSplit"/>).
/// </summary>
public sealed class FoodIndex
{
    /// <summary>CGGM's 101 class names (alphabetical; index = label).</summary>
    public static IReadOnlyList<string> Classes { get; } =
    [
        "apple_pie", "baby_back_ribs", "baklava", "beef_carpaccio", "beef_tartare", "beet_salad", "beignets", "bibimbap", "bread_pudding",
        "breakfast_burrito", "bruschetta", "caesar_salad", "cannoli", "caprese_salad", "carrot_cake", "ceviche", "cheese_plate", "cheesecake",
        "chicken_curry", "chicken_quesadilla", "chicken_wings", "chocolate_cake", "chocolate_mousse", "churros", "clam_chowder", "club_sandwich",
        "crab_cakes", "creme_brulee", "croque_madame", "cup_cakes", "deviled_eggs", "donuts", "dumplings", "edamame", "eggs_benedict", "escargots",
        "falafel", "filet_mignon", "fish_and_chips", "foie_gras", "french_fries", "french_onion_soup", "french_toast", "fried_calamari",
        "fried_rice", "frozen_yogurt", "garlic_bread", "gnocchi", "greek_salad", "grilled_cheese_sandwich", "grilled_salmon", "guacamole", "gyoza",
        "hamburger", "hot_and_sour_soup", "hot_dog", "huevos_rancheros", "hummus", "ice_cream", "lasagna", "lobster_bisque",
        "lobster_roll_sandwich", "macaroni_and_cheese", "macarons", "miso_soup", "mussels", "nachos", "omelette", "onion_rings", "oysters",
        "pad_thai", "paella", "pancakes", "panna_cotta", "peking_duck", "pho", "pizza", "pork_chop", "poutine", "prime_rib",
        "pulled_pork_sandwich", "ramen", "ravioli", "red_velvet_cake", "risotto", "samosa", "sashimi", "scallops", "seaweed_salad",
        "shrimp_and_grits", "spaghetti_bolognese", "spaghetti_carbonara", "spring_rolls", "steak", "strawberry_shortcake", "sushi", "tacos",
        "takoyaki", "tiramisu", "tuna_tartare", "waffles",
    ];

    private FoodIndex(string root, FoodLayout layout, IReadOnlyList<FoodItem> train, IReadOnlyList<FoodItem>? dev, IReadOnlyList<FoodItem> test)
    {
        Root = root;
        Layout = layout;
        Train = train;
        Dev = dev;
        Test = test;
    }

    /// <summary>The dataset folder.</summary>
    public string Root { get; }

    /// <summary>The detected layout.</summary>
    public FoodLayout Layout { get; }

    /// <summary>Training pairs, in file order.</summary>
    public IReadOnlyList<FoodItem> Train { get; }

    /// <summary>The layout's own validation pairs (MMBT/QMF <c>dev.jsonl</c>), or null.</summary>
    public IReadOnlyList<FoodItem>? Dev { get; }

    /// <summary>Test pairs.</summary>
    public IReadOnlyList<FoodItem> Test { get; }

    /// <summary>The layout present under <paramref name="root"/>, or null.</summary>
    public static FoodLayout? Detect(string root)
    {
        if (File.Exists(Path.Combine(root, "train.json")) && File.Exists(Path.Combine(root, "test.json"))) return FoodLayout.CggmJson;
        if (File.Exists(Path.Combine(root, "train.jsonl")) && File.Exists(Path.Combine(root, "test.jsonl"))) return FoodLayout.MmbtJsonl;
        if (File.Exists(Path.Combine(root, "texts", "train_titles.csv")) && File.Exists(Path.Combine(root, "texts", "test_titles.csv"))) return FoodLayout.KaggleCsv;
        return null;
    }

    /// <summary>Reads the lists under <paramref name="root"/>.</summary>
    public static FoodIndex Load(string root) => DatasetFileException.Guard(DataScripts.Food101, () =>
    {
        var layout = Detect(root) ?? throw new DatasetFileException(DataProblem.Missing, root,
            Directory.Exists(root) ? "no Food-101 sample lists" : "no such folder",
            "train.json + test.json (CGGM), train.jsonl + test.jsonl (MMBT/QMF) or texts/train_titles.csv + texts/test_titles.csv (Kaggle), next to images/");
        return layout switch
        {
            FoodLayout.CggmJson => new FoodIndex(root, layout, ReadJson(root, "train.json"), null, ReadJson(root, "test.json")),
            FoodLayout.MmbtJsonl => new FoodIndex(root, layout, ReadJsonl(root, "train.jsonl"),
                File.Exists(Path.Combine(root, "dev.jsonl")) ? ReadJsonl(root, "dev.jsonl") : null, ReadJsonl(root, "test.jsonl")),
            _ => new FoodIndex(root, layout, ReadCsv(root, "train"), null, ReadCsv(root, "test")),
        };
    });

    /// <summary>Where an <c>img_path</c> of the list points under the user's root: the path itself if it exists, else
    /// its part from <c>images/</c> on joined to <paramref name="root"/> (CGGM's JSON stores the author's absolute paths).</summary>
    public static string ResolveImage(string root, string imagePath)
    {
        var joined = Path.Combine(root, imagePath);
        if (File.Exists(joined)) return Path.GetFullPath(joined);
        var normal = imagePath.Replace('\\', '/');
        int at = normal.StartsWith("images/", StringComparison.Ordinal) ? 0 : normal.LastIndexOf("/images/", StringComparison.Ordinal) is >= 0 and var k ? k + 1 : -1;
        return Path.GetFullPath(at >= 0 ? Path.Combine(root, normal[at..]) : joined);
    }

    private static int ClassIndex(string name, string path, string where)
    {
        for (int i = 0; i < Classes.Count; i++) if (Classes[i] == name) return i;
        throw new DatasetFileException(DataProblem.WrongKey, path, $"{where} has label '{name}'", "one of CGGM's 101 class names (apple_pie … waffles)");
    }

    private static List<FoodItem> ReadJson(string root, string file)
    {
        var path = Path.Combine(root, file);
        var items = new List<FoodItem>();
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllBytes(path)); }
        catch (JsonException e) { throw new DatasetFileException(DataProblem.Corrupt, path, $"invalid JSON ({e.Message})", "a JSON list of {id, label, text_tokens, img_path}", inner: e); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new DatasetFileException(DataProblem.Corrupt, path, $"the top level is a {doc.RootElement.ValueKind}", "a JSON list of {id, label, text_tokens, img_path}");
            int n = 0;
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                var where = $"item {n++}";
                string Field(string key) => e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()!
                    : throw new DatasetFileException(DataProblem.WrongKey, path, $"{where} has no string '{key}'", "id, label, text_tokens and img_path in every item");
                if (!e.TryGetProperty("text_tokens", out var tokens) || tokens.ValueKind != JsonValueKind.Array)
                    throw new DatasetFileException(DataProblem.WrongKey, path, $"{where} has no 'text_tokens' list", "id, label, text_tokens and img_path in every item");
                var text = string.Join(' ', tokens.EnumerateArray().Select(t => t.GetString()));
                items.Add(new FoodItem(Field("id"), ClassIndex(Field("label"), path, where), text, ResolveImage(root, Field("img_path"))) { Source = new(path, where, Field("id")) });
            }
        }
        return items;
    }

    private static List<FoodItem> ReadJsonl(string root, string file)
    {
        var path = Path.Combine(root, file);
        var items = new List<FoodItem>();
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                using var doc = JsonDocument.Parse(text);
                var e = doc.RootElement;
                string Field(string key) => e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()!
                    : throw new DatasetFileException(DataProblem.WrongKey, path, $"line {line} has no string '{key}'", "id, label, text and img on every line");
                items.Add(new FoodItem(Field("id"), ClassIndex(Field("label"), path, $"line {line}"), Field("text"), ResolveImage(root, Field("img"))) { Source = new(path, $"line {line}", Field("id")) });
            }
            catch (JsonException ex) { throw new DatasetFileException(DataProblem.Corrupt, path, $"line {line} is not JSON ({ex.Message})", "one JSON object per line", inner: ex); }
        }
        return items;
    }

    private static List<FoodItem> ReadCsv(string root, string split)
    {
        var path = Path.Combine(root, "texts", $"{split}_titles.csv");
        var items = new List<FoodItem>();
        int row = 0;
        foreach (var fields in Csv(File.ReadAllText(path, Encoding.UTF8)))
        {
            row++;
            if (fields.Count == 1 && fields[0].Length == 0) continue;
            if (fields.Count != 3) throw new DatasetFileException(DataProblem.WrongShape, path, $"row {row} has {fields.Count} fields", "three fields: filename,text,label");
            if (row == 1 && fields[0] == "filename" && fields[2] == "label") continue;   // some copies add a header
            var label = ClassIndex(fields[2], path, $"row {row}");
            items.Add(new FoodItem(fields[0], label, fields[1], Path.GetFullPath(Path.Combine(root, "images", split, fields[2], fields[0]))) { Source = new(path, $"row {row}", fields[0]) });
        }
        return items;
    }

    /// <summary>RFC 4180 rows: quoted fields may hold commas, newlines and doubled quotes.</summary>
    internal static IEnumerable<List<string>> Csv(string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                fields.Add(field.ToString()); field.Clear();
                yield return fields;
                fields = [];
            }
            else field.Append(c);
        }
        if (field.Length > 0 || fields.Count > 0) { fields.Add(field.ToString()); yield return fields; }
    }
}

/// <summary>
/// The validation split carved from train. The released CGGM code validates on the test set (<c>dataloader.py</c> builds
/// 'valid' from <c>test.json</c>), which selects models on test data; here a fixed-seed random subset of train is held
/// out instead: <see cref="Count"/> samples, 5,000 by default as in MMBT/QMF's <c>dev.jsonl</c>, at most a tenth of train.
/// </summary>
public static class ValidationSplit
{
    /// <summary>The default size: MMBT/QMF's dev split has 5,000 pairs.</summary>
    public const int DefaultCount = 5000;

    /// <summary>Number of validation samples for a training set of <paramref name="trainCount"/>.</summary>
    public static int Count(int trainCount, int requested = DefaultCount) => Math.Min(requested, trainCount / 10);

    /// <summary>Sorted training and validation indices into the original train list (seeded Fisher–Yates).</summary>
    public static (int[] Train, int[] Valid) Carve(int trainCount, int seed, int requested = DefaultCount)
    {
        var order = Enumerable.Range(0, trainCount).ToArray();
        new Random(seed).Shuffle(order);
        int valid = Count(trainCount, requested);
        return (order[valid..].Order().ToArray(), order[..valid].Order().ToArray());
    }
}
