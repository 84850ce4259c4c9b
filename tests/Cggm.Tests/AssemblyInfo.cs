// TorchSharp keeps global state (the default generator, the dispose-scope stack); run tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
