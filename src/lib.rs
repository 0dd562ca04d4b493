//! kl-landscape: fit one Gaussian q to a Gaussian-mixture target p by Adam in
//! both KL directions, and map which local optimum each start reaches.
//!
//! Data flows one way: [`target`] -> [`objective`] -> [`engine`] ->
//! [`landscape`] -> view ([`app`]) or [`export`].

pub mod adam;
pub mod app;
pub mod cli;
pub mod command;
pub mod console;
pub mod defaults;
pub mod engine;
pub mod error;
pub mod export;
pub mod landscape;
pub mod map_job;
pub mod map_pace;
pub mod number;
pub mod objective;
pub mod output;
pub mod palette;
pub mod polish;
pub mod quadrature;
pub mod real;
pub mod refine;
pub mod scenario;
pub mod sweep;
pub mod target;

pub use error::{Error, Result};
pub use landscape::{Grid, Landscape};
pub use objective::{Eval, Family, Objective, Problem};
pub use target::{Mixture, Mode};
