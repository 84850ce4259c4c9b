using Cggm.Data;
using Cggm.Data.Text;
using static TorchSharp.torch;

namespace Cggm.Tests.Data;

/// <summary>UPMC Food-101: layout detection, BERT WordPiece, raw pairs and precomputed features.</summary>
public sealed class Food101Tests
{
    [Fact]
    public void WordPiece_reproduces_bert_base_uncased_ids_with_cggm_padding_and_truncation()
    {
        var bert = BertWordPiece.Uncased;
        Assert.Equal(new[] { 7592, 2088 }, bert.Pieces("Hello world"));
        Assert.Equal(new[] { 19204, 3989 }, bert.Pieces("Tokenization"));
        var (ids, mask, types) = bert.Encode("Hello WORLD", 8);
        Assert.Equal(new long[] { 101, 7592, 2088, 102, 0, 0, 0, 0 }, ids);
        Assert.Equal(new long[] { 1, 1, 1, 1, 0, 0, 0, 0 }, mask);
        Assert.All(types, t => Assert.Equal(0, t));
        var (longIds, longMask, _) = bert.Encode(string.Join(' ', Enumerable.Repeat("hello", 60)));
        Assert.Equal(50, longIds.Length);
        Assert.Equal(102, longIds[49]);                  // 48 pieces + [CLS] + [SEP]
        Assert.All(longIds[1..49], id => Assert.Equal(7592, id));
        Assert.All(longMask, m => Assert.Equal(1, m));
    }

    [Theory]
    [InlineData("json", FoodLayout.CggmJson)]
    [InlineData("jsonl", FoodLayout.MmbtJsonl)]
    [InlineData("kaggle", FoodLayout.KaggleCsv)]
    public void Index_detects_each_public_layout_and_re_roots_images(string folder, FoodLayout layout)
    {
        var root = Fixture.Path_("food101", folder);
        var index = FoodIndex.Load(root);
        Assert.Equal(layout, index.Layout);
        Assert.All(index.Train.Concat(index.Test), item => Assert.True(File.Exists(item.ImagePath), item.ImagePath));
        Assert.All(index.Train, item => Assert.StartsWith(Path.GetFullPath(root), item.ImagePath));
        var apple = index.Train.First(i => i.Id.StartsWith("apple_pie_1"));
        Assert.Equal(0, apple.Label);
        Assert.Equal(100, index.Train.First(i => i.Id.StartsWith("waffles")).Label);
        Assert.Equal(95, index.Test.First(i => i.Id.StartsWith("sushi")).Label);
        switch (layout)
        {
            case FoodLayout.CggmJson:
                Assert.Equal("delicious apple pie ingredients flour apples sugar", apple.Text);
                Assert.Null(index.Dev);
                Assert.Equal(4, index.Train.Count);
                break;
            case FoodLayout.MmbtJsonl:
                Assert.Equal("best apple pie ever", apple.Text);
                Assert.Single(index.Dev!);
                break;
            default:
                Assert.Equal("Best Apple Pie Ever", apple.Text);
                Assert.Equal(2, index.Test.Count);
                break;
        }
    }

    [Fact]
    public void Csv_reader_handles_quotes_commas_and_a_header()
    {
        var rows = FoodIndex.Csv("filename,text,label\r\na.jpg,\"Pie, with \"\"love\"\"\",apple_pie\nb.jpg,plain,waffles").ToArray();
        Assert.Equal(3, rows.Length);
        Assert.Equal(new[] { "a.jpg", "Pie, with \"love\"", "apple_pie" }, rows[1]);
        Assert.Equal(new[] { "b.jpg", "plain", "waffles" }, rows[2]);
    }

    [Fact]
    public void Index_errors_name_the_file_and_the_problem()
    {
        using var dir = new Fixture.TempDir();
        var missing = Assert.Throws<DatasetFileException>(() => FoodIndex.Load(dir.Path));
        Assert.Equal(DataProblem.Missing, missing.Problem);
        Assert.Contains("cggm data prepare food101", missing.Message);
        File.WriteAllText(Path.Combine(dir.Path, "train.jsonl"), "{\"id\": \"x.jpg\", \"label\": \"pizza_pie\", \"text\": \"t\", \"img\": \"images/train/x.jpg\"}\n");
        File.WriteAllText(Path.Combine(dir.Path, "test.jsonl"), "{\"id\": \"y.jpg\", \"label\": \"pizza\"}\n");
        var label = Assert.Throws<DatasetFileException>(() => FoodIndex.Load(dir.Path));
        Assert.Equal(DataProblem.WrongKey, label.Problem);
        Assert.Contains("pizza_pie", label.Message);
        Assert.Contains("train.jsonl", label.Message);
    }

    [Fact]
    public void Validation_carve_is_seeded_disjoint_and_a_tenth_at_most()
    {
        var (train, valid) = ValidationSplit.Carve(100, seed: 0);
        Assert.Equal(10, valid.Length);
        Assert.Equal(90, train.Length);
        Assert.Empty(train.Intersect(valid));
        Assert.Equal(valid, ValidationSplit.Carve(100, seed: 0).Valid);
        Assert.NotEqual(valid, ValidationSplit.Carve(100, seed: 1).Valid);
        Assert.Equal(5000, ValidationSplit.Count(70000));
    }

    [Fact]
    public void Raw_pairs_decode_images_by_content_and_tokenize_texts()
    {
        var food = Food101Raw.Open(Fixture.Path_("food101", "jsonl"), new Food101Options { ImageSize = 16, TextLength = 8 });
        Assert.Equal(new[] { "image", "text" }, food.Modalities.Select(m => m.Name));
        Assert.Equal(3, food[Split.Train].Count);
        Assert.Equal(1, food[Split.Valid].Count);   // dev.jsonl
        using var batch = food[Split.Train].Load([0, 1], CPU);
        Assert.Equal(new long[] { 2, 3, 16, 16 }, batch.Modalities[0].shape);
        Assert.Equal(ScalarType.Int64, batch.Modalities[1].dtype);
        Assert.Equal(new long[] { 2, 3, 8 }, batch.Modalities[1].shape);
        Assert.Equal(101L, batch.Modalities[1][0, 0, 0].item<long>());
        var pixels = batch.Modalities[0].data<float>().ToArray();
        Assert.All(pixels, p => Assert.InRange(p, 0f, 1f));
        Assert.Equal(0L, batch.Target[0].item<long>());
        var e = Assert.Throws<DatasetFileException>(() => Food101Raw.DecodeImage(Fixture.Path_("food101", "json", "train.json"), 8));
        Assert.Equal(DataProblem.Corrupt, e.Problem);
    }

    [Fact]
    public void Features_read_fp16_token_features_and_carve_validation_from_train()
    {
        using var food = Food101Features.Open(Fixture.Path_("food101"), new Food101Options { ValidCount = 5000 });
        var expected = Fixture.Expected("food101", "features_expected.json");
        Assert.True(food.CarvedValidation);
        Assert.Equal(new long[] { 5, 3 }, food.Modalities[0].Shape);
        Assert.Equal(new long[] { 4, 3 }, food.Modalities[1].Shape);
        Assert.Equal(11, food[Split.Train].Count);   // 12 train rows: the carve takes min(5000, 12 / 10) = 1
        Assert.Equal(1, food[Split.Valid].Count);
        Assert.Equal(3, food[Split.Test].Count);
        var test = expected.GetProperty("test");
        var labels = Fixture.Longs(test.GetProperty("labels"));
        var image = Fixture.Doubles(test.GetProperty("image").GetProperty("values"));
        for (int i = 0; i < 3; i++)
        {
            var s = food.Get(Split.Test).Read(i);
            Assert.Equal(labels[i], (long)s.Target[0]);
            for (int j = 0; j < 15; j++) Assert.Equal((float)image[i * 15 + j]!.Value, s.Modalities[0][j]);
        }
        using var batch = food[Split.Train].Load([0, 1], CPU);
        Assert.Equal(new long[] { 2, 5, 3 }, batch.Modalities[0].shape);
    }
}
