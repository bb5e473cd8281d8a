//! Our Bradley–Terry and Krippendorff's alpha against reference implementations on fixed data:
//! Python's `choix` (`ilsr_pairwise`, `alpha=0`, a tight tolerance; compared as centred
//! log-strengths, to 1e-6) and PyPI's `krippendorff` (interval metric, to 1e-9).
//!
//! Needs `python3` with `choix`, `krippendorff` and `numpy` (`.ci/run` installs them). Without
//! them the test says so and passes, except under `CI`, where it fails.

use hamafza_core::judging::pairwise::{self, Comparison};
use hamafza_core::judging::rating::Rating;
use hamafza_core::judging::reliability;
use hamafza_core::judging::simulate::{Jury, Settings, five_criteria};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;
use std::process::{Command, Stdio};

const SCRIPT: &str = r#"
import json, sys
import numpy as np
import choix, krippendorff
data = json.load(sys.stdin)
bt = choix.ilsr_pairwise(data["items"], [tuple(c) for c in data["comparisons"]],
                         alpha=0.0, max_iter=100000, tol=1e-13)
bt = bt - bt.mean()
table = np.full((data["judges"], data["items"]), np.nan)
for item, judge, score in data["ratings"]:
    table[judge][item] = score
alpha = krippendorff.alpha(reliability_data=table, level_of_measurement="interval")
json.dump({"bt": list(bt), "alpha": alpha}, sys.stdout)
"#;

fn python_has_references() -> bool {
    Command::new("python3")
        .args(["-c", "import choix, krippendorff, numpy"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn bradley_terry_and_alpha_agree_with_the_references() {
    if !python_has_references() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs python3 with choix, krippendorff and numpy"
        );
        eprintln!("skipped: python3 with choix, krippendorff and numpy is not installed");
        return;
    }
    let (items, judges) = (40, 8);
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let jury = Jury::new(items, judges, Settings::default(), &mut rng);
    let mut comparisons: Vec<Comparison> = (0..600)
        .map(|t| {
            let a = rng.random_range(0..items);
            let b = (a + rng.random_range(1..items)) % items;
            jury.compare(a, b, t % judges, &mut rng)
        })
        .collect();
    // A ring of upsets makes the graph strongly connected whatever the draws were.
    for i in 0..items {
        comparisons.push(Comparison {
            winner: i,
            loser: (i + 1) % items,
            judge: 0,
        });
    }
    let criteria = five_criteria();
    // Three or four judges per idea, judge 0 careless: missing values and real disagreement.
    let mut ratings: Vec<Rating> = Vec::new();
    for item in 0..items {
        for judge in 0..judges {
            if (item + judge) % 8 < 3 + item % 2 {
                ratings.push(jury.rating(item, judge, &criteria, Settings::default(), &mut rng));
            }
        }
    }

    let input = serde_json::json!({
        "items": items,
        "judges": judges,
        "comparisons": comparisons.iter().map(|c| [c.winner, c.loser]).collect::<Vec<_>>(),
        "ratings": ratings.iter().map(|r| (r.item, r.judge, r.score)).collect::<Vec<_>>(),
    });
    let mut child = Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the reference script failed");
    let reference: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    let fit = pairwise::bradley_terry(items, &comparisons);
    assert!(fit.mle, "the fixed data is strongly connected");
    let theirs: Vec<f64> = reference["bt"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let worst = fit
        .log_strength
        .iter()
        .zip(&theirs)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(worst < 1e-6, "Bradley–Terry differs from choix by {worst}");

    let alpha = reliability::krippendorff_interval(items, &ratings)
        .alpha
        .unwrap();
    let theirs = reference["alpha"].as_f64().unwrap();
    assert!(
        (alpha - theirs).abs() < 1e-9,
        "alpha {alpha} vs krippendorff {theirs}"
    );
}
