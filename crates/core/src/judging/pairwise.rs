//! Pairwise mode: a judge sees two ideas and picks the better; the ranking comes from all the
//! picks by the Bradley–Terry model, `P(i beats j) = σ(s_i − s_j)`, with `s` an idea's
//! log-strength.
//!
//! - [`bradley_terry`]: the maximum-likelihood `s`, by Newton's method with a line search (the
//!   log-likelihood is concave, so every step that raises it leads to the one maximum). The
//!   maximum exists, and is unique up to a constant, if
//!   and only if the comparison graph (an arc from each loser to its winner) is strongly
//!   connected: otherwise some group of ideas never lost to the rest and its strength runs off to
//!   infinity. We then say so (`mle: false`) and rank by a regularized fit instead: every idea is
//!   treated as having also won half and lost half a comparison against a phantom idea of average
//!   strength — a weak prior that is outweighed by a handful of real comparisons and keeps an
//!   idea nobody compared yet in the middle, with a wide interval. Log-strengths are centred to
//!   mean 0.
//! - [`crowd_bt`]: CrowdBT (Chen et al., 2013): each judge `k` also has a reliability `η_k`, the
//!   chance that they pick the truly better idea; a comparison by a judge of reliability `η` is
//!   explained by `η σ(s_w − s_l) + (1 − η) σ(s_l − s_w)`. Fitted by expectation–maximization:
//!   each comparison is weighed by how likely it is honest, the strengths are refitted on the
//!   weighted outcomes, and `η_k` is the judge's mean weight under a Beta(8, 2) prior (a judge is
//!   believed right 80% of the time until ten comparisons say otherwise), never below one half.
//!   CrowdBT always includes the phantom comparisons: with reliabilities below 1 any upset can be
//!   blamed on the judge, and without a prior the strengths of a strongly connected graph run off
//!   to infinity too.
//! - Uncertainty: the 95% interval `s ± 1.96/√I_ii`, with `I_ii = Σ_j n_ij p_ij (1 − p_ij)` the
//!   diagonal of the Fisher information (covariances left out, which is accurate when each idea
//!   meets many others).
//! - [`next_pair`]: the most informative pair for a judge.

use super::Z95;
use petgraph::graph::DiGraph;
use rand::Rng;

/// One judgment: `winner` was picked over `loser` by `judge`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comparison {
    pub winner: usize,
    pub loser: usize,
    pub judge: usize,
}

/// A fitted pairwise model. Vectors are indexed by item.
#[derive(Debug, Clone, PartialEq)]
pub struct Strengths {
    /// Log-strengths, centred to mean 0.
    pub log_strength: Vec<f64>,
    /// Half the width of the 95% interval; `None` for an idea nobody compared.
    pub margin: Vec<Option<f64>>,
    pub comparisons: Vec<u32>,
    /// The comparison graph is strongly connected, so `log_strength` is the maximum-likelihood
    /// estimate; when false it is the regularized fit described in the module docs.
    pub mle: bool,
    /// Strongly connected components of the comparison graph (1 when `mle`).
    pub components: usize,
    /// CrowdBT only: each judge's estimated reliability, 0..1.
    pub judge_reliability: Vec<f64>,
}

/// Stop when no log-strength moves more than this in an iteration.
const TOLERANCE: f64 = 1e-10;

/// Pair counts: comparisons between `i < j`, with `i`'s and `j`'s (possibly fractional) wins.
struct Pairs {
    edges: Vec<(usize, usize, f64)>,
    wins: Vec<f64>,
}

fn pairs(items: usize, outcomes: impl Iterator<Item = (usize, usize, f64)>) -> Pairs {
    let mut map: std::collections::HashMap<(usize, usize), f64> = Default::default();
    let mut wins = vec![0.0; items];
    for (w, l, weight) in outcomes {
        let key = (w.min(l), w.max(l));
        *map.entry(key).or_default() += weight;
        wins[w] += weight;
    }
    let mut edges: Vec<(usize, usize, f64)> =
        map.into_iter().map(|((i, j), n)| (i, j, n)).collect();
    // A fixed order makes the floating-point sums, and so the result, the same on every run.
    edges.sort_unstable_by_key(|&(i, j, _)| (i, j));
    Pairs { edges, wins }
}

/// Strongly connected components of the graph with an arc from each loser to its winner.
fn components(items: usize, comparisons: &[Comparison]) -> usize {
    let mut g = DiGraph::<(), ()>::with_capacity(items, comparisons.len());
    let nodes: Vec<_> = (0..items).map(|_| g.add_node(())).collect();
    for c in comparisons {
        g.update_edge(nodes[c.loser], nodes[c.winner], ());
    }
    petgraph::algo::kosaraju_scc(&g).len()
}

/// The log-likelihood of log-strengths `s` (with the phantom comparisons when `prior`).
fn log_likelihood(p: &Pairs, s: &[f64], prior: bool) -> f64 {
    let mut l: f64 = p.wins.iter().zip(s).map(|(w, x)| w * x).sum();
    for &(i, j, c) in &p.edges {
        l -= c * log_add_exp(s[i], s[j]);
    }
    if prior {
        l += s
            .iter()
            .map(|&x| 0.5 * x - log_add_exp(x, 0.0))
            .sum::<f64>();
    }
    l
}

fn log_add_exp(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// The maximum of the (regularized when `prior`) likelihood from `start`, by Newton's method:
/// each step solves `H δ = g` (H the Fisher information, a weighted graph Laplacian, g the
/// gradient) by conjugate gradients preconditioned with H's diagonal, then halves the step until
/// the likelihood rises. Hunter's MM algorithm reaches the same maximum but needs thousands of
/// passes over the comparisons when the graph is sparse; Newton needs a handful, each a few dozen
/// passes. Returns log-strengths centred to mean 0.
fn maximize(p: &Pairs, start: &[f64], prior: bool, steps: usize) -> Vec<f64> {
    let n = p.wins.len();
    let mut s = start.to_vec();
    center(&mut s);
    let mut gradient = vec![0.0; n];
    let mut diagonal = vec![0.0; n];
    let mut weights = vec![0.0; p.edges.len()];
    let mut current = log_likelihood(p, &s, prior);
    for _ in 0..steps {
        gradient.copy_from_slice(&p.wins);
        diagonal.iter_mut().for_each(|d| *d = 0.0);
        for (k, &(i, j, c)) in p.edges.iter().enumerate() {
            let q = sigmoid(s[i] - s[j]);
            gradient[i] -= c * q;
            gradient[j] -= c * (1.0 - q);
            weights[k] = c * q * (1.0 - q);
            diagonal[i] += weights[k];
            diagonal[j] += weights[k];
        }
        if prior {
            for i in 0..n {
                let q = sigmoid(s[i]);
                gradient[i] += 0.5 - q;
                diagonal[i] += q * (1.0 - q);
            }
        }
        let step = solve(p, &weights, &diagonal, &gradient, prior);
        let mut t = 1.0;
        let mut next = vec![0.0; n];
        loop {
            for i in 0..n {
                next[i] = s[i] + t * step[i];
            }
            if !prior {
                center(&mut next);
            }
            let l = log_likelihood(p, &next, prior);
            if l >= current - 1e-12 * current.abs() || t < 1e-6 {
                current = l;
                break;
            }
            t /= 2.0;
        }
        let moved = next
            .iter()
            .zip(&s)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        s = next;
        if moved < TOLERANCE {
            break;
        }
    }
    center(&mut s);
    s
}

fn center(s: &mut [f64]) {
    let mean = s.iter().sum::<f64>() / s.len().max(1) as f64;
    s.iter_mut().for_each(|x| *x -= mean);
}

/// Solves `H x = g` by preconditioned conjugate gradients, H given by its off-diagonal edge
/// weights and its diagonal. Without the prior H is singular along the all-ones vector; `g` sums
/// to zero then, and the iterates are kept centred, so CG stays in the space where H is definite.
fn solve(p: &Pairs, weights: &[f64], diagonal: &[f64], g: &[f64], prior: bool) -> Vec<f64> {
    let n = g.len();
    let multiply = |x: &[f64], out: &mut [f64]| {
        for i in 0..n {
            out[i] = diagonal[i] * x[i];
        }
        for (&(i, j, _), w) in p.edges.iter().zip(weights) {
            out[i] -= w * x[j];
            out[j] -= w * x[i];
        }
    };
    let precondition = |r: &[f64], z: &mut [f64]| {
        for i in 0..n {
            z[i] = if diagonal[i] > 0.0 {
                r[i] / diagonal[i]
            } else {
                0.0
            };
        }
        if !prior {
            center(z);
        }
    };
    let mut x = vec![0.0; n];
    let mut r = g.to_vec();
    if !prior {
        center(&mut r);
    }
    let mut z = vec![0.0; n];
    precondition(&r, &mut z);
    let mut d = z.clone();
    let mut hd = vec![0.0; n];
    let mut rz: f64 = r.iter().zip(&z).map(|(a, b)| a * b).sum();
    let norm0: f64 = r.iter().map(|a| a * a).sum::<f64>().sqrt();
    for _ in 0..n.max(10) {
        let norm: f64 = r.iter().map(|a| a * a).sum::<f64>().sqrt();
        if norm <= 1e-12 * norm0.max(1.0) {
            break;
        }
        multiply(&d, &mut hd);
        let dhd: f64 = d.iter().zip(&hd).map(|(a, b)| a * b).sum();
        if dhd <= 0.0 {
            break;
        }
        let alpha = rz / dhd;
        for i in 0..n {
            x[i] += alpha * d[i];
            r[i] -= alpha * hd[i];
        }
        precondition(&r, &mut z);
        let rz_next: f64 = r.iter().zip(&z).map(|(a, b)| a * b).sum();
        let beta = rz_next / rz;
        rz = rz_next;
        for i in 0..n {
            d[i] = z[i] + beta * d[i];
        }
    }
    x
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn margins(p: &Pairs, s: &[f64], prior: bool) -> Vec<Option<f64>> {
    let mut info = vec![0.0; s.len()];
    for &(i, j, c) in &p.edges {
        let q = sigmoid(s[i] - s[j]);
        info[i] += c * q * (1.0 - q);
        info[j] += c * q * (1.0 - q);
    }
    (0..s.len())
        .map(|i| {
            let extra = if prior {
                // The phantom idea is of average strength, 0 after centring.
                let q = sigmoid(s[i]);
                q * (1.0 - q)
            } else {
                0.0
            };
            let total = info[i] + extra;
            (info[i] > 0.0).then(|| Z95 / total.sqrt())
        })
        .collect()
}

/// The Bradley–Terry fit of `comparisons` among `items` ideas (see the module docs).
pub fn bradley_terry(items: usize, comparisons: &[Comparison]) -> Strengths {
    let components = components(items, comparisons);
    let mle = items > 0 && components == 1;
    let p = pairs(items, comparisons.iter().map(|c| (c.winner, c.loser, 1.0)));
    let s = maximize(&p, &vec![0.0; items], !mle, 100);
    finish(comparisons, &p, s, mle, !mle, components, Vec::new())
}

fn finish(
    comparisons: &[Comparison],
    p: &Pairs,
    s: Vec<f64>,
    mle: bool,
    prior: bool,
    components: usize,
    judge_reliability: Vec<f64>,
) -> Strengths {
    let mut counts = vec![0u32; s.len()];
    for c in comparisons {
        counts[c.winner] += 1;
        counts[c.loser] += 1;
    }
    Strengths {
        margin: margins(p, &s, prior),
        log_strength: s,
        comparisons: counts,
        mle,
        components,
        judge_reliability,
    }
}

/// Beta prior on a judge's reliability: `PRIOR_RIGHT` right and `PRIOR_WRONG` wrong picks.
const PRIOR_RIGHT: f64 = 8.0;
const PRIOR_WRONG: f64 = 2.0;

/// The CrowdBT fit (see the module docs); `judges` is the number of judges.
pub fn crowd_bt(items: usize, judges: usize, comparisons: &[Comparison]) -> Strengths {
    let components = components(items, comparisons);
    let mle = items > 0 && components == 1;
    let plain = pairs(items, comparisons.iter().map(|c| (c.winner, c.loser, 1.0)));
    let mut s = maximize(&plain, &vec![0.0; items], true, 100);
    let mut eta = vec![PRIOR_RIGHT / (PRIOR_RIGHT + PRIOR_WRONG); judges];
    let mut honest = vec![0.0; comparisons.len()];
    for _ in 0..500 {
        for (h, c) in honest.iter_mut().zip(comparisons) {
            let right = eta[c.judge] * sigmoid(s[c.winner] - s[c.loser]);
            let wrong = (1.0 - eta[c.judge]) * sigmoid(s[c.loser] - s[c.winner]);
            *h = right / (right + wrong);
        }
        let mut right = vec![0.0; judges];
        let mut count = vec![0.0; judges];
        for (h, c) in honest.iter().zip(comparisons) {
            right[c.judge] += h;
            count[c.judge] += 1.0;
        }
        for k in 0..judges {
            // Floored at one half: a judge worse than chance is treated as picking at random, not
            // read backwards — that would be impossible to explain, and it lets the fit flip.
            eta[k] = ((right[k] + PRIOR_RIGHT) / (count[k] + PRIOR_RIGHT + PRIOR_WRONG)).max(0.5);
        }
        let weighted = pairs(
            items,
            honest
                .iter()
                .zip(comparisons)
                .flat_map(|(&h, c)| [(c.winner, c.loser, h), (c.loser, c.winner, 1.0 - h)]),
        );
        // One Newton step per round (a generalized EM): each round still raises the likelihood.
        let next = maximize(&weighted, &s, true, 1);
        let change = next
            .iter()
            .zip(&s)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        s = next;
        if change < 1e-7 {
            break;
        }
    }
    finish(comparisons, &plain, s, mle, true, components, eta)
}

/// How many candidate partners [`next_pair`] weighs; drawing them at random keeps the comparison
/// graph well mixed (always the single best partner would compare each idea only with its
/// neighbours in the current ranking, and the graph would become a chain).
pub const CANDIDATES: usize = 32;

/// The next pair to show a judge: the first idea is one of the least compared (at random among
/// them), so every idea gets its share; the second, among [`CANDIDATES`] ideas drawn at random
/// that this judge has not compared with the first, maximises `p(1 − p)·(v_a + v_b)` — an outcome
/// we cannot predict, between ideas we know least about. `compared(a, b)` says whether this judge
/// already compared them. `None` when the judge has compared every pair.
pub fn next_pair<R: Rng>(
    fit: &Strengths,
    compared: impl Fn(usize, usize) -> bool,
    rng: &mut R,
) -> Option<(usize, usize)> {
    let n = fit.log_strength.len();
    let var = |i: usize| match fit.margin[i] {
        Some(m) => (m / Z95).powi(2),
        None => 4.0, // never compared: the prior's variance, larger than any compared idea's
    };
    // Ideas in order of how often they were compared, ties shuffled.
    let mut order: Vec<(u32, u64, usize)> = (0..n)
        .map(|i| (fit.comparisons[i], rng.random(), i))
        .collect();
    order.sort_unstable();
    for &(_, _, a) in &order {
        let open: Vec<usize> = (0..n).filter(|&b| b != a && !compared(a, b)).collect();
        if open.is_empty() {
            continue;
        }
        let gain = |b: usize| {
            let p = sigmoid(fit.log_strength[a] - fit.log_strength[b]);
            p * (1.0 - p) * (var(a) + var(b))
        };
        let b = rand::seq::IndexedRandom::choose_multiple(open.as_slice(), rng, CANDIDATES)
            .copied()
            .max_by(|&x, &y| gain(x).total_cmp(&gain(y)))?;
        return Some((a, b));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn c(winner: usize, loser: usize) -> Comparison {
        Comparison {
            winner,
            loser,
            judge: 0,
        }
    }

    #[test]
    fn two_ideas_mle_is_the_log_odds() {
        // 3 wins to 1: s_0 − s_1 = ln 3.
        let fit = bradley_terry(2, &[c(0, 1), c(0, 1), c(0, 1), c(1, 0)]);
        assert!(fit.mle);
        let d = fit.log_strength[0] - fit.log_strength[1];
        assert!((d - 3f64.ln()).abs() < 1e-8, "{d}");
        assert!(fit.log_strength.iter().sum::<f64>().abs() < 1e-12);
    }

    #[test]
    fn a_graph_not_strongly_connected_is_said_and_still_ranked() {
        // 0 beat 1 and 1 beat 2, never the other way: no maximum likelihood exists.
        let fit = bradley_terry(4, &[c(0, 1), c(1, 2)]);
        assert!(!fit.mle);
        assert_eq!(fit.components, 4);
        let s = &fit.log_strength;
        assert!(s[0] > s[1] && s[1] > s[2], "{s:?}");
        assert!(fit.margin[3].is_none(), "idea 3 was never compared");
        assert!(s[3].is_finite());
    }

    #[test]
    fn crowd_bt_discounts_the_judge_who_picks_wrong() {
        // Truth: 0 > 1 > 2 > 3 > 4. Judges 0 and 1 pick right; judge 2 always picks the worse.
        let mut cs = Vec::new();
        for a in 0..5 {
            for b in a + 1..5 {
                for judge in 0..2 {
                    cs.push(Comparison {
                        winner: a,
                        loser: b,
                        judge,
                    });
                }
                cs.push(Comparison {
                    winner: b,
                    loser: a,
                    judge: 2,
                });
            }
        }
        // One upset by a good judge keeps the plain fit finite.
        cs.push(Comparison {
            winner: 4,
            loser: 0,
            judge: 0,
        });
        let fit = crowd_bt(5, 3, &cs);
        let r = &fit.judge_reliability;
        assert!(r[2] == 0.5 && r[0] > 0.7 && r[1] > 0.7, "{r:?}");
        let s = &fit.log_strength;
        assert!(s.windows(2).all(|w| w[0] > w[1]), "{s:?}");
    }

    #[test]
    fn the_next_pair_starts_from_the_least_compared_and_is_new_to_the_judge() {
        let fit = bradley_terry(4, &[c(0, 1), c(1, 0), c(2, 3), c(3, 2), c(0, 2), c(2, 1)]);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        // Idea 3 was compared least; 2 is the only partner this judge has not yet compared it with.
        let seen = |a: usize, b: usize| (a.min(b), a.max(b)) != (2, 3);
        assert_eq!(next_pair(&fit, seen, &mut rng), Some((3, 2)));
        let none = |_: usize, _: usize| false;
        let (a, b) = next_pair(&fit, none, &mut rng).unwrap();
        assert_eq!(a, 3, "the least compared comes first");
        assert_ne!(b, 3);
        let all = |_: usize, _: usize| true;
        assert_eq!(next_pair(&fit, all, &mut rng), None);
    }
}
