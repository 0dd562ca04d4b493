#!/usr/bin/env python3
"""Independent high-precision values, gradients and minima of the
alpha-divergence D_a(p||q) (Minka's convention) and its Renyi form.

    I_a = int p^a q^(1-a) dx,   D_a = (1 - I_a) / (a (1 - a)),
    R_a = -log(I_a) / (a (1 - a))       (the program's Renyi form),
    grad I_a = (1 - a) int p^a q^(1-a) S dx,  S = (z / sigma, (z^2 - 1) / sigma).

Writes tests/data/alpha/integrals.json (hard cases: value and gradient of
both forms) and tests/data/alpha/optima.json (minima of D_a for several
targets, a and both families). Nothing here shares code or rules with the
program:

- log p by an mpmath log-sum-exp of the exact mixture, at 30 digits;
- the integrals by mpmath's tanh-sinh quadrature over [lo, hi] reaching 20
  widths beyond every mode, q and every blended bump (precision
  a / s_k^2 + (1 - a) / sigma^2 at its precision-weighted mean), split at
  each of their centres +- width * 2^j; the script fails unless every
  integral agrees to 1e-16 (relative) with Gauss-Legendre on the same pieces
  halved;
- minima: seeds from scipy (a plain trapezoid in float64 on a fine grid,
  L-BFGS-B from a lattice of starts), then Newton on the 30-digit gradient to
  a step below 1e-15, the Hessian by central differences of that gradient
  (positive definite, or a boundary minimum at sigma's floor 0.1 with
  d/dsigma > 0).

Run: python3 scripts/alpha_reference.py  (a few minutes)
"""

import json
import os
import sys

import mpmath as mp
import numpy as np
from scipy.optimize import minimize

mp.mp.dps = 30
SQRT_2PI = mp.sqrt(2 * mp.pi)
SIGMA_FLOOR = 0.1


def parse(spec):
    modes = [tuple(mp.mpf(v) for v in part.split(":")) for part in spec.split(",")]
    total = sum(w for w, _, _ in modes)
    return [(w / total, m, s) for w, m, s in modes]


def log_p(modes, x):
    logs = [mp.log(w / (s * SQRT_2PI)) - (x - m) ** 2 / (2 * s * s) for w, m, s in modes]
    top = max(logs)
    return top + mp.log(sum(mp.exp(l - top) for l in logs))


def features(modes, mu, sigma, a):
    out = [(mu, sigma)] + [(m, s) for _, m, s in modes]
    for _, m, s in modes:
        prec = a / (s * s) + (1 - a) / (sigma * sigma)
        out.append(((a * m / (s * s) + (1 - a) * mu / (sigma * sigma)) / prec, 1 / mp.sqrt(prec)))
    return out


def pieces(modes, mu, sigma, a):
    feats = features(modes, mu, sigma, a)
    lo = min(c - 20 * w for c, w in feats)
    hi = max(c + 20 * w for c, w in feats)
    pts = {lo, hi}
    for c, w in feats:
        pts.add(c)
        for j in range(-2, 6):
            pts.update([c - w * mp.mpf(2) ** j, c + w * mp.mpf(2) ** j])
    return sorted(p for p in pts if lo <= p <= hi)


def integrals(modes, mu, sigma, a, pts=None, method="tanh-sinh"):
    """[I, J_mu, J_sigma] with J = int p^a q^(1-a) S dx."""
    pts = pts or pieces(modes, mu, sigma, a)

    def f(k):
        def g(x):
            z = (x - mu) / sigma
            lq = -z * z / 2 - mp.log(sigma * SQRT_2PI)
            v = mp.exp(a * log_p(modes, x) + (1 - a) * lq)
            return v * [1, z / sigma, (z * z - 1) / sigma][k]
        return g

    return [mp.quad(f(k), pts, method=method) for k in range(3)]


def checked(modes, mu, sigma, a):
    pts = pieces(modes, mu, sigma, a)
    first = integrals(modes, mu, sigma, a, pts)
    halved = sorted(pts + [(u + v) / 2 for u, v in zip(pts, pts[1:])])
    again = integrals(modes, mu, sigma, a, halved, method="gauss-legendre")
    scale = abs(first[0]) + abs(first[1]) + abs(first[2])
    for u, v in zip(first, again):
        assert abs(u - v) <= mp.mpf(10) ** -16 * scale, (mu, sigma, a, u, v)
    return first


def forms(i, j_mu, j_sigma, a):
    """(D, dD/dmu, dD/dsigma, R, dR/dmu, dR/dsigma)."""
    c = a * (1 - a)
    # grad D = -grad I / c = -(1 - a) J / c = -J / a; grad R = -grad I / (I c).
    return (
        (1 - i) / c, -j_mu / a, -j_sigma / a,
        -mp.log(i) / c, -j_mu / (a * i), -j_sigma / (a * i),
    )


def spread(k):
    """The program's bench target of k modes (src/command/bench.rs spread_target)."""
    parts = []
    for n in range(k):
        f = 0.5 if k == 1 else n / (k - 1)
        parts.append(f"1:{-6 + 12 * f!r}:{0.4 + 0.4 * ((n * 7) % 5) / 4!r}")
    return ",".join(parts)


DEFAULT = "0.5:-2.5:0.8,0.5:2.5:0.8"
NARROW = "0.3:-2:0.15,0.4:0.5:0.15,0.3:3:0.15"
SPIKE = "1:0:0.01,1:2:1"

CASES = [
    ("widget target, q between the modes", DEFAULT, 0.3, 1.7, 0.5),
    ("widget target, q on a mode, a = 0.1", DEFAULT, 2.4, 0.7, 0.1),
    ("widget target, wide q, a = 0.9", DEFAULT, -1, 3, 0.9),
    ("narrow modes under a wide q, a = 0.1", NARROW, 0.2, 5, 0.1),
    ("narrow modes under a wide q, a = 0.3", NARROW, 0.2, 5, 0.3),
    ("narrow modes under a wide q, a = 0.9", NARROW, 0.2, 5, 0.9),
    ("q far from p", DEFAULT, 12, 0.6, 0.5),
    ("narrow q far from p, a = 0.2", DEFAULT, -9, 0.3, 0.2),
    ("a close to 0 (0.01)", DEFAULT, 1, 1.2, 0.01),
    ("a close to 0 (1e-4)", DEFAULT, 1, 1.2, 0.0001),
    ("a close to 1 (0.99)", DEFAULT, 1, 1.2, 0.99),
    ("a close to 1 (1 - 1e-4)", DEFAULT, 1, 1.2, 0.9999),
    ("16 modes, wide q", spread(16), 0.7, 2, 0.5),
    ("16 modes, a = 0.2", spread(16), 0.7, 2, 0.2),
    ("16 modes, narrow q, a = 0.8", spread(16), -3, 0.5, 0.8),
    ("spike beside a wide mode", SPIKE, 1, 1, 0.5),
    ("spike beside a wide mode, a = 0.9", SPIKE, 0.5, 0.4, 0.9),
]


# ---- float64 seeds (trapezoid on a fine grid; only to find where minima are) ----

def float_objective(spec, a, fixed):
    modes = [(float(w), float(m), float(s)) for w, m, s in parse(spec)]
    x = np.linspace(-40, 40, 80001)
    logs = np.array([np.log(w / (s * np.sqrt(2 * np.pi))) - (x - m) ** 2 / (2 * s * s) for w, m, s in modes])
    top = logs.max(axis=0)
    lp = top + np.log(np.exp(logs - top).sum(axis=0))

    def d(v):
        mu, sigma = (v[0], fixed) if fixed else (v[0], v[1])
        lq = -0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma * np.sqrt(2 * np.pi))
        return (1 - np.trapezoid(np.exp(a * lp + (1 - a) * lq), x)) / (a * (1 - a))

    return d


def seeds(spec, a, fixed):
    d = float_objective(spec, a, fixed)
    found = []
    mus = np.linspace(-6, 6, 13)
    sigmas = [None] if fixed else [0.15, 0.5, 1.0, 2.0, 3.5]
    for mu0 in mus:
        for s0 in sigmas:
            if fixed:
                r = minimize(d, [mu0], method="L-BFGS-B", bounds=[(-20, 20)], options={"ftol": 1e-15, "gtol": 1e-11})
                p = (r.x[0], fixed)
            else:
                r = minimize(d, [mu0, s0], method="L-BFGS-B", bounds=[(-20, 20), (SIGMA_FLOOR, 20)],
                             options={"ftol": 1e-15, "gtol": 1e-11})
                p = (r.x[0], r.x[1])
            if abs(p[0]) > 10 or d([p[0], p[1]]) > 0.999 / (a * (1 - a)):
                continue  # stood on the flat far plateau
            if all(abs(p[0] - q[0]) > 1e-3 or abs(p[1] - q[1]) > 1e-3 for q in found):
                found.append(p)
    return found


# ---- high precision minima ----

def gradient(modes, a, mu, sigma):
    i, jm, js = integrals(modes, mu, sigma, a)
    d, gm, gs, _, _, _ = forms(i, jm, js, a)
    return d, gm, gs


def polish(modes, a, mu, sigma, fixed):
    x = [mp.mpf(mu), mp.mpf(fixed if fixed else sigma)]
    boundary = False
    h = mp.mpf(10) ** -8
    for _ in range(40):
        d, gm, gs = gradient(modes, a, x[0], x[1])
        boundary = not fixed and x[1] <= SIGMA_FLOOR + mp.mpf(10) ** -20 and gs > 0
        free = 1 if (fixed or boundary) else 2
        rows = []
        for i in range(free):
            plus, minus = list(x), list(x)
            plus[i] += h
            minus[i] -= h
            _, pm, ps = gradient(modes, a, *plus)
            _, mm, ms = gradient(modes, a, *minus)
            rows.append([(pm - mm) / (2 * h), (ps - ms) / (2 * h)][:free])
        H = mp.matrix(rows).T
        g = mp.matrix([gm, gs][:free])
        step = mp.lu_solve(H, -g)
        x[0] += step[0]
        if free == 2:
            x[1] = max(x[1] + step[1], mp.mpf(SIGMA_FLOOR))
        if max(abs(v) for v in step) < mp.mpf(10) ** -15:
            break
    d, gm, gs = gradient(modes, a, x[0], x[1])
    assert abs(gm) < mp.mpf(10) ** -13 and (free < 2 or abs(gs) < mp.mpf(10) ** -13), (x, gm, gs)
    pd = H[0, 0] > 0 and (free == 1 or H[0, 0] * H[1, 1] - H[0, 1] * H[1, 0] > 0)
    return x, d, boundary, pd


def main():
    here = os.path.dirname(__file__)
    out_dir = os.path.join(here, "..", "tests", "data", "alpha")
    os.makedirs(out_dir, exist_ok=True)
    cases = []
    for name, spec, mu, sigma, a in CASES:
        i, jm, js = checked(parse(spec), mp.mpf(mu), mp.mpf(sigma), mp.mpf(a))
        d, dm, ds, r, rm, rs = forms(i, jm, js, mp.mpf(a))
        cases.append({
            "name": name, "target": spec, "mu": mu, "sigma": sigma, "alpha": a,
            "overlap": float(i),
            "amari": {"value": float(d), "d_mu": float(dm), "d_sigma": float(ds)},
            "renyi": {"value": float(r), "d_mu": float(rm), "d_sigma": float(rs)},
        })
        print(f"{name}: I {mp.nstr(i, 12)} D {mp.nstr(d, 17)} grad {mp.nstr(dm, 12)} {mp.nstr(ds, 12)}", flush=True)
    with open(os.path.join(out_dir, "integrals.json"), "w") as fh:
        json.dump({"about": "D_a and its Renyi form in 30-digit mpmath; scripts/alpha_reference.py",
                   "cases": cases}, fh, indent=1)
        fh.write("\n")

    if "--integrals-only" not in sys.argv:
        optima_data(out_dir)


def optima_data(out_dir):
    """Minima of D_a for a few targets, a values and both families."""
    optima = []
    for spec in [DEFAULT, "0.3:-3:0.6,0.7:1:0.9", "0.2:-3:0.5,0.8:2:1"]:
        modes = parse(spec)
        for a in [0.1, 0.5, 0.9]:
            for fixed in [None, 1.0]:
                minima = []
                for mu0, s0 in seeds(spec, a, fixed):
                    x, d, boundary, pd = polish(modes, mp.mpf(a), mu0, s0, fixed)
                    if not pd:
                        continue
                    if any(abs(float(x[0]) - m["mu"]) < 1e-6 and abs(float(x[1]) - m["sigma"]) < 1e-6 for m in minima):
                        continue
                    minima.append({"mu": float(x[0]), "sigma": float(x[1]), "divergence": float(d),
                                   "boundary": bool(boundary)})
                minima.sort(key=lambda m: m["divergence"])
                optima.append({"target": spec, "alpha": a, "fixed_sigma": fixed, "minima": minima})
                print(spec, a, fixed, minima, flush=True)
    with open(os.path.join(out_dir, "optima.json"), "w") as fh:
        json.dump({"about": "minima of D_a (Amari form) in 30-digit mpmath, starts in mu [-6, 6]; "
                            "scripts/alpha_reference.py", "optima": optima}, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    if "--optima-only" in sys.argv:
        optima_data(os.path.join(os.path.dirname(__file__), "..", "tests", "data", "alpha"))
    else:
        main()
