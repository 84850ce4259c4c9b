using Cggm.Experiments;
using Cggm.Experiments.Datasets;
using Cggm.Bench;

namespace Cggm.Tests.Experiments;

public class BenchSuiteTests
{
    [Fact]
    public void One_classifier_layer_removes_one_transformer_layer_from_each_classifier_and_leaves_the_model_alone()
    {
        var mosi = BenchSuite.Case(DatasetRegistry.Mosi.Name);
        var released = BenchSuite.ParameterCounts(mosi);
        var light = BenchSuite.ParameterCounts(BenchSuite.WithClassifierLayers(mosi, 1));
        // One layer at d = 40: LN 80 + in-proj 3·40·40 + 120 + out-proj 40·40 + 40 + LN 80 + fc1 40·160 + 160 + fc2 160·40 + 40 = 19,720; three modalities.
        Assert.Equal(3 * 19_720, released.Classifiers - light.Classifiers);
        Assert.Equal(released.Model, light.Model);
    }

    [Fact]
    public void Classifier_layers_are_refused_for_brats_and_below_one()
    {
        var e = Assert.Throws<ArgumentException>(() => BenchSuite.WithClassifierLayers(BenchSuite.Case("brats2021-small"), 1));
        Assert.Contains("ResNet", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => BenchSuite.WithClassifierLayers(BenchSuite.Case(DatasetRegistry.Mosi.Name), 0));
    }
}
