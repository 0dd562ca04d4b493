//! Stable colours for optima across edits: maps number their optima by KL,
//! so a small edit that reorders them would swap the basins' colours. Each
//! new map's optima are matched to the previous map's by position; a
//! matched optimum keeps its colour, a new one takes the first colour free.

use crate::landscape::Optimum;

/// Farthest an optimum moves between two maps, in (mu, sigma), and still
/// counts as the same one.
pub const MATCH_DISTANCE: f64 = 2.0;

/// The colour slots of the optima of the map on view.
#[derive(Debug, Default, Clone)]
pub struct Identities {
    /// Version of the map the slots belong to.
    version: Option<u64>,
    /// (mu, sigma, slot) of each optimum, in the map's order.
    known: Vec<(f64, f64, usize)>,
}

impl Identities {
    /// Takes the optima of map `version` (a no-op if it is the one known),
    /// matching them to the previous map's.
    pub fn update(&mut self, version: u64, optima: &[Optimum]) {
        if self.version == Some(version) {
            return;
        }
        let points: Vec<(f64, f64)> = optima.iter().map(|o| (o.mu, o.sigma)).collect();
        let slots = assign(&self.known, &points);
        self.known = points
            .iter()
            .zip(slots)
            .map(|(&(mu, sigma), s)| (mu, sigma, s))
            .collect();
        self.version = Some(version);
    }

    /// The colour slot of optimum `k` of the map on view (`k` itself if unknown).
    pub fn slot(&self, k: usize) -> usize {
        self.known.get(k).map_or(k, |&(_, _, s)| s)
    }

    /// The palette index of map label `label` (negative: not converged, kept).
    pub fn label(&self, label: i32) -> i32 {
        match usize::try_from(label) {
            Ok(k) => self.slot(k) as i32,
            Err(_) => label,
        }
    }
}

/// Colour slots for `optima`: each takes the slot of the nearest `previous`
/// optimum within [`MATCH_DISTANCE`] (closest pairs first, each previous one
/// used once); the rest take the lowest slots not taken.
pub fn assign(previous: &[(f64, f64, usize)], optima: &[(f64, f64)]) -> Vec<usize> {
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, &(mu, sigma)) in optima.iter().enumerate() {
        for (j, &(pm, ps, _)) in previous.iter().enumerate() {
            let d = (mu - pm).hypot(sigma - ps);
            if d <= MATCH_DISTANCE {
                pairs.push((d, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut slots: Vec<Option<usize>> = vec![None; optima.len()];
    let mut used = vec![false; previous.len()];
    for (_, i, j) in pairs {
        if slots[i].is_none() && !used[j] {
            slots[i] = Some(previous[j].2);
            used[j] = true;
        }
    }
    let mut taken: Vec<usize> = slots.iter().flatten().copied().collect();
    slots
        .into_iter()
        .map(|s| {
            s.unwrap_or_else(|| {
                let free = (0..).find(|n| !taken.contains(n)).unwrap_or(0);
                taken.push(free);
                free
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reordered_optimum_keeps_its_slot_and_new_ones_take_free_slots() {
        let before = [(-2.5, 0.8, 0), (2.5, 0.8, 1), (0.0, 2.27, 2)];
        // Mode 2 dragged to 4.36: the right optimum follows, the wide one
        // moves, the order by KL changes.
        let after = [(4.36, 0.8), (-2.5, 0.8), (0.9, 2.6)];
        assert_eq!(assign(&before, &after), vec![1, 0, 2]);
        // One vanished, one far away is new: it takes the free slot.
        let after = [(-2.5, 0.8), (9.0, 0.5), (0.1, 2.3)];
        assert_eq!(assign(&before, &after), vec![0, 1, 2]);
        assert_eq!(assign(&[], &[(1.0, 1.0), (2.0, 1.0)]), vec![0, 1]);
    }
}
