// Notebooks change the working directory and TorchSharp's global state: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
