"""Records what the released trainers do, step by step, without re-typing their loop.

The released `train_model` (src/msatrain.py, src/foodtrain.py, src/segtrain.py) is called through `initiate`. A wrapper
around the module's `train_model` receives the settings `initiate` built and, before handing them on unchanged:

* replaces settings['criterion'] by a callable that calls the released criterion and records each call's value
  (per step: the task loss, then one call per classifier);
* wraps `classifier.cal_coeff` (records ε as returned) and the trainer module's `cal_cos` (records the cosines);
* wraps `cls_optimizer.step`: it runs right after the released code computed diff, diff_sum, coeff and l_gm and scaled
  the encoder gradients, so it reads those variables from the calling frame (the released `train` function) as they
  are, then steps;
* wraps `torch.nn.utils.clip_grad_norm_` (records the total norm it returns, which the released code discards);
* wraps `optimizer.step`: after the released step it snapshots every model and classifier tensor, closes the step's
  record, and after the last wanted step raises StopAfterSteps, which ends the released `train_model` before
  validation (the caller catches it).
"""
import contextlib
import sys

import numpy as np
import torch


class StopAfterSteps(Exception):
    pass


def _f(x):
    """A recorded scalar as a Python float: numpy/torch scalars exactly, float32 values widened exactly."""
    if isinstance(x, torch.Tensor):
        return float(x.detach().double().item())
    return float(x)


def _dtype(x):
    if isinstance(x, torch.Tensor):
        return f"torch.{str(x.dtype).split('.')[-1]}"
    if isinstance(x, np.generic):
        return f"numpy.{x.dtype.name}"
    return type(x).__name__


class LoopRecorder:
    def __init__(self, trainer, steps, snapshot, on_attach=None, frame_hook=None):
        """trainer: the released trainer module; snapshot(model, classifier) -> anything, called after each step;
        on_attach(settings): called with the released settings before training starts (e.g. to set weights);
        frame_hook(locals, settings) -> dict: extra per-step arrays read from the released train() frame at
        cls_optimizer.step (after the encoder gradients were scaled, before clipping and the model step)."""
        self.trainer = trainer
        self.frame_hook = frame_hook
        self.step_arrays = []
        self.steps = steps
        self.snapshot = snapshot
        self.on_attach = on_attach
        self.records = []
        self.snapshots = []
        self.settings = None
        self._cur = None
        self._crit_calls = []
        self._prev_eps = None
        self._prev_lgm = None
        self.value_types = {}

    # --- wrappers -------------------------------------------------------------------------------------------------
    def _criterion(self, crit):
        rec = self

        def call(*a, **k):
            out = crit(*a, **k)
            rec._crit_calls.append((out, _f(out)))
            return out
        call.released = crit
        return call

    def _cal_cos(self, fn):
        rec = self

        def call(cls_grad, fusion_grad):
            out = fn(cls_grad, fusion_grad)
            rec._cur["cos"] = [_f(c) for c in out]
            rec.value_types["cos"] = _dtype(out[0])
            return out
        return call

    def _cal_coeff(self, fn):
        rec = self

        def call(*a, **k):
            out = fn(*a, **k)
            rec._cur["eps"] = [_f(e) for e in out]
            rec.value_types["eps"] = _dtype(out[0])
            return out
        return call

    def _clip(self, fn):
        rec = self

        def call(parameters, max_norm, *a, **k):
            total = fn(parameters, max_norm, *a, **k)
            rec._cur["grad_norm"] = _f(total)
            return total
        return call

    def _cls_step(self, step):
        rec = self

        def call(*a, **k):
            frame = sys._getframe(1)          # the released train() function
            loc = frame.f_locals
            cur = rec._cur
            diff = list(loc["diff"])
            coeff = list(loc["coeff"])
            cur["batch"] = int(loc["i_batch"])
            cur["delta_eps"] = [_f(d) for d in diff]
            cur["delta_eps_sum"] = _f(sum(diff))
            cur["diff_sum"] = _f(loc["diff_sum"])
            cur["coeff"] = [_f(c) for c in coeff]
            cur["coeff_rho"] = [_f(c * loc["hyp_params"].rou) for c in coeff]
            cur["l_gm"] = _f(loc["l_gm"])
            cur["eps_from_frame"] = [_f(e) for e in loc["acc2"]]
            rec.value_types.update(delta_eps=_dtype(diff[0]), diff_sum=_dtype(loc["diff_sum"]),
                                   coeff=_dtype(coeff[0]), l_gm=_dtype(loc["l_gm"]))
            cur["_frame_loss"] = loc["raw_loss"]
            rec._arrays = rec.frame_hook(loc, rec.settings) if rec.frame_hook else {}
            return step(*a, **k)
        return call

    def _step(self, step, model, classifier, optimizer):
        rec = self

        def call(*a, **k):
            cur = rec._cur
            cur["lr"] = _f(optimizer.param_groups[0]["lr"])
            out = step(*a, **k)
            calls = rec._crit_calls
            cur["task_loss"] = calls[0][1]
            cur["loss"] = _f(calls[0][0])              # the same tensor after `raw_loss += lamda * l_gm` (in place)
            cur["cls_losses"] = [c[1] for c in calls[1:]]
            cur["l_gm_used"] = rec._prev_lgm
            cur["eps_prev"] = rec._prev_eps
            assert cur["eps_from_frame"] == cur["eps"], "cal_coeff's return differs from the frame's acc2"
            del cur["eps_from_frame"]
            assert cur.pop("_frame_loss") is calls[0][0], "raw_loss is not the criterion's first output"
            rec._prev_lgm = cur["l_gm"]
            rec._prev_eps = cur["eps"]
            cur["step"] = len(rec.records) + 1
            rec.records.append(cur)
            rec.snapshots.append(rec.snapshot(model, classifier))
            rec.step_arrays.append(rec._arrays)
            rec._crit_calls = []
            rec._cur = {}
            if len(rec.records) == rec.steps:
                raise StopAfterSteps()
            return out
        return call

    # --- installation ---------------------------------------------------------------------------------------------
    def _attach(self, settings, hyp_params):
        self.settings = settings
        self.hyp_params = hyp_params
        model, classifier = settings["model"], settings["classifier"]
        if self.on_attach is not None:
            self.on_attach(settings)
        self.initial = self.snapshot(model, classifier)
        self._prev_eps = [0.0] * hyp_params.num_mod        # the released acc1 = [0] * num_mod
        settings["criterion"] = self._criterion(settings["criterion"])
        classifier.cal_coeff = self._cal_coeff(classifier.cal_coeff)
        settings["cls_optimizer"].step = self._cls_step(settings["cls_optimizer"].step)
        settings["optimizer"].step = self._step(settings["optimizer"].step, model, classifier, settings["optimizer"])
        self._cur = {}

    @contextlib.contextmanager
    def installed(self):
        trainer = self.trainer
        saved = (trainer.train_model, trainer.cal_cos, torch.nn.utils.clip_grad_norm_)
        rec = self

        def train_model(settings, hyp_params, *loaders):
            rec._attach(settings, hyp_params)
            return saved[0](settings, hyp_params, *loaders)

        trainer.train_model = train_model
        trainer.cal_cos = self._cal_cos(saved[1])
        torch.nn.utils.clip_grad_norm_ = self._clip(saved[2])
        try:
            yield self
        finally:
            trainer.train_model, trainer.cal_cos, torch.nn.utils.clip_grad_norm_ = saved

    def run(self, initiate, *args):
        with self.installed():
            try:
                initiate(*args)
            except StopAfterSteps:
                pass
            else:
                raise RuntimeError("the released trainer returned before the wanted number of steps")
        if len(self.records) != self.steps:
            raise RuntimeError(f"recorded {len(self.records)} steps, wanted {self.steps}")
        return self
