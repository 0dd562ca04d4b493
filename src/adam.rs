//! Adam exactly as the widget runs it: bias-corrected moments, a step size
//! that decays as lr / (1 + 0.002 t), and sigma clamped at the floor.

use crate::defaults::{ADAM_BETA1, ADAM_BETA2, ADAM_DECAY, ADAM_EPS, SIGMA_FLOOR};
use crate::real::Real;

/// Adam's state for the two parameters (mu, sigma). `#[repr(C)]` so the f32
/// form is also the GPU's layout.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C)]
pub struct Adam<R> {
    /// First moments (mu, sigma).
    pub m: [R; 2],
    /// Second moments (mu, sigma).
    pub v: [R; 2],
    /// beta1^t and beta2^t, carried as products so every backend rounds alike.
    pub beta_pow: [R; 2],
    /// Steps since the last reset.
    pub t: u32,
    /// Padding that keeps the GPU layout 4-byte aligned and explicit.
    pub _pad: u32,
}

impl<R: Real> Default for Adam<R> {
    fn default() -> Self {
        Self {
            m: [R::of(0.0); 2],
            v: [R::of(0.0); 2],
            beta_pow: [R::of(1.0); 2],
            t: 0,
            _pad: 0,
        }
    }
}

impl<R: Real> Adam<R> {
    /// One update of `params` = [mu, sigma] along `grad`; sigma only when
    /// `learn_sigma`. Returns the new parameters (sigma clamped at the floor).
    pub fn update(&mut self, params: [R; 2], grad: [R; 2], lr: R, learn_sigma: bool) -> [R; 2] {
        let (b1, b2) = (R::of(ADAM_BETA1), R::of(ADAM_BETA2));
        let one = R::of(1.0);
        self.t += 1;
        self.beta_pow[0] = self.beta_pow[0] * b1;
        self.beta_pow[1] = self.beta_pow[1] * b2;
        let lr_t = lr / (one + R::of(ADAM_DECAY) * R::of(self.t as f64));
        let mut out = params;
        let learned = if learn_sigma { 2 } else { 1 };
        for i in 0..learned {
            self.m[i] = b1 * self.m[i] + (one - b1) * grad[i];
            self.v[i] = b2 * self.v[i] + (one - b2) * grad[i] * grad[i];
            let m_hat = self.m[i] / (one - self.beta_pow[0]);
            let v_hat = self.v[i] / (one - self.beta_pow[1]);
            out[i] = params[i] - lr_t * m_hat / (v_hat.sqrt() + R::of(ADAM_EPS));
        }
        out[1] = out[1].max(R::of(SIGMA_FLOOR));
        out
    }
}
