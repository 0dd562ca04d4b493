//! The floor under the engines' speed: how many exp evaluations per second
//! the adapter (`shaders/exp_rate.wgsl`) and the CPU (f64, all threads) do.
//! The bench divides a map's exp count by these rates to get the time it
//! could take at best, and reports the achieved fraction.

use std::time::Instant;

use rayon::prelude::*;

use super::gpu::GpuEngine;
use crate::error::Result;

/// Rounds of the four exp chains per invocation (well under lavapipe's loop cap).
pub const ROUNDS: u32 = 2048;

/// The probe's WGSL source.
pub fn shader_source() -> String {
    format!(
        "const ROUNDS: u32 = {ROUNDS}u;\n{}",
        include_str!("../../shaders/exp_rate.wgsl")
    )
}

/// CPU twin of the probe's invocation `id`, in the probe's own f32 arithmetic.
pub fn exp_chains(id: u32) -> f32 {
    let mut a = 0.01 * (id % 97) as f32;
    let (mut b, mut c, mut d) = (a + 0.25, a + 0.5, a + 0.75);
    for _ in 0..ROUNDS {
        a = (-a).exp();
        b = (-b).exp();
        c = (-c).exp();
        d = (-d).exp();
    }
    a + b + c + d
}

/// Exps per second on the CPU in f64 over all rayon threads (the CPU
/// engine's floor): the best of three runs, as the machines are shared.
pub fn cpu_rate() -> f64 {
    let chains: u32 = 1 << 14;
    let once = || {
        let clock = Instant::now();
        let sum: f64 = (0..chains)
            .into_par_iter()
            .map(|id| {
                // Four independent chains, as in the GPU probe: throughput, not latency.
                let a = 0.01 * f64::from(id % 97);
                let mut x = [a, a + 0.25, a + 0.5, a + 0.75];
                for _ in 0..ROUNDS {
                    x = x.map(|v| (-v).exp());
                }
                x.iter().sum::<f64>()
            })
            .sum();
        std::hint::black_box(sum);
        f64::from(chains) * f64::from(ROUNDS) * 4.0 / clock.elapsed().as_secs_f64()
    };
    (0..3).map(|_| once()).fold(0.0, f64::max)
}

impl GpuEngine {
    /// Runs the probe for `invocations` invocations and returns their outputs.
    pub fn exp_chains(&self, invocations: u32) -> Result<Vec<f32>> {
        self.run_probe(&shader_source(), "exp_chains", invocations)
    }

    /// Exps per second on this adapter: the best of three timed dispatches after a warm-up.
    pub fn exp_rate(&self) -> Result<f64> {
        let invocations = 1 << 16;
        self.exp_chains(1 << 10)?;
        let mut best: f64 = 0.0;
        for _ in 0..3 {
            let clock = Instant::now();
            self.exp_chains(invocations)?;
            best = best.max(
                f64::from(invocations) * f64::from(ROUNDS) * 4.0 / clock.elapsed().as_secs_f64(),
            );
        }
        Ok(best)
    }
}
