using Cggm.Models;
using Cggm.Tasks;
using Cggm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cggm.Training;

/// <summary>The result of one training pass of the classifiers on a batch.</summary>
/// <param name="Predictions">ŷ_{m_i} = f_i(h_i), one per modality.</param>
/// <param name="Utilization">ε_i on this batch, shape <c>[M]</c>, of the task's <see cref="Tasks.LearningTask.UtilizationType"/>.</param>
/// <param name="Losses">𝓛(ŷ_{m_i}, y) per classifier, shape <c>[M]</c> (detached); the classifiers are trained on their sum.</param>
public sealed record ClassifierPass(Tensor[] Predictions, Tensor Utilization, Tensor Losses);

/// <summary>A classifier pass running on a worker thread (<see cref="ModalityClassifierSet.TrainInBackground"/>).</summary>
public sealed class PendingClassifierPass
{
    private readonly Task<(double[] Utilization, double[] Losses)> _work;
    private readonly Device _device;
    private readonly ScalarType _utilizationType;

    internal PendingClassifierPass(Task<(double[] Utilization, double[] Losses)> work, Device device, ScalarType utilizationType)
    {
        _work = work;
        _device = device;
        _utilizationType = utilizationType;
    }

    /// <summary>Waits for the pass; its ε and losses come back as tensors of the calling thread (predictions are not kept).</summary>
    public ClassifierPass Wait()
    {
        var (eps, losses) = _work.GetAwaiter().GetResult();
        return new ClassifierPass([], torch.tensor(eps, ScalarType.Float64, _device).to(_utilizationType), torch.tensor(losses, ScalarType.Float64, _device));
    }
}

/// <summary>
/// The classifiers f_1..f_M of paper Eq. 5 with their own optimizer: trained on detached encoder features, so they never
/// change a model gradient, and kept out of inference. Used by CGGM and, as passive probes, by the trainer for methods
/// that have no classifiers (so joint training's per-modality accuracy can be plotted as in Fig. 2).
/// </summary>
public sealed class ModalityClassifierSet : IDisposable
{
    private readonly ModalityClassifier[] _classifiers;
    private readonly optim.Optimizer _optimizer;
    private readonly LearningTask _task;

    /// <summary>Creates one classifier per modality of <paramref name="model"/>, on <paramref name="device"/>.</summary>
    public ModalityClassifierSet(MultimodalModel model, LearningTask task, OptimizerSpec optimizer, Device device)
    {
        _task = task;
        _classifiers = Enumerable.Range(0, model.ModalityCount).Select(model.CreateModalityClassifier).ToArray();
        var head = model.HeadOutputWeight.shape;
        for (int i = 0; i < _classifiers.Length; i++)
        {
            _classifiers[i].to(device);
            var shape = _classifiers[i].OutputWeight.shape;
            if (!shape.SequenceEqual(head))
                throw new ArgumentException($"Modality classifier {i} ({model.Inputs[i].Name}) has an output layer of shape [{string.Join(", ", shape)}] " +
                    $"but the head's output layer is [{string.Join(", ", head)}]; CGGM compares the two, so {model.GetName()}.CreateModalityClassifier must build them alike.");
        }
        _optimizer = optimizer.Create(_classifiers.SelectMany(c => c.parameters()));
    }

    /// <summary>f_1..f_M.</summary>
    public IReadOnlyList<ModalityClassifier> Classifiers => _classifiers;

    /// <summary>
    /// One training pass: clears the classifiers' gradients, computes f_i(h_i.detach()) in training mode, ε_i, and
    /// back-propagates Σ_i 𝓛(ŷ_{m_i}, y) into the classifier parameters only. Call <see cref="Step"/> to update them.
    /// </summary>
    public ClassifierPass Train(Tensor[] features, Tensor target)
    {
        if (features.Length != _classifiers.Length)
            throw new ArgumentException($"{_classifiers.Length} classifiers but {features.Length} feature tensors.", nameof(features));
        _optimizer.zero_grad();
        var predictions = new Tensor[_classifiers.Length];
        var eps = new Tensor[_classifiers.Length];
        var losses = new Tensor[_classifiers.Length];
        for (int i = 0; i < _classifiers.Length; i++)
        {
            _classifiers[i].train();
            predictions[i] = _classifiers[i].call(features[i].detach());
            losses[i] = _task.Loss(predictions[i], target);
            eps[i] = _task.Utilization(predictions[i], target).to(_task.UtilizationType);
        }
        var all = torch.stack(losses);
        all.sum().backward();
        return new ClassifierPass(predictions, torch.stack(eps), all.detach());
    }

    /// <summary>
    /// <see cref="Train"/> on a worker thread, so that it runs beside the model's own backward pass (the classifiers read
    /// detached features and touch only their own parameters, so the two are independent; the worker is the only user of
    /// the random generator until <see cref="PendingClassifierPass.Wait"/>, so results are identical to running in sequence).
    /// Call <see cref="PendingClassifierPass.Wait"/> on the same thread before using the classifiers again.
    /// </summary>
    public PendingClassifierPass TrainInBackground(Tensor[] features, Tensor target)
    {
        // Owned by the worker (not by the caller's dispose scope), so that nothing the caller frees can pull them away.
        var detached = features.Select(f => f.detach().DetachFromDisposeScope()).ToArray();
        var labels = target.detach().DetachFromDisposeScope();
        var work = Task.Run(() =>
        {
            torch.set_num_threads(1);   // OpenMP's thread count is per calling thread: the training thread keeps its own
            using var scope = NewDisposeScope();
            scope.Attach(detached);
            scope.Attach(labels);
            var pass = Train(detached, labels);
            return (Utilization: pass.Utilization.to(ScalarType.Float64).cpu().data<double>().ToArray(), Losses: pass.Losses.to(ScalarType.Float64).cpu().data<double>().ToArray());
        });
        return new PendingClassifierPass(work, target.device, _task.UtilizationType);
    }

    /// <summary>∇θ^{f_i}: the gradient of classifier i's output-layer weight after <see cref="Train"/> (paper Eq. 9).</summary>
    public Tensor OutputGradient(int modality) => GradientTools.GradOrZeros(_classifiers[modality].OutputWeight);

    /// <summary>Updates the classifiers with their optimizer.</summary>
    public void Step() => _optimizer.step();

    /// <summary>Evaluation-mode predictions f_i(h_i) for every modality, without gradient.</summary>
    public Tensor[] Predict(Tensor[] features)
    {
        using var _ = no_grad();
        var result = new Tensor[_classifiers.Length];
        for (int i = 0; i < _classifiers.Length; i++)
        {
            _classifiers[i].eval();
            result[i] = _classifiers[i].call(features[i]);
            _classifiers[i].train();
        }
        return result;
    }

    /// <summary>Writes the classifiers' weights and their optimizer state.</summary>
    public void Save(BinaryWriter writer)
    {
        SaveWeights(writer);
        OptimizerCheckpoint.Save(_optimizer, writer);
    }

    /// <summary>Restores what <see cref="Save"/> wrote.</summary>
    public void Load(BinaryReader reader)
    {
        LoadWeights(reader);
        OptimizerCheckpoint.Load(_optimizer, reader);
    }

    /// <summary>Writes the classifiers' weights only (the best-epoch snapshot).</summary>
    public void SaveWeights(BinaryWriter writer) { foreach (var c in _classifiers) c.save(writer); }

    /// <summary>Restores what <see cref="SaveWeights"/> wrote.</summary>
    public void LoadWeights(BinaryReader reader) { foreach (var c in _classifiers) c.load(reader); }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var c in _classifiers) c.Dispose();
        _optimizer.Dispose();
    }
}
