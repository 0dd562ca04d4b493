//! Numbers as people read them in messages, summaries and labels.

/// `x` with `decimals` decimals, never printed as "-0.000".
pub fn fixed(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// The shortest text that reads back as `x`, in scientific notation when
/// very large or small (`1e-300`, not three hundred digits).
pub fn readable(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-4..1e7).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_numbers_are_short_and_exact() {
        assert_eq!(readable(1e-300), "1e-300");
        assert_eq!(readable(1.5e308), "1.5e308");
        assert_eq!(readable(0.08), "0.08");
        assert_eq!(readable(-2.5), "-2.5");
        assert_eq!(readable(1e6), "1000000");
        assert_eq!(readable(0.0), "0");
        for x in [1e-300, 1.2345, 123456789.0, 2e-5] {
            assert_eq!(readable(x).parse::<f64>().unwrap(), x);
        }
        assert_eq!(fixed(-0.0001, 3), "0.000");
        assert_eq!(fixed(-1.25, 1), "-1.2");
    }
}
