#!/usr/bin/env bash
# Runs once when the dev container is created (postCreateCommand). Builds the kit for the backend this container was
# configured with (TorchBackend: cuda in .devcontainer/gpu, cpu in .devcontainer/cpu). The build also prepares the
# notebook kernel: .tools/interactive (the pinned .NET Interactive kernel with FSharp.Core 10.1), the Jupyter kernelspec
# in .tools/jupyter (found through JUPYTER_PATH, set in devcontainer.json) and .vscode/settings.json for Polyglot Notebooks.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${TorchBackend:-cpu}"
echo "== TorchSharp backend: $backend"
if [ "$backend" = "cuda" ]; then
  if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
  else
    echo "   No GPU is visible in this container: runs will use the CPU (CUDA initialises only with a GPU and driver)."
  fi
  echo "   The first CUDA restore downloads several GB of libtorch-cuda packages and joins their fragments on the first build."
fi
dotnet tool restore
dotnet build Cggm.Notebooks.sln -c Release -p:TorchBackend="$backend"
echo "== Jupyter kernels (JUPYTER_PATH=${JUPYTER_PATH:-unset}):"
jupyter kernelspec list || echo "   jupyter is not on PATH; the notebooks still run in VS Code (Polyglot Notebooks)."
echo "== Ready: ./cggm quickstart, notebooks/ in VS Code or 'jupyter notebook notebooks/', docs/gpu-and-clusters.md."
