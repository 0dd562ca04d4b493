use kl_landscape::*;
use kl_landscape::engine::{cpu::CpuEngine, fit::Kernel, Engine};
use std::time::Instant;

#[test]
fn scratch() {
    let targets = [
        ("default", Mixture::widget_default()),
        ("narrow", Mixture::parse("1:-3:0.15,1:0:0.15,1:2.5:0.15").unwrap()),
        ("p3", Mixture::parse("0.25:-4.5:0.7,0.25:-1.5:0.5,0.5:2.5:1.5").unwrap()),
    ];
    for (name, t) in &targets {
        let p = Problem::new(t.clone(), Objective::Exclusive, Family::Gaussian);
        for &(mu, sigma) in &[(0.0, 1.0), (0.0, 2.27), (2.5, 0.8), (1.0, 5.0), (10.0, 0.5)] {
            let exact = p.evaluate(mu, sigma);
            let mut line = format!("{name} mu={mu} s={sigma} exact=({:.3e},{:.3e})", exact.d_mu, exact.d_sigma);
            for n in [16, 24, 32, 48, 64, 96] {
                let k = Kernel::<f64>::new(&p, n, 0.08);
                let g = k.gradient(mu, sigma);
                line += &format!(" n{n}:{:.1e}", (g[0]-exact.d_mu).abs().max((g[1]-exact.d_sigma).abs()));
            }
            println!("{line}");
        }
    }
    let p = Problem::new(Mixture::widget_default(), Objective::Exclusive, Family::Gaussian);
    let grid = Grid::default_map();
    let clock = Instant::now();
    let l = Landscape::compute(&CpuEngine, &p, &grid, 1000, 0.08, &mut |_| {}).unwrap();
    let conv = l.labels.iter().filter(|&&x| x >= 0).count();
    println!("cpu W1 {:.2}s labelled {conv}/{} optima {:?} saddles {:?}", clock.elapsed().as_secs_f64(), l.labels.len(), l.optima, l.saddles);
    let mean_steps: f64 = l.steps_to_converge.iter().map(|&s| s as f64).sum::<f64>() / l.labels.len() as f64;
    println!("mean steps {mean_steps}");
    let gpu = kl_landscape::engine::gpu::GpuEngine::new().unwrap();
    println!("{:?}", gpu.info());
    let clock = Instant::now();
    let lg = Landscape::compute(&gpu, &p, &grid, 1000, 0.08, &mut |_| {}).unwrap();
    let agree = l.labels.iter().zip(&lg.labels).filter(|(a,b)| a==b).count();
    println!("gpu W1 {:.2}s optima {:?} agree {agree}", clock.elapsed().as_secs_f64(), lg.optima);
}
