//! Who reviews what: each idea gets `k` judges, the work spread evenly, never a judge with a
//! conflict of interest, and each judge's list in an order of its own (the order ideas are read
//! in biases scores, so no idea should always come first or last).
//!
//! Greedy and exact enough: ideas with the fewest eligible judges are served first (so a
//! conflict-heavy idea is not left with nobody), and each takes the `k` least-loaded eligible
//! judges, ties drawn at random. Loads then differ by at most one wherever conflicts allow.

use rand::Rng;
use rand::seq::SliceRandom;

/// The result: `judges_of[item]` and, per judge, `order[judge]` — their items, shuffled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub judges_of: Vec<Vec<usize>>,
    pub order: Vec<Vec<usize>>,
    /// Items that got fewer judges than they need because too few are free of conflict.
    pub short: Vec<usize>,
}

/// Assigns idea `i` to `need[i]` more of `judges` judges. `load[j]` is the work judge `j` already
/// has, counted as if assigned here; `eligible(item, judge)` is false for a conflict or a judge
/// already on the idea. `rng` decides ties and each judge's order, so a seed reproduces the
/// assignment.
pub fn assign<R: Rng>(
    need: &[usize],
    judges: usize,
    load: &[u32],
    eligible: impl Fn(usize, usize) -> bool,
    rng: &mut R,
) -> Assignment {
    let items = need.len();
    let mut load: Vec<u32> = (0..judges)
        .map(|j| load.get(j).copied().unwrap_or(0))
        .collect();
    let eligible_count: Vec<usize> = (0..items)
        .map(|i| (0..judges).filter(|&j| eligible(i, j)).count())
        .collect();
    let mut queue: Vec<(usize, u64, usize)> = (0..items)
        .map(|i| (eligible_count[i], rng.random(), i))
        .collect();
    queue.sort_unstable();

    let mut judges_of = vec![Vec::new(); items];
    let mut order = vec![Vec::new(); judges];
    let mut short = Vec::new();
    let mut candidates: Vec<(u32, u64, usize)> = Vec::with_capacity(judges);
    for (_, _, item) in queue {
        candidates.clear();
        candidates.extend(
            (0..judges)
                .filter(|&j| eligible(item, j))
                .map(|j| (load[j], rng.random(), j)),
        );
        let k = need[item];
        let take = k.min(candidates.len());
        if take > 0 {
            candidates.select_nth_unstable(take - 1);
        }
        for &(_, _, j) in &candidates[..take] {
            load[j] += 1;
            judges_of[item].push(j);
            order[j].push(item);
        }
        judges_of[item].sort_unstable();
        if take < k {
            short.push(item);
        }
    }
    short.sort_unstable();
    for list in &mut order {
        list.shuffle(rng);
    }
    Assignment {
        judges_of,
        order,
        short,
    }
}

/// A judge to take over `item` from one who skipped it or declared a conflict: the least-loaded
/// eligible judge not already on it and not in `excluded` (the judge leaving it, who must not get
/// it back at once). Ties drawn at random; `None` when nobody is free.
pub fn replacement<R: Rng>(
    item: usize,
    on_it: &[usize],
    excluded: &[usize],
    load: &[u32],
    eligible: impl Fn(usize, usize) -> bool,
    rng: &mut R,
) -> Option<usize> {
    (0..load.len())
        .filter(|j| !on_it.contains(j) && !excluded.contains(j) && eligible(item, *j))
        .map(|j| (load[j], rng.random::<u64>(), j))
        .min()
        .map(|(_, _, j)| j)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn every_idea_gets_k_judges_evenly_and_never_a_conflicted_one() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        // Judge j is an author of ideas i with i % 40 == j.
        let eligible = |i: usize, j: usize| i % 40 != j;
        let a = assign(&[3; 1400], 40, &[], eligible, &mut rng);
        assert!(a.short.is_empty());
        for (i, js) in a.judges_of.iter().enumerate() {
            assert_eq!(js.len(), 3);
            assert!(js.iter().all(|&j| eligible(i, j)));
            assert!(js.windows(2).all(|w| w[0] < w[1]), "three different judges");
        }
        let loads: Vec<usize> = a.order.iter().map(Vec::len).collect();
        let (min, max) = (loads.iter().min().unwrap(), loads.iter().max().unwrap());
        assert!(max - min <= 1, "{loads:?}");
        // Orders differ between judges: not all lists ascending.
        assert!(a.order.iter().any(|l| l.windows(2).any(|w| w[0] > w[1])));
    }

    #[test]
    fn a_seed_reproduces_and_shortfalls_are_reported() {
        let run = || {
            let mut rng = ChaCha8Rng::seed_from_u64(3);
            assign(
                &[3; 10],
                3,
                &[5, 0, 0],
                |i, j| !(i == 4 && j == 0),
                &mut rng,
            )
        };
        let a = run();
        assert_eq!(a, run());
        assert_eq!(a.short, vec![4]);
        assert_eq!(a.judges_of[4], vec![1, 2]);
    }

    #[test]
    fn a_replacement_is_free_least_loaded_and_not_the_one_who_left() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let load = [1, 9, 2, 3];
        let got = replacement(0, &[2], &[0], &load, |_, j| j != 3, &mut rng);
        assert_eq!(got, Some(1));
        assert_eq!(
            replacement(0, &[2, 1], &[0], &load, |_, j| j != 3, &mut rng),
            None
        );
    }
}
