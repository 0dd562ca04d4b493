#!/usr/bin/env python3
"""Bifurcations of the exclusive KL(q||p) along a parameter, computed
independently of kl-landscape (mpmath quadrature over the whole real line and
mpmath's root finders on the extended systems), for tests/sweep.rs.

q = N(mu, s^2), p a Gaussian mixture. With g = (log p)' and g' = (log p)'':
  f     = -log s - log sqrt(2 pi e) - E_z[log p(mu + s z)]
  f_mu  = -E[g],      f_s  = -1/s - E[z g]
  f_mumu = -E[g'],    f_mus = -E[z g'],    f_ss = 1/s^2 - E[z^2 g']

Cases (written to tests/data/continuation/reference.json):
  fold     the widget's target (weights 1/2, stds 0.8) with modes 1 and 2 at
           -d/2 and d/2: where a mode minimum is born with its saddle,
           F = (f_mu, f_s, det H) = 0 in (mu, s, d);
  maxwell  the same target: where the wide minimum (mu = 0) and a mode
           minimum have equal KL, (f_s(0, s_w), f_mu, f_s at the mode, f gap) = 0;
  pitchfork  the fixed-sigma family (sigma = 1) of the same target: where the
           symmetric point mu = 0 changes stability, E_z[(log p)''(z)] = 0 in d.

Along the order a of the alpha-divergence D_a = (1 - I_a) / (a (1 - a)),
I_a = int p^a q^(1-a) dx (the widget's target, separation 5), with
h = log q: dI/dt = int p^a q^(1-a) (1-a) h_t dx and
d2I/dt dt' = int p^a q^(1-a) ((1-a)^2 h_t h_t' + (1-a) h_tt') dx, where
h_mu = z/s, h_s = (z^2-1)/s, h_mumu = -1/s^2, h_mus = -2z/s^2,
h_ss = (1-3z^2)/s^2. D_a is a decreasing function of I_a at fixed a, so
its stationary points, their stability and the equal-value condition are
those of I_a (the Renyi form -log(I_a)/(a(1-a)) shares all three):
  alpha_fold     where the mode minima vanish with their saddles,
                 (I_mu, I_s, det H_I) = 0 in (mu, s, a);
  alpha_maxwell  where the mode minima stop being the global best, the wide
                 minimum (mu = 0) and a mode minimum of equal I_a.

Run: python3 scripts/continuation_reference.py  (needs mpmath; a few minutes)
"""

import json
import os

import mpmath as mp

mp.mp.dps = 30
STD = mp.mpf("0.8")


def mixture(d):
    return [(mp.mpf("0.5"), -d / 2, STD), (mp.mpf("0.5"), d / 2, STD)]


def log_p_derivatives(modes, x):
    """log p, (log p)' and (log p)'' at x, stably."""
    logs = [mp.log(w) - mp.log(s) - mp.log(mp.sqrt(2 * mp.pi)) - (x - m) ** 2 / (2 * s * s) for w, m, s in modes]
    top = max(logs)
    r = [mp.e ** (l - top) for l in logs]
    total = sum(r)
    r = [v / total for v in r]
    # Each component's log-density derivatives: -(x-m)/s^2 and -1/s^2.
    d1 = [-(x - m) / (s * s) for _, m, s in modes]
    d2 = [-1 / (s * s) for _, _, s in modes]
    g = sum(ri * a for ri, a in zip(r, d1))
    # p''/p = sum r (a^2 + b); (log p)'' = p''/p - g^2.
    second = sum(ri * (a * a + b) for ri, a, b in zip(r, d1, d2)) - g * g
    return top + mp.log(total), g, second


def expect(fn):
    phi = lambda z: mp.e ** (-z * z / 2) / mp.sqrt(2 * mp.pi)
    return mp.quad(lambda z: phi(z) * fn(z), [-mp.inf, -3, 0, 3, mp.inf])


def objective(modes, mu, s):
    """f, gradient and Hessian of KL(q||p) at (mu, s)."""
    vals = {}
    for name, k, part in [("lp", 0, 0), ("g", 0, 1), ("zg", 1, 1), ("gp", 0, 2), ("zgp", 1, 2), ("zzgp", 2, 2)]:
        vals[name] = expect(lambda z, k=k, part=part: z ** k * log_p_derivatives(modes, mu + s * z)[part])
    f = -mp.log(s) - mp.log(mp.sqrt(2 * mp.pi * mp.e)) - vals["lp"]
    grad = (-vals["g"], -1 / s - vals["zg"])
    hess = ((-vals["gp"], -vals["zgp"]), (-vals["zgp"], 1 / (s * s) - vals["zzgp"]))
    return f, grad, hess


def fold():
    def system(mu, s, d):
        _, (gm, gs), ((a, b), (_, c)) = objective(mixture(d), mu, s)
        return [gm, gs, a * c - b * b]

    mu, s, d = mp.findroot(system, (mp.mpf("1.7"), mp.mpf("1.03"), mp.mpf("3.86")))
    return {"parameter": "separation", "value": float(d), "mu": float(mu), "sigma": float(s)}


def maxwell():
    def system(sw, mu, s, d):
        modes = mixture(d)
        fw, (_, gsw), _ = objective(modes, mp.mpf(0), sw)
        fm, (gm, gs), _ = objective(modes, mu, s)
        return [gsw, gm, gs, fw - fm]

    sw, mu, s, d = mp.findroot(system, (mp.mpf("2.4"), mp.mpf("2.2"), mp.mpf("0.84"), mp.mpf("4.48")))
    return {"parameter": "separation", "value": float(d), "mu": float(mu), "sigma": float(s), "wide_sigma": float(sw)}


def pitchfork():
    sigma = mp.mpf(1)
    curvature = lambda d: expect(lambda z: log_p_derivatives(mixture(d), sigma * z)[2])
    d = mp.findroot(curvature, mp.mpf("2.0"))
    return {"parameter": "separation", "fixed_sigma": 1.0, "value": float(d), "mu": 0.0, "sigma": 1.0}


def alpha_integrals(modes, mu, s, a):
    """I_a, its gradient (mu, s) and Hessian, by mpmath quadrature in x."""
    b = 1 - a
    cuts = {mu + k * s for k in (-8, -3, 0, 3, 8)}
    for _, m, sk in modes:
        prec = a / (sk * sk) + b / (s * s)
        centre = (a * m / (sk * sk) + b * mu / (s * s)) / prec
        width = 1 / mp.sqrt(prec)
        cuts |= {m, centre - 3 * width, centre, centre + 3 * width}
    points = [-mp.inf] + sorted(cuts) + [mp.inf]

    def weight(x):
        z = (x - mu) / s
        log_q = -z * z / 2 - mp.log(s * mp.sqrt(2 * mp.pi))
        return mp.e ** (a * log_p_derivatives(modes, x)[0] + b * log_q), z

    def part(fn):
        return mp.quad(lambda x: (lambda w_z: w_z[0] * fn(w_z[1]))(weight(x)), points)

    i = part(lambda z: 1)
    g_mu = part(lambda z: b * z / s)
    g_s = part(lambda z: b * (z * z - 1) / s)
    h_mumu = part(lambda z: b * b * z * z / (s * s) - b / (s * s))
    h_mus = part(lambda z: b * b * z * (z * z - 1) / (s * s) - 2 * b * z / (s * s))
    h_ss = part(lambda z: b * b * (z * z - 1) ** 2 / (s * s) + b * (1 - 3 * z * z) / (s * s))
    return i, (g_mu, g_s), ((h_mumu, h_mus), (h_mus, h_ss))


def alpha_fold():
    modes = mixture(mp.mpf(5))

    def system(mu, s, a):
        _, (gm, gs), ((p, q), (_, r)) = alpha_integrals(modes, mu, s, a)
        return [gm, gs, p * r - q * q]

    mu, s, a = mp.findroot(system, (mp.mpf("2.4173"), mp.mpf("0.9547"), mp.mpf("0.5217")))
    return {"parameter": "alpha", "separation": 5.0, "value": float(a), "mu": float(mu), "sigma": float(s)}


def alpha_maxwell():
    modes = mixture(mp.mpf(5))

    def system(sw, mu, s, a):
        iw, (_, gsw), _ = alpha_integrals(modes, mp.mpf(0), sw, a)
        im, (gm, gs), _ = alpha_integrals(modes, mu, s, a)
        return [gsw, gm, gs, iw - im]

    seed = (mp.mpf("2.394"), mp.mpf("2.489"), mp.mpf("0.8175"), mp.mpf("0.173"))
    sw, mu, s, a = mp.findroot(system, seed)
    return {"parameter": "alpha", "separation": 5.0, "value": float(a), "mu": float(mu), "sigma": float(s), "wide_sigma": float(sw)}


def main():
    out = {
        "target": "0.5:-2.5:0.8,0.5:2.5:0.8",
        "note": "fold, maxwell, pitchfork: exclusive KL(q||p), separation moves modes 1 and 2 to -d/2 and d/2; alpha_fold, alpha_maxwell: D_a(p||q) along a at separation 5",
        "fold": fold(),
        "maxwell": maxwell(),
        "pitchfork": pitchfork(),
        "alpha_fold": alpha_fold(),
        "alpha_maxwell": alpha_maxwell(),
    }
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "continuation", "reference.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
