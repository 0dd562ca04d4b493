// fit.wgsl: one invocation per start runs up to `params.steps` Adam steps of
// one objective. CPU twin: `Kernel::step` in src/engine/fit.rs (same
// arithmetic, in f32). The constants above this line (BETA1, NODES, ...) are
// generated from src/defaults.rs by `engine::gpu::shader_source`.

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

struct Params {
    // Per mode: mean, precision / 2, precision, ln w - ln std - ln sqrt(2 pi).
    modes: array<vec4<f32>, MAX_MODES>,
    mode_count: u32,
    objective: u32,
    learn_sigma: u32,
    steps: u32,
    count: u32,
    lr: f32,
    fixed_sigma: f32,
    mean: f32,
    variance: f32,
    pad0: u32,
    pad1: u32,
    pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> states: array<FitState>;
@group(0) @binding(2) var<storage, read_write> running: atomic<u32>;

fn is_finite(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

// d/dx log p(x): two-pass stable softmax over the modes.
fn score(x: f32) -> f32 {
    var logs: array<f32, MAX_MODES>;
    var top = -3.4028235e38;
    for (var k = 0u; k < params.mode_count; k++) {
        let m = params.modes[k];
        let d = x - m.x;
        logs[k] = m.w - m.y * d * d;
        top = max(top, logs[k]);
    }
    var sum = 0.0;
    var pull = 0.0;
    for (var k = 0u; k < params.mode_count; k++) {
        let m = params.modes[k];
        let r = exp(logs[k] - top);
        sum += r;
        pull += r * m.z * (m.x - x);
    }
    return pull / sum;
}

fn gradient(mu: f32, sigma: f32) -> vec2<f32> {
    if params.objective == OBJECTIVE_INCLUSIVE {
        let d = mu - params.mean;
        let s2 = sigma * sigma;
        let spread = params.variance + d * d;
        return vec2<f32>(d / s2, 1.0 / sigma - spread / (s2 * sigma));
    }
    var e_g = 0.0;
    var e_zg = 0.0;
    for (var i = 0u; i < NODE_COUNT; i++) {
        let node = NODES[i];
        let g = score(mu + sigma * node.x);
        e_g += node.y * g;
        e_zg += node.y * node.x * g;
    }
    return vec2<f32>(-e_g, -(1.0 / sigma) - e_zg);
}

fn step(s: ptr<function, FitState>) {
    var sigma = (*s).sigma;
    if params.learn_sigma == 0u {
        sigma = params.fixed_sigma;
    }
    let grad = gradient((*s).mu, sigma);

    // Adam, as src/adam.rs.
    (*s).t += 1u;
    (*s).beta_pow = vec2<f32>((*s).beta_pow.x * BETA1, (*s).beta_pow.y * BETA2);
    let lr_t = params.lr / (1.0 + DECAY * f32((*s).t));
    var next = vec2<f32>((*s).mu, sigma);
    let learned = select(1u, 2u, params.learn_sigma != 0u);
    for (var i = 0u; i < learned; i++) {
        (*s).m[i] = BETA1 * (*s).m[i] + (1.0 - BETA1) * grad[i];
        (*s).v[i] = BETA2 * (*s).v[i] + (1.0 - BETA2) * grad[i] * grad[i];
        let m_hat = (*s).m[i] / (1.0 - (*s).beta_pow.x);
        let v_hat = (*s).v[i] / (1.0 - (*s).beta_pow.y);
        next[i] = next[i] - lr_t * m_hat / (sqrt(v_hat) + EPS);
    }
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
fn fit(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = id.x + id.y * groups.x * WORKGROUP_SIZE;
    if i >= params.count {
        return;
    }
    var s = states[i];
    if s.status != STATUS_RUNNING {
        return;
    }
    for (var k = 0u; k < params.steps; k++) {
        step(&s);
        if s.status != STATUS_RUNNING {
            break;
        }
    }
    states[i] = s;
    if s.status == STATUS_RUNNING {
        atomicAdd(&running, 1u);
    }
}
