//! Adam's first steps against values computed by hand from the widget's formulas.

use kl_landscape::adam::Adam;

#[test]
fn first_two_steps_match_hand_computation() {
    let lr = 0.08;
    let mut adam = Adam::<f64>::default();
    let (g1, g2) = ([0.5, -2.0], [1.0, 1.0]);
    let p1 = adam.update([1.0, 1.5], g1, lr, true);
    // Step 1: m = 0.1 g, v = 0.001 g^2, m_hat = g, v_hat = g^2, lr_1 = 0.08 / 1.002.
    let lr1 = 0.08 / 1.002;
    let want1 = [
        1.0 - lr1 * 0.5 / (0.5 + 1e-8),
        1.5 - lr1 * (-2.0) / (2.0 + 1e-8),
    ];
    assert!(
        (p1[0] - want1[0]).abs() < 1e-15 && (p1[1] - want1[1]).abs() < 1e-15,
        "{p1:?} vs {want1:?}"
    );
    // Step 2: m = 0.9 m1 + 0.1 g2, v = 0.999 v1 + 0.001 g2^2, bias 1 - 0.9^2 and 1 - 0.999^2, lr_2 = 0.08 / 1.004.
    let p2 = adam.update(p1, g2, lr, true);
    let lr2 = 0.08 / 1.004;
    let step = |g1: f64, g2: f64| {
        let m = 0.9 * (0.1 * g1) + 0.1 * g2;
        let v = 0.999 * (0.001 * g1 * g1) + 0.001 * g2 * g2;
        (m / 0.19) / ((v / (1.0 - 0.998_001_f64)).sqrt() + 1e-8)
    };
    let want2 = [p1[0] - lr2 * step(0.5, 1.0), p1[1] - lr2 * step(-2.0, 1.0)];
    assert!(
        (p2[0] - want2[0]).abs() < 1e-14 && (p2[1] - want2[1]).abs() < 1e-14,
        "{p2:?} vs {want2:?}"
    );
    assert_eq!(adam.t, 2);
}

#[test]
fn sigma_is_clamped_and_held_when_fixed() {
    let mut adam = Adam::<f64>::default();
    let p = adam.update([0.0, 0.12], [0.0, 100.0], 1.0, true);
    assert_eq!(p[1], 0.1, "sigma floor");
    let mut adam = Adam::<f64>::default();
    let p = adam.update([0.0, 1.0], [1.0, 100.0], 0.08, false);
    assert_eq!(p[1], 1.0, "fixed family keeps sigma");
    assert_eq!(adam.m[1], 0.0, "no moment for a held sigma");
}
