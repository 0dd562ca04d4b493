//! The commands, one file each: `basins`, `fit`, `sweep`, `bench` and `gui`, with the
//! argument groups and parsers they share in `args`.

pub mod args;
pub mod basins;
pub mod bench;
pub mod fit;
pub mod gui;
pub mod sweep;
