"""The ball rolling down a valley: gradient descent on a function of two variables,
equations (7)-(11).

The valley is ``C(v1, v2) = v1^2 + 3 v2^2`` (minimum 0 at the origin; steeper along
v2), with gradient (8) ``∇C = (2 v1, 6 v2)``. Each step moves the ball by (10)
``Δv = -η ∇C``, i.e. (11) ``v -> v' = v - η ∇C``, which by (9) should change the cost by
``ΔC ≈ ∇C · Δv = -η |∇C|^2`` -- a first-order approximation, good for small η.

On this valley a step multiplies v1 by (1 - 2η) and v2 by (1 - 6η): the descent
converges only while both factors lie in (-1, 1), i.e. for 0 < η < 2/6 = 1/3. Beyond
0.1667 (factor < 0 along v2) the ball overshoots the valley floor and oscillates from
side to side; beyond 1/3 each bounce climbs higher and it diverges. The default etas
(0.01, 0.1, 0.3, 0.34) show slow convergence, fast convergence, convergence while
oscillating, and divergence (η = 0.34 > 1/3).

    from . import descent
    print(descent.run().markdown())
    descent.plot(None, "descent.png")
"""
import math
from typing import Callable, List, Optional, Sequence

import numpy as np

from .common import Result

#: C = A1 v1^2 + A2 v2^2
CURVATURE = (1.0, 3.0)
#: the largest stable η on the valley: 2 / (largest eigenvalue of the Hessian 2*CURVATURE)
STABILITY_LIMIT = 2.0 / (2.0 * max(CURVATURE))
ETAS = (0.01, 0.1, 0.3, 0.34)
START = (1.0, 1.0)
STEPS = 30
#: "converged" once the cost is below this fraction of the starting cost
CONVERGED = 1e-3
#: the steps over which the first-order prediction (9) is checked
CHECK_STEPS = 5


def valley(v) -> np.ndarray:
    """The valley ``C(v1, v2) = v1^2 + 3 v2^2`` for v (2,) or points (..., 2); its
    height at each point (a float for one point)."""
    v = np.asarray(v, dtype=np.float64)
    c = CURVATURE[0] * v[..., 0] ** 2 + CURVATURE[1] * v[..., 1] ** 2
    return c[()]


def valley_gradient(v) -> np.ndarray:
    """Equation (8) for the valley: ``∇C = (∂C/∂v1, ∂C/∂v2) = (2 v1, 6 v2)``."""
    v = np.asarray(v, dtype=np.float64)
    return np.stack([2.0 * CURVATURE[0] * v[..., 0], 2.0 * CURVATURE[1] * v[..., 1]], axis=-1)


def descend(start, eta: float, steps: int, cost: Callable = valley,
            gradient: Callable = valley_gradient) -> dict:
    """``steps`` steps of (11) ``v -> v - η ∇C`` from ``start``.

    Returns a dict: ``path`` (steps+1, 2) positions, ``costs`` (steps+1,) heights,
    ``gradients`` (steps, 2) the ∇C each step used, ``delta_cost`` (steps,) the actual
    change ``C(v') - C(v)`` and ``predicted`` (steps,) equation (9)'s ``-η |∇C|^2``
    (plus ``eta``, ``start``, ``steps``). Overflowing positions become inf/nan without
    warnings, so a diverging run still returns."""
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    v = np.asarray(start, dtype=np.float64).reshape(2)
    path = np.empty((steps + 1, 2))
    grads = np.empty((steps, 2))
    path[0] = v
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps):
            g = np.asarray(gradient(path[t]), dtype=np.float64).reshape(2)
            grads[t] = g
            path[t + 1] = path[t] - eta * g  # (10)-(11)
        costs = np.array([float(cost(p)) for p in path])
        delta = np.diff(costs)
        predicted = -eta * np.einsum("ij,ij->i", grads, grads)
    return dict(path=path, costs=costs, gradients=grads, delta_cost=delta, predicted=predicted,
                eta=float(eta), start=tuple(float(x) for x in v), steps=int(steps))


def relative_errors(descent: dict, first: int = CHECK_STEPS) -> np.ndarray:
    """``|ΔC - (-η|∇C|^2)| / |η|∇C|^2|`` for the first ``first`` steps: how far the
    actual change is from equation (9)'s first-order prediction."""
    delta, predicted = descent["delta_cost"][:first], descent["predicted"][:first]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.abs(delta - predicted) / np.abs(predicted)


def _reversals(path: np.ndarray) -> int:
    """How often a coordinate's step changes direction (the ball overshooting)."""
    steps = np.diff(path, axis=0)
    signs = np.sign(steps)
    flips = (signs[1:] * signs[:-1]) < 0
    return int(flips.sum())


def classify(descent: dict, tolerance: float = CONVERGED) -> str:
    """'diverged' (cost above its start, or overflow), 'converged' (cost below
    ``tolerance`` times its start) or 'not yet converged', with ', oscillating' when the
    steps keep reversing direction (overshooting the valley floor)."""
    costs = descent["costs"]
    start, final = costs[0], costs[-1]
    if not np.isfinite(final) or final > start:
        status = "diverged"
    elif final <= tolerance * start:
        status = "converged"
    else:
        status = "not yet converged"
    if _reversals(descent["path"]) >= 2:
        status += ", oscillating"
    return status


def run(etas: Sequence[float] = ETAS, start=START, steps: int = STEPS, **ignored) -> Result:
    """Descend the valley from ``start`` for ``steps`` steps with each η: one row per η
    with the final cost, whether it converged, diverged or oscillated, and the mean
    relative error of the prediction ``ΔC ≈ -η|∇C|^2`` over the first 5 steps.

    Other keywords (seeds, epochs, jobs, data, limits, ...) are accepted and ignored, so
    every experiment can be called the same way."""
    rows: List[dict] = []
    for eta in etas:
        d = descend(start, eta, steps)
        errors = relative_errors(d)
        rows.append(dict(eta=float(eta), final_cost=float(d["costs"][-1]), status=classify(d),
                         first_step_delta=float(d["delta_cost"][0]) if steps else None,
                         first_step_predicted=float(d["predicted"][0]) if steps else None,
                         relative_error=100.0 * float(np.mean(errors)) if len(errors) else None,
                         start=d["start"], steps=steps, initial_cost=float(d["costs"][0])))
    columns = [("eta", "η"), ("final_cost", f"C after {steps} steps"), ("status", "behaviour"),
               ("relative_error", f"relative error of ΔC ≈ -η‖∇C‖², first {min(CHECK_STEPS, steps)} steps (%)")]
    title = (f"Gradient descent on the valley C = v1² + 3 v2² from v = {tuple(float(x) for x in start)}, "
             f"{steps} steps")
    return Result(title, columns, rows, _note(rows))


def _note(rows: List[dict]) -> str:
    if not rows:
        return "No η given."
    parts = []
    with_error = sorted((r for r in rows if r["relative_error"] is not None
                         and math.isfinite(r["relative_error"])), key=lambda r: r["eta"])
    if with_error:
        lo, hi = with_error[0], with_error[-1]
        if len(with_error) > 1:
            trend = ("grows with η" if all(a["relative_error"] <= b["relative_error"]
                                          for a, b in zip(with_error, with_error[1:]))
                     else "varies with η")
            parts.append(f"The first-order prediction (9) ΔC ≈ -η‖∇C‖² is off by "
                         f"{lo['relative_error']:.1f}% at η = {lo['eta']:g} and "
                         f"{hi['relative_error']:.1f}% at η = {hi['eta']:g}: the error {trend}.")
        else:
            parts.append(f"The first-order prediction (9) is off by {lo['relative_error']:.1f}% "
                         f"at η = {lo['eta']:g}.")
    outcomes = []
    for label, verb in (("converged", "converged"), ("not yet converged", "had not converged yet"),
                        ("diverged", "diverged")):
        group = [r for r in rows if r["status"].split(",")[0] == label]
        if group:
            outcomes.append("η = " + ", ".join(f"{r['eta']:g}" for r in group) + " " + verb)
    parts.append(f"After {rows[0]['steps']} steps " + "; ".join(outcomes) + ".")
    oscillating = [r for r in rows if "oscillating" in r["status"]]
    if oscillating:
        parts.append("Oscillating across the valley floor: η = "
                     + ", ".join(f"{r['eta']:g}" for r in oscillating) + ".")
    parts.append(f"On this valley descent is stable only for η < {STABILITY_LIMIT:.4g} "
                 f"(2 / the largest second derivative of C, 2 × 3).")
    return " ".join(parts)


def plot(result: Optional[Result], path, etas: Sequence[float] = ETAS, start=START,
         steps: int = STEPS):
    """Contour lines of the valley with the ball's path for each η, saved as a PNG at
    ``path``. With a ``result`` of ``run``, its etas, start and steps are used instead."""
    from ..io.plots import pyplot, save_figure
    plt = pyplot()
    if result is not None and result.rows:
        etas = [r["eta"] for r in result.rows]
        start, steps = result.rows[0]["start"], result.rows[0]["steps"]
    runs = [descend(start, eta, steps) for eta in etas]
    finite = np.concatenate([d["path"][np.all(np.isfinite(d["path"]), axis=1)] for d in runs])
    reach = max(1.2 * float(np.max(np.abs(finite))) if finite.size else 1.0, 1e-6)
    reach = min(reach, 10.0 * max(1.0, float(np.max(np.abs(start)))))
    grid = np.linspace(-reach, reach, 301)
    V1, V2 = np.meshgrid(grid, grid)
    C = valley(np.stack([V1, V2], axis=-1))
    fig, ax = plt.subplots(figsize=(6.4, 6.0))
    top = float(C.max())
    levels = np.geomspace(max(top * 1e-4, 1e-12), top, 14)
    ax.contour(V1, V2, C, levels=levels, colors="grey", linewidths=0.6, alpha=0.7)
    for d in runs:
        p = d["path"]
        outside = ~np.all(np.abs(p) <= reach, axis=1)  # also inf / nan
        p = p[:int(np.argmax(outside))] if outside.any() else p
        ax.plot(p[:, 0], p[:, 1], marker="o", markersize=2.5, linewidth=1.0,
                label=f"η = {d['eta']:g}: {classify(d)}")
    ax.plot([0], [0], marker="*", color="black", markersize=10, linestyle="none", label="minimum")
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")
    ax.set_xlabel("v1")
    ax.set_ylabel("v2")
    ax.set_title(f"v → v − η∇C on C = v1² + 3 v2², {steps} steps")
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return save_figure(fig, path)
