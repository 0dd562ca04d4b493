// fit.wgsl: one invocation per start runs up to `params.steps` Adam steps of
// its problem's objective; one dispatch runs the starts of many problems
// (each workgroup those of one). CPU twin: `Kernel::step` in
// src/engine/fit.rs (same arithmetic, in f32), and `Kernels` for which start
// is whose. The constants above this line (BETA1, NODES, ...) are
// generated from src/defaults.rs and src/quadrature.rs by `engine::gpu::shader_source`.

struct FitState {
    mu: f32,
    sigma: f32,
    m: vec2<f32>,
    v: vec2<f32>,
    beta_pow: vec2<f32>,
    t: u32,
    pad: u32,
    still: u32,
    status: u32,
}

// What every problem of a dispatch shares.
struct Params {
    // quadrature::Z_EDGES, four to a vec4 (uniform arrays have a 16-byte stride).
    z_edges: array<vec4<f32>, 3>,
    steps: u32,
    // Workgroups that hold starts (the dispatch may have more).
    groups: u32,
    // Entries of `problems`.
    problem_count: u32,
    // Coprime with `groups`: the workgroup k of the dispatch runs group
    // (k * stride) mod groups, so neighbours belong to different problems.
    stride: u32,
    // 2, unknown to the compiler: the trip count of the loop that tells
    // whether the driver cut the invocation short (see `fit`).
    sentinel: u32,
    pad0: u32,
    pad1: u32,
    pad2: u32,
}

// One problem of the dispatch. Its `count` starts are `states[first..]`, run
// by the workgroups from `group_first` on. A workgroup never spans two
// problems, so the index into `problems` is the same across a workgroup and
// (a uniform block, as the single-problem kernel's constants were) its
// reads in the hot loops are one load for all lanes, not a gather.
struct Problem {
    objective: u32,
    learn_sigma: u32,
    lr: f32,
    fixed_sigma: f32,
    mean: f32,
    variance: f32,
    // The alpha-divergence's order a (objectives OBJECTIVE_AMARI, OBJECTIVE_RENYI).
    alpha: f32,
    // This problem's cuts are cuts[cut_first..cut_first + cut_count].
    cut_first: u32,
    cut_count: u32,
    first: u32,
    count: u32,
    group_first: u32,
    // Per mode: mean, prec / 2, prec, ln w - ln std - ln sqrt(2 pi).
    modes: array<vec4<f32>, MODE_COUNT>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> states: array<FitState>;
@group(0) @binding(2) var<storage, read_write> running: atomic<u32>;
// Every problem's panel edges in x around its target's sharp features,
// sorted, with each feature's scale.
@group(0) @binding(3) var<storage, read> cuts: array<vec2<f32>>;
@group(0) @binding(4) var<uniform> problems: array<Problem, PROBLEMS_PER_DISPATCH>;

// The invocation's problem, copied once by `fit` out of `problems`: the hot
// loops then read it at fixed offsets, as the single-problem kernel read its
// constants (indexing the uniform array in them cost llvmpipe 19% more time).
var<private> here: Problem;

fn mode(k: u32) -> vec4<f32> {
    return here.modes[k];
}

fn cut(j: u32) -> vec2<f32> {
    return cuts[here.cut_first + j];
}

fn is_finite(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

// d/dx log p(x). One mode: its own pull, no exp. Two modes: a softmax of
// two, one exp of minus the gap's size (it underflows, never overflows into
// a NaN). More: a two-pass stable softmax, the log-densities recomputed in the
// second pass rather than kept in a private array (a private array in this
// hot loop grows the stack on lavapipe). MODE_COUNT is a constant, so only
// one branch is compiled.
fn score(x: f32) -> f32 {
    if MODE_COUNT == 1u {
        let m = mode(0u);
        return m.z * (m.x - x);
    }
    if MODE_COUNT == 2u {
        let m0 = mode(0u);
        let m1 = mode(1u);
        let d0 = x - m0.x;
        let d1 = x - m1.x;
        let pull0 = m0.z * (m0.x - x);
        let pull1 = m1.z * (m1.x - x);
        let gap = (m0.w - m0.y * d0 * d0) - (m1.w - m1.y * d1 * d1);
        // Each pull weighted by its own responsibility (no cancellation of a
        // spike's huge pull against a broad mode's small one).
        let e = exp(-abs(gap));
        if gap > 0.0 {
            return (pull0 + e * pull1) / (1.0 + e);
        }
        return (pull1 + e * pull0) / (1.0 + e);
    }
    var top = -3.4028235e38;
    for (var k = 0u; k < MODE_COUNT; k++) {
        let m = mode(k);
        let d = x - m.x;
        top = max(top, m.w - m.y * d * d);
    }
    var sum = 0.0;
    var pull = 0.0;
    for (var k = 0u; k < MODE_COUNT; k++) {
        let m = mode(k);
        let d = x - m.x;
        let r = exp(m.w - m.y * d * d - top);
        sum += r;
        pull += r * (m.z * (m.x - x));
    }
    return pull / sum;
}

// log p(x). One mode: its log-density. Two: the larger plus ln(1 + e^-gap).
// More: a two-pass stable log-sum-exp. CPU twin: Kernel::log_p.
fn log_p(x: f32) -> f32 {
    if MODE_COUNT == 1u {
        let m = mode(0u);
        let d = x - m.x;
        return m.w - m.y * d * d;
    }
    if MODE_COUNT == 2u {
        let m0 = mode(0u);
        let m1 = mode(1u);
        let d0 = x - m0.x;
        let d1 = x - m1.x;
        let l0 = m0.w - m0.y * d0 * d0;
        let l1 = m1.w - m1.y * d1 * d1;
        return max(l0, l1) + log(1.0 + exp(-abs(l0 - l1)));
    }
    var top = -3.4028235e38;
    for (var k = 0u; k < MODE_COUNT; k++) {
        let m = mode(k);
        let d = x - m.x;
        top = max(top, m.w - m.y * d * d);
    }
    var sum = 0.0;
    for (var k = 0u; k < MODE_COUNT; k++) {
        let m = mode(k);
        let d = x - m.x;
        sum += exp(m.w - m.y * d * d - top);
    }
    return top + log(sum);
}

// Mode k's blended bump of (w_k N_k)^a q^(1-a) at (mu, sigma) (k =
// MODE_COUNT: q itself): (centre, width, peak (log), log mass). CPU twin:
// Kernel::bumps (which stores them; here they are recomputed, same arithmetic).
fn bump(k: u32, mu: f32, sigma: f32, inv_sigma: f32, ln_q0: f32) -> vec4<f32> {
    if k == MODE_COUNT {
        return vec4<f32>(mu, sigma, ln_q0, 0.0);
    }
    let a = here.alpha;
    let m = mode(k);
    let b = (1.0 - a) * inv_sigma * inv_sigma;
    let prec = a * m.z + b;
    let centre = (a * m.z * m.x + b * mu) / prec;
    let d = centre - m.x;
    let z = (centre - mu) * inv_sigma;
    let peak = a * (m.w - m.y * d * d) + (1.0 - a) * (ln_q0 - 0.5 * z * z);
    let width = 1.0 / sqrt(prec);
    return vec4<f32>(centre, width, peak, peak + log(width));
}

// Whether bump k is integrated: q always, a mode's unless its mass is
// BUMP_CUTOFF below the largest.
fn bump_used(bk: vec4<f32>, k: u32, top_mass: f32) -> bool {
    return k == MODE_COUNT || bk.w >= top_mass - BUMP_CUTOFF;
}

// The alpha-divergences' gradient: p^a q^(1-a) by Gauss-Legendre on the
// panels between the edges centre + width * z_edges of every bump in use
// and of q, merged by finding from each edge the smallest beyond it, with
// the target's cuts for features narrower than q between the outermost;
// scaled by the largest peak; q's share subtracted node by node near a = 0.
// CPU twin: Kernel::alpha_gradient and Kernel::alpha_panels.
fn alpha_gradient(mu: f32, sigma: f32) -> vec2<f32> {
    let a = here.alpha;
    let inv_sigma = 1.0 / sigma;
    let ln_q0 = -(log(sigma) + LN_SQRT_2PI);
    var top = -3.4028235e38;
    var top_mass = -3.4028235e38;
    for (var k = 0u; k < MODE_COUNT; k++) {
        let bk = bump(k, mu, sigma, inv_sigma, ln_q0);
        top = max(top, bk.z);
        top_mass = max(top_mass, bk.w);
    }
    var lo = 3.4028235e38;
    var end = -3.4028235e38;
    for (var k = 0u; k <= MODE_COUNT; k++) {
        let bk = bump(k, mu, sigma, inv_sigma, ln_q0);
        if bump_used(bk, k, top_mass) {
            lo = -max(-lo, -(bk.x + bk.y * z_edge(0u)));
            end = max(end, bk.x + bk.y * z_edge(EDGE_COUNT - 1u));
        }
    }
    let subtract = a <= 0.5 && ln_q0 - top < ALPHA_SUBTRACT_Q;
    // (int f, int e z, int e (z^2 - 1)), f = p^a q^(1-a) / e^top, e = f - q / e^top when subtracting.
    var acc = vec3<f32>(0.0, 0.0, 0.0);
    var j = 0u;
    while lo < end {
        var hi = end;
        for (var k = 0u; k <= MODE_COUNT; k++) {
            let bk = bump(k, mu, sigma, inv_sigma, ln_q0);
            if bump_used(bk, k, top_mass) {
                for (var i = 0u; i < EDGE_COUNT; i++) {
                    let edge = bk.x + bk.y * z_edge(i);
                    if edge > lo && edge < hi {
                        hi = edge;
                    }
                }
            }
        }
        while j < here.cut_count && (cut(j).x <= lo || cut(j).y >= sigma) {
            j++;
        }
        if j < here.cut_count && cut(j).x < hi {
            hi = cut(j).x;
        }
        let mid = 0.5 * (lo + hi);
        let half = 0.5 * (hi - lo);
        alpha_pair(mid, half, GL_NODE_0, GL_WEIGHT_0, mu, inv_sigma, ln_q0, top, subtract, &acc);
        alpha_pair(mid, half, GL_NODE_1, GL_WEIGHT_1, mu, inv_sigma, ln_q0, top, subtract, &acc);
        alpha_pair(mid, half, GL_NODE_2, GL_WEIGHT_2, mu, inv_sigma, ln_q0, top, subtract, &acc);
        lo = hi;
    }
    if here.objective == OBJECTIVE_AMARI {
        let scale = -exp(top) * inv_sigma / a;
        return vec2<f32>(scale * acc.y, scale * acc.z);
    }
    let scale = -inv_sigma / (acc.x * a);
    return vec2<f32>(scale * acc.y, scale * acc.z);
}

fn alpha_pair(mid: f32, half: f32, node: f32, weight: f32, mu: f32, inv_sigma: f32, ln_q0: f32,
              top: f32, subtract: bool, acc: ptr<function, vec3<f32>>) {
    alpha_node(mid - half * node, half * weight, mu, inv_sigma, ln_q0, top, subtract, acc);
    alpha_node(mid + half * node, half * weight, mu, inv_sigma, ln_q0, top, subtract, acc);
}

fn alpha_node(x: f32, w: f32, mu: f32, inv_sigma: f32, ln_q0: f32, top: f32, subtract: bool,
              acc: ptr<function, vec3<f32>>) {
    let a = here.alpha;
    let z = (x - mu) * inv_sigma;
    let log_q = ln_q0 - 0.5 * z * z;
    let v = w * exp(a * log_p(x) + (1.0 - a) * log_q - top);
    var e = v;
    if subtract {
        e = v - w * exp(log_q - top);
    }
    *acc += vec3<f32>(v, e * z, e * (z * z - 1.0));
}

fn z_edge(i: u32) -> f32 {
    return params.z_edges[i / 4u][i % 4u];
}

// One Gauss-Legendre node pair +-node of a panel: adds w g and w z g.
fn node_pair(centre: f32, half: f32, node: f32, weight: f32, mu: f32, inv_sigma: f32, acc: ptr<function, vec2<f32>>) {
    add_node(centre - half * node, half * weight, mu, inv_sigma, acc);
    add_node(centre + half * node, half * weight, mu, inv_sigma, acc);
}

fn add_node(x: f32, half_weight: f32, mu: f32, inv_sigma: f32, acc: ptr<function, vec2<f32>>) {
    let z = (x - mu) * inv_sigma;
    let w = half_weight * exp(-0.5 * z * z);
    let g = score(x);
    (*acc).x += w * g;
    (*acc).y += w * z * g;
}

fn gradient(mu: f32, sigma: f32) -> vec2<f32> {
    if ALPHA_KERNEL && here.objective >= OBJECTIVE_AMARI {
        return alpha_gradient(mu, sigma);
    }
    if here.objective == OBJECTIVE_INCLUSIVE {
        let d = mu - here.mean;
        let s2 = sigma * sigma;
        let spread = here.variance + d * d;
        return vec2<f32>(d / s2, 1.0 / sigma - spread / (s2 * sigma));
    }
    // Gauss-Legendre panels between q's z-edges and the target's cuts, merged
    // in order; cuts outside q's reach, or for features broader than q, skipped.
    let inv_sigma = 1.0 / sigma;
    var a = mu + sigma * z_edge(0u);
    var j = 0u;
    while j < here.cut_count && cut(j).x <= a {
        j++;
    }
    // (E[g], E[z g]) before the 1 / (sqrt(2 pi) sigma) factor.
    var acc = vec2<f32>(0.0, 0.0);
    var i = 1u;
    while i < EDGE_COUNT {
        let edge = mu + sigma * z_edge(i);
        var b = edge;
        if j < here.cut_count && cut(j).x < edge {
            let c = cut(j);
            j++;
            if c.y >= sigma {
                continue;
            }
            b = c.x;
        } else {
            i++;
        }
        let centre = 0.5 * (a + b);
        let half = 0.5 * (b - a);
        node_pair(centre, half, GL_NODE_0, GL_WEIGHT_0, mu, inv_sigma, &acc);
        node_pair(centre, half, GL_NODE_1, GL_WEIGHT_1, mu, inv_sigma, &acc);
        node_pair(centre, half, GL_NODE_2, GL_WEIGHT_2, mu, inv_sigma, &acc);
        a = b;
    }
    let norm = INV_SQRT_2PI * inv_sigma;
    return vec2<f32>(-(norm * acc.x), -(1.0 / sigma) - norm * acc.y);
}

fn step(s: ptr<function, FitState>) {
    var sigma = (*s).sigma;
    if here.learn_sigma == 0u {
        sigma = here.fixed_sigma;
    }
    let grad = gradient((*s).mu, sigma);

    // Adam, as src/adam.rs, on both components at once; sigma's moments are
    // left alone in the fixed family. (No dynamic indexing: private arrays
    // indexed in a loop leak stack on lavapipe.)
    (*s).t += 1u;
    (*s).beta_pow = vec2<f32>((*s).beta_pow.x * BETA1, (*s).beta_pow.y * BETA2);
    let lr_t = here.lr / (1.0 + DECAY * f32((*s).t));
    let held = vec2<bool>(false, here.learn_sigma == 0u);
    let m = select(BETA1 * (*s).m + (1.0 - BETA1) * grad, (*s).m, held);
    let v = select(BETA2 * (*s).v + (1.0 - BETA2) * grad * grad, (*s).v, held);
    (*s).m = m;
    (*s).v = v;
    let m_hat = m / (1.0 - (*s).beta_pow.x);
    let v_hat = v / (1.0 - (*s).beta_pow.y);
    let params_now = vec2<f32>((*s).mu, sigma);
    var next = select(params_now - lr_t * m_hat / (sqrt(v_hat) + EPS), params_now, held);
    next.y = max(next.y, SIGMA_FLOOR);

    if !(is_finite(next.x) && is_finite(next.y)) || abs(next.x) > DIVERGED_BEYOND
        || next.y > DIVERGED_BEYOND {
        (*s).status = STATUS_DIVERGED;
        return;
    }
    let moved = max(abs(next.x - (*s).mu), abs(next.y - sigma));
    (*s).mu = next.x;
    (*s).sigma = next.y;
    if moved < CONVERGED_STEP {
        (*s).still += 1u;
    } else {
        (*s).still = 0u;
    }
    if (*s).still >= CONVERGED_PATIENCE {
        (*s).status = STATUS_CONVERGED;
    }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn fit(@builtin(workgroup_id) group_id: vec3<u32>, @builtin(local_invocation_index) lane: u32,
       @builtin(num_workgroups) groups: vec3<u32>) {
    let slot = group_id.x + group_id.y * groups.x;
    if slot >= params.groups {
        return;
    }
    let group = (slot * params.stride) % params.groups;
    // The last problem whose first workgroup is at most this one, by
    // bisection (log2 of the problem count iterations, once per dispatch).
    var lo = 0u;
    var hi = params.problem_count;
    while hi - lo > 1u {
        let mid = (lo + hi) / 2u;
        if problems[mid].group_first <= group {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    here = problems[lo];
    let local = (group - problems[lo].group_first) * WORKGROUP_SIZE + lane;
    if local >= problems[lo].count {
        return;
    }
    let i = problems[lo].first + local;
    var s = states[i];
    // One loop whose condition carries the status: no early return or break
    // (divergent exits inside long loops miscompile on some drivers).
    for (var k = 0u; k < params.steps && s.status == STATUS_RUNNING; k++) {
        step(&s);
    }
    // Lavapipe ends every loop of an invocation once they have run 65535
    // iterations in all, in the middle of a step if need be (the alpha
    // kernel's panel loops reach it within a few hundred steps). A loop of
    // `params.sentinel` = 2 iterations reaches its second only if that
    // limit was not hit; otherwise the state is marked STATUS_CUT and the
    // host runs the chunk again in shorter dispatches.
    var whole = false;
    for (var z = 0u; z < params.sentinel; z++) {
        whole = z == 1u;
    }
    if !whole {
        s.status = STATUS_CUT;
    }
    states[i] = s;
    if s.status == STATUS_RUNNING {
        atomicAdd(&running, 1u);
    }
}
