#!/usr/bin/env python3
"""Fits the rational tanh of VectorMath (and its TornadoVM twin): tanh(c) ~ c P(c^2) / Q(c^2).

P has degree 6 and Q degree 3 in s = c^2, P(0) = Q(0) = 1 (tanh(c) ~ c near 0), on 0 <= c <= CLAMP;
beyond CLAMP the kernels use c = CLAMP and clip the result at 1. The fit is linear least squares on
y Q(s) - c P(s) = 0 (Loeb's reweighting by 1 / Q from the previous round turns it into the true
error), with Lawson-style weights that push it toward minimax. Then the float32 coefficients are
evaluated with the kernels' float steps (s * P6 + P5 rounded twice, then fused steps, c * p / q)
over [0, 12] and the worst absolute error printed: 2.8e-7 for CLAMP = 8.5 (the fit itself 3e-9;
the rest is float rounding near tanh = 1).

Run (Debian: apt-get install python3-numpy):
    /usr/bin/python3 kernels/scripts/fit_tanh.py
Prints the constants as VectorMath declares them.
"""
import numpy as np

CLAMP = 8.5
P_TERMS, Q_TERMS = 7, 4


def fit(c, n_p, n_q, rounds=150):
    x = np.linspace(0, c, 300001)[1:]
    y = np.tanh(x)
    s = (x / c) ** 2  # scaled to [0, 1] for a well-conditioned system
    q_prev = np.ones_like(x)
    lawson = np.ones_like(x)
    best = None
    for _ in range(rounds):
        a = np.hstack([x[:, None] * s[:, None] ** np.arange(n_p), -(y[:, None] * s[:, None] ** np.arange(1, n_q))])
        w = lawson / np.abs(q_prev)
        sol, *_ = np.linalg.lstsq(a * w[:, None], y * w, rcond=None)
        p, q = sol[:n_p], np.concatenate([[1.0], sol[n_p:]])
        q_val = np.polyval(q[::-1], s)
        err = x * np.polyval(p[::-1], s) / q_val - y
        worst = np.max(np.abs(err))
        if best is None or worst < best[0]:
            best = (worst, p.copy(), q.copy())
        q_prev = q_val
        lawson = lawson * (np.abs(err) / worst + 1e-6) ** 0.3
        lawson /= lawson.mean()
    worst, p, q = best
    # back to coefficients of c^2k
    p32 = [np.float32(p[k] / c ** (2 * k)) for k in range(n_p)]
    q32 = [np.float32(q[k] / c ** (2 * k)) for k in range(n_q)]
    return worst, p32, q32


def fused(a, b, c):
    """fma in float32: the product and sum in float64 (exact enough here), rounded once."""
    return (a.astype(np.float64) * b + c).astype(np.float32)


def tanh_float(u, p, q, clamp):
    """The kernels' steps for u >= 0 (tanh is odd), in float32."""
    c = np.where(u > np.float32(clamp), np.float32(clamp), u).astype(np.float32)
    s = (c * c).astype(np.float32)
    pv = ((s * p[6]).astype(np.float32) + p[5]).astype(np.float32)
    for k in (4, 3, 2, 1):
        pv = fused(pv, s, p[k])
    pv = fused(pv, s, np.float32(1))
    qv = ((s * q[3]).astype(np.float32) + q[2]).astype(np.float32)
    qv = fused(qv, s, q[1])
    qv = fused(qv, s, np.float32(1))
    t = ((c * pv).astype(np.float32) / qv).astype(np.float32)
    return np.where(t > 1, np.float32(1), t)


def main():
    worst, p, q = fit(CLAMP, P_TERMS, Q_TERMS)
    u = np.linspace(0, 12, 3000001).astype(np.float32)
    err = np.abs(tanh_float(u, p, q, CLAMP) - np.tanh(u.astype(np.float64)))
    print(f"fit error {worst:.2e}; float steps: worst {err.max():.2e} at {u[err.argmax()]:.3f}")
    print("TANH_P1..P6 =", ", ".join(str(v) + "f" for v in p[1:]))
    print("TANH_Q1..Q3 =", ", ".join(str(v) + "f" for v in q[1:]))


if __name__ == "__main__":
    main()
