//! Speed of judging: ranking 10,000 ideas from 100,000 comparisons (target < 200 ms), the rubric
//! fit and reliability at round-1 size, and assigning 1,400 ideas × 3 judges among 40 with
//! conflicts (target < 1 s). Each group has a baseline measured in the same run — the one pass
//! over the data any method must make — so the report is a ratio as well as a time.

use criterion::{Criterion, criterion_group, criterion_main};
use hamafza_core::judging::assign::assign;
use hamafza_core::judging::pairwise::{self, Comparison};
use hamafza_core::judging::rating;
use hamafza_core::judging::reliability;
use hamafza_core::judging::simulate::{Jury, Settings, five_criteria};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

fn comparisons(n: usize, total: usize, judges: usize) -> Vec<Comparison> {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let jury = Jury::new(n, judges, Settings::default(), &mut rng);
    (0..total)
        .map(|t| {
            let a = rng.random_range(0..n);
            let b = (a + rng.random_range(1..n)) % n;
            jury.compare(a, b, t % judges, &mut rng)
        })
        .collect()
}

/// The naive ranking: each idea's share of wins — one pass, the floor for any method.
fn win_rate(n: usize, cs: &[Comparison]) -> Vec<f64> {
    let mut wins = vec![0u32; n];
    let mut seen = vec![0u32; n];
    for c in cs {
        wins[c.winner] += 1;
        seen[c.winner] += 1;
        seen[c.loser] += 1;
    }
    wins.iter()
        .zip(&seen)
        .map(|(&w, &s)| f64::from(w) / f64::from(s.max(1)))
        .collect()
}

fn pairwise_ranking(c: &mut Criterion) {
    let cs = comparisons(10_000, 100_000, 100);
    let fit = pairwise::bradley_terry(10_000, &cs);
    eprintln!(
        "10,000 ideas / 100,000 comparisons: strongly connected = {}, components = {}",
        fit.mle, fit.components
    );
    let mut g = c.benchmark_group("pairwise 10k ideas 100k comparisons");
    g.sample_size(10);
    g.bench_function("baseline: win rate", |b| {
        b.iter(|| win_rate(10_000, black_box(&cs)))
    });
    g.bench_function("bradley-terry, not strongly connected (regularized)", |b| {
        b.iter(|| pairwise::bradley_terry(10_000, black_box(&cs)))
    });
    // The same size made strongly connected (90,000 random comparisons and a ring of 10,000
    // upsets), so the maximum-likelihood estimate exists and is what is timed.
    let mut connected = comparisons(10_000, 90_000, 100);
    connected.extend((0..10_000).map(|i| Comparison {
        winner: i,
        loser: (i + 1) % 10_000,
        judge: i % 100,
    }));
    assert!(pairwise::bradley_terry(10_000, &connected).mle);
    g.bench_function("bradley-terry mle, strongly connected", |b| {
        b.iter(|| pairwise::bradley_terry(10_000, black_box(&connected)))
    });
    g.bench_function("crowdbt", |b| {
        b.iter(|| pairwise::crowd_bt(10_000, 100, black_box(&cs)))
    });
    g.finish();
}

fn rubric(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let jury = Jury::new(1400, 40, Settings::default(), &mut rng);
    let criteria = five_criteria();
    let a = assign(&[3; 1400], 40, &[], |_, _| true, &mut rng);
    let ratings: Vec<_> = a
        .judges_of
        .iter()
        .enumerate()
        .flat_map(|(i, js)| js.iter().map(move |&j| (i, j)))
        .map(|(i, j)| jury.rating(i, j, &criteria, Settings::default(), &mut rng))
        .collect();
    let mut g = c.benchmark_group("rubric 1400 ideas x 3 reviews");
    g.bench_function("baseline: raw means", |b| {
        b.iter(|| {
            let mut sum = vec![0.0; 1400];
            for r in black_box(&ratings) {
                sum[r.item] += r.score;
            }
            sum
        })
    });
    g.bench_function("normalized fit", |b| {
        b.iter(|| rating::fit(1400, 40, black_box(&ratings)))
    });
    g.bench_function("krippendorff alpha", |b| {
        b.iter(|| reliability::krippendorff_interval(1400, black_box(&ratings)))
    });
    g.finish();
}

fn assignment(c: &mut Criterion) {
    // Each judge wrote or shares a unit with the authors of 1 idea in 20.
    let conflict = |i: usize, j: usize| (i * 7 + j * 13).is_multiple_of(20);
    let mut g = c.benchmark_group("assign 1400 ideas x 3 among 40 judges");
    g.bench_function("baseline: conflict checks", |b| {
        b.iter(|| {
            (0..1400)
                .map(|i| (0..40).filter(|&j| !conflict(i, j)).count())
                .sum::<usize>()
        })
    });
    g.bench_function("assign", |b| {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        b.iter(|| assign(&[3; 1400], 40, &[], |i, j| !conflict(i, j), &mut rng))
    });
    g.finish();
}

criterion_group!(benches, pairwise_ranking, rubric, assignment);
criterion_main!(benches);
