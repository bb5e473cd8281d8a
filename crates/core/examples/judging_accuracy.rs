//! The judging accuracy benchmark: how close each ranking method comes to a hidden truth, at
//! round 2's size (216 ideas, 20 judges) and round 1's (1,400 ideas), averaged over seeds.
//! Writes the Markdown tables of `bench/RESULTS-judging.md` to stdout.
//!
//! `cargo run --release -p hamafza-core --example judging_accuracy [SEEDS_ROUND2] [SEEDS_ROUND1]`

use hamafza_core::judging::assign::assign;
use hamafza_core::judging::pairwise::{self, Comparison, Strengths};
use hamafza_core::judging::rating::{self, Rating};
use hamafza_core::judging::simulate::{Jury, Settings, five_criteria};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

const TOP: usize = 19;
const JUDGES: usize = 20;

/// Kendall's tau-b between an estimate and the truth.
fn kendall(est: &[f64], truth: &[f64]) -> f64 {
    let n = est.len();
    let (mut concordant, mut discordant, mut tie_e, mut tie_t) = (0i64, 0i64, 0i64, 0i64);
    for i in 0..n {
        for j in i + 1..n {
            let de = est[i] - est[j];
            let dt = truth[i] - truth[j];
            if de == 0.0 && dt == 0.0 {
            } else if de == 0.0 {
                tie_e += 1;
            } else if dt == 0.0 {
                tie_t += 1;
            } else if (de > 0.0) == (dt > 0.0) {
                concordant += 1;
            } else {
                discordant += 1;
            }
        }
    }
    let c = concordant as f64;
    let d = discordant as f64;
    (c - d) / ((c + d + tie_e as f64) * (c + d + tie_t as f64)).sqrt()
}

/// Share of the true top 19 among the estimated top 19 (ties broken by index, as the ranking).
fn recall(est: &[f64], truth: &[f64]) -> f64 {
    let top = |v: &[f64]| -> HashSet<usize> {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| v[b].total_cmp(&v[a]).then(a.cmp(&b)));
        idx.into_iter().take(TOP).collect()
    };
    top(est).intersection(&top(truth)).count() as f64 / TOP as f64
}

#[derive(Default, Clone)]
struct Tally {
    tau: Vec<f64>,
    recall: Vec<f64>,
}

impl Tally {
    fn add(&mut self, est: &[f64], truth: &[f64]) {
        self.tau.push(kendall(est, truth));
        self.recall.push(recall(est, truth));
    }
    fn cell(v: &[f64]) -> String {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
        format!("{mean:.3} ± {:.3}", sd / n.sqrt())
    }
}

fn rubric(jury: &Jury, k: usize, rng: &mut ChaCha8Rng) -> Vec<Rating> {
    let n = jury.quality.len();
    let criteria = five_criteria();
    let a = assign(&vec![k; n], JUDGES, &[], |_, _| true, rng);
    let mut ratings = Vec::new();
    for (item, js) in a.judges_of.iter().enumerate() {
        for &j in js {
            ratings.push(jury.rating(item, j, &criteria, Settings::default(), rng));
        }
    }
    ratings
}

/// `total` comparisons, judges taking turns; `active` picks pairs by [`pairwise::next_pair`]
/// (the model refitted every `n / 4` comparisons), otherwise pairs are drawn at random.
fn comparisons(jury: &Jury, total: usize, active: bool, rng: &mut ChaCha8Rng) -> Vec<Comparison> {
    let n = jury.quality.len();
    let mut seen: Vec<HashSet<(usize, usize)>> = vec![HashSet::new(); JUDGES];
    let mut out = Vec::with_capacity(total);
    let mut fit: Strengths = pairwise::bradley_terry(n, &[]);
    let refit = (n / 4).max(25);
    for t in 0..total {
        let judge = t % JUDGES;
        if active && t % refit == 0 && t > 0 {
            fit = pairwise::bradley_terry(n, &out);
        }
        let pair = if active {
            let s = &seen[judge];
            pairwise::next_pair(&fit, |a, b| s.contains(&(a.min(b), a.max(b))), rng)
        } else {
            let a = rng.random_range(0..n);
            let b = (a + rng.random_range(1..n)) % n;
            Some((a, b))
        };
        let Some((a, b)) = pair else { continue };
        seen[judge].insert((a.min(b), a.max(b)));
        out.push(jury.compare(a, b, judge, rng));
    }
    out
}

fn round(name: &str, n: usize, seeds: u64) {
    let budgets = [1usize, 2, 3, 4, 5];
    let mut raw = vec![Tally::default(); budgets.len()];
    let mut norm = vec![Tally::default(); budgets.len()];
    // Comparisons per idea: 3 per rubric review at 1–5 reviews, and cheaper budgets below.
    let per_idea = [1.5f64, 3.0, 4.5, 6.0, 9.0, 12.0, 15.0];
    let mut bt = vec![Tally::default(); per_idea.len()];
    let mut crowd = vec![Tally::default(); per_idea.len()];
    let mut random_bt = vec![Tally::default(); per_idea.len()];
    for seed in 0..seeds {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let jury = Jury::new(n, JUDGES, Settings::default(), &mut rng);
        for (b, &k) in budgets.iter().enumerate() {
            let ratings = rubric(&jury, k, &mut rng);
            let fit = rating::fit(n, JUDGES, &ratings);
            let raw_mean: Vec<f64> = fit.raw_mean.iter().map(|x| x.unwrap_or(0.0)).collect();
            let normalized: Vec<f64> = fit.normalized.iter().map(|x| x.unwrap_or(0.0)).collect();
            raw[b].add(&raw_mean, &jury.quality);
            norm[b].add(&normalized, &jury.quality);
        }
        for (b, &c) in per_idea.iter().enumerate() {
            let total = (c * n as f64).round() as usize;
            let cs = comparisons(&jury, total, true, &mut rng);
            bt[b].add(&pairwise::bradley_terry(n, &cs).log_strength, &jury.quality);
            crowd[b].add(
                &pairwise::crowd_bt(n, JUDGES, &cs).log_strength,
                &jury.quality,
            );
            let cs = comparisons(&jury, total, false, &mut rng);
            random_bt[b].add(&pairwise::bradley_terry(n, &cs).log_strength, &jury.quality);
        }
    }
    println!("\n### {name}: {n} ideas, {JUDGES} judges, {seeds} seeds\n");
    println!("Rubric reviews (five criteria, 5-level rubrics):\n");
    println!(
        "| reviews per idea | raw mean τ | normalized τ | raw mean recall@19 | normalized recall@19 |"
    );
    println!("|---|---|---|---|---|");
    for (b, k) in budgets.iter().enumerate() {
        println!(
            "| {k} | {} | {} | {} | {} |",
            Tally::cell(&raw[b].tau),
            Tally::cell(&norm[b].tau),
            Tally::cell(&raw[b].recall),
            Tally::cell(&norm[b].recall)
        );
    }
    println!(
        "\nPairwise comparisons (comparisons per idea = all comparisons ÷ ideas; a rubric review costs as much as three):\n"
    );
    println!(
        "| comparisons per idea | = rubric reviews per idea at 3 comparisons each | BT τ | CrowdBT τ | BT random pairs τ | BT recall@19 | CrowdBT recall@19 | BT random pairs recall@19 |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (b, c) in per_idea.iter().enumerate() {
        // A rubric review costs a judge as much time as three comparisons.
        println!(
            "| {c} | {:.2} | {} | {} | {} | {} | {} | {} |",
            c / 3.0,
            Tally::cell(&bt[b].tau),
            Tally::cell(&crowd[b].tau),
            Tally::cell(&random_bt[b].tau),
            Tally::cell(&bt[b].recall),
            Tally::cell(&crowd[b].recall),
            Tally::cell(&random_bt[b].recall)
        );
    }
}

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse::<u64>().expect("a number of seeds"));
    let seeds2 = args.next().unwrap_or(40);
    let seeds1 = args.next().unwrap_or(8);
    let settings = Settings::default();
    println!(
        "Judges: leniency sd {} levels, impression noise {:?}, criterion noise {}, careless share {}.",
        settings.bias_sd, settings.noise, settings.criterion_noise, settings.careless_share
    );
    round("Round 2", 216, seeds2);
    round("Round 1", 1400, seeds1);
}
