using Cggm.Data;
using Cggm.Models;
using Cggm.Modulation;
using Cggm.Tasks;
using Cggm.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cggm.Tests.Modulation;

/// <summary>Runs a balancing method's hooks step by step on a tiny model, the way the trainer does, so tests can look in between.</summary>
internal sealed class CggmHarness : IDisposable
{
    public CggmHarness(BalancingMethod method, int classes = 3, params int[] dims)
    {
        Model = TestData.Model(classes, dims);
        Task = new ClassificationTask(classes);
        Optimizer = optim.SGD(Model.parameters(), 0.1);
        var split = TestData.Split(8, classes, dims);
        Context = new TrainingContext(Model, Task, Optimizer, CPU, new TrainerOptions(), (_, _) => { }, () => Optimizer.step(), split, split);
        Method = method;
        Method.Attach(Context);
    }

    public MlpFusionNet Model { get; }
    public ClassificationTask Task { get; }
    public optim.Optimizer Optimizer { get; }
    public TrainingContext Context { get; }
    public BalancingMethod Method { get; }
    public Parameter HeadWeight => Model.HeadOutputWeight;

    /// <summary>zero_grad → forward → 𝓛_task → ComposeLoss (not yet backward).</summary>
    public StepState Compose(Batch batch, int step)
    {
        Optimizer.zero_grad();
        var s = new StepState(0, step, step, batch) { Output = Model.call(batch.Modalities) };
        s.TaskLoss = Task.Loss(s.Output.Prediction, batch.Target);
        s.Loss = Method.ComposeLoss(s);
        return s;
    }

    /// <summary>The modality whose encoder owns <paramref name="p"/>, or −1.</summary>
    public int EncoderOf(Parameter p)
    {
        for (int i = 0; i < Context.EncoderParameters.Count; i++)
            if (Context.EncoderParameters[i].Any(q => ReferenceEquals(q, p))) return i;
        return -1;
    }

    public void Dispose()
    {
        Method.Dispose();
        Optimizer.Dispose();
        Model.Dispose();
    }
}
