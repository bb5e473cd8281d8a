//! A simulated jury, for the demo and the accuracy benchmark: ideas with a hidden true quality,
//! judges who are lenient or harsh, noisy, and a few careless.
//!
//! The model: judge `j` reading idea `i` forms an impression `q_i + e` (`e` normal with the
//! judge's noise); in rubric mode each criterion's level is that impression plus the judge's
//! bias and a little per-criterion noise, rounded onto the rubric; in pairwise mode the judge
//! picks the idea with the better impression (bias cancels: the same judge sees both). A careless
//! judge scores at random and picks at random.

use super::criteria::{self, Criterion, Scale};
use super::pairwise::Comparison;
use super::rating::Rating;
use rand::Rng;
use rand_distr::{Distribution, Normal};

/// Who is on the simulated jury, and the hidden truth.
#[derive(Debug, Clone)]
pub struct Jury {
    /// Each idea's true quality, standard normal.
    pub quality: Vec<f64>,
    /// Each judge's leniency, in rubric levels (positive: lenient).
    pub bias: Vec<f64>,
    /// Each judge's impression noise (standard deviation, in quality units).
    pub noise: Vec<f64>,
    pub careless: Vec<bool>,
}

/// Knobs of the simulation; [`Settings::default`] is what the benchmark reports.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Spread of judges' leniency, in rubric levels.
    pub bias_sd: f64,
    /// Judges' impression noise is drawn uniformly from this range.
    pub noise: (f64, f64),
    /// Noise of each criterion's level on top of the impression.
    pub criterion_noise: f64,
    /// Share of careless judges (at least one when this is positive and there are 5+ judges).
    pub careless_share: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            bias_sd: 0.6,
            noise: (0.3, 0.7),
            criterion_noise: 0.5,
            careless_share: 0.1,
        }
    }
}

impl Jury {
    pub fn new<R: Rng>(items: usize, judges: usize, settings: Settings, rng: &mut R) -> Jury {
        let std = Normal::new(0.0, 1.0).expect("a valid normal");
        let careless_count = if settings.careless_share > 0.0 && judges >= 5 {
            ((judges as f64 * settings.careless_share).round() as usize).max(1)
        } else {
            0
        };
        Jury {
            quality: (0..items).map(|_| std.sample(rng)).collect(),
            bias: (0..judges)
                .map(|_| settings.bias_sd * std.sample(rng))
                .collect(),
            noise: (0..judges)
                .map(|_| rng.random_range(settings.noise.0..=settings.noise.1))
                .collect(),
            careless: (0..judges).map(|j| j < careless_count).collect(),
        }
    }

    fn impression<R: Rng>(&self, item: usize, judge: usize, rng: &mut R) -> f64 {
        let e: f64 = Normal::new(0.0, self.noise[judge])
            .expect("a valid normal")
            .sample(rng);
        self.quality[item] + e
    }

    /// Judge `judge`'s levels for `item` on `criteria` (all rubrics or ranges).
    pub fn scores<R: Rng>(
        &self,
        item: usize,
        judge: usize,
        criteria: &[Criterion],
        settings: Settings,
        rng: &mut R,
    ) -> Vec<i32> {
        let impression = self.impression(item, judge, rng);
        let noise = Normal::new(0.0, settings.criterion_noise).expect("a valid normal");
        criteria
            .iter()
            .map(|c| {
                let (lo, hi) = c.scale.bounds();
                if self.careless[judge] {
                    return rng.random_range(lo..=hi);
                }
                // Quality ±2 sd spans the scale; the middle level is average.
                let mid = f64::from(lo + hi) / 2.0;
                let step = f64::from(hi - lo) / 4.0;
                let level = mid + step * (impression + self.bias[judge] + noise.sample(rng));
                (level.round() as i32).clamp(lo, hi)
            })
            .collect()
    }

    /// A rubric review's overall score (0–100).
    pub fn rating<R: Rng>(
        &self,
        item: usize,
        judge: usize,
        criteria: &[Criterion],
        settings: Settings,
        rng: &mut R,
    ) -> Rating {
        let scores = self.scores(item, judge, criteria, settings, rng);
        Rating {
            item,
            judge,
            score: criteria::overall(criteria, &scores).expect("levels on the scale"),
        }
    }

    /// Judge `judge` compares `a` with `b`.
    pub fn compare<R: Rng>(&self, a: usize, b: usize, judge: usize, rng: &mut R) -> Comparison {
        let a_wins = if self.careless[judge] {
            rng.random_bool(0.5)
        } else {
            self.impression(a, judge, rng) > self.impression(b, judge, rng)
        };
        let (winner, loser) = if a_wins { (a, b) } else { (b, a) };
        Comparison {
            winner,
            loser,
            judge,
        }
    }
}

/// Five criteria on 5-level rubrics, innovation weighing most: the demo's and the benchmark's.
pub fn five_criteria() -> Vec<Criterion> {
    let levels = |names: [&str; 5]| Scale::Rubric {
        levels: names.iter().map(|s| s.to_string()).collect(),
    };
    let c = |name: &str, weight, names| Criterion {
        name: name.into(),
        weight,
        scale: levels(names),
    };
    vec![
        c(
            "نوآوری",
            3,
            [
                "تکرار راه‌حل‌های موجود",
                "بهبود اندکی بر راه‌حل موجود",
                "ترکیب تازه‌ای از راه‌حل‌های شناخته",
                "راه‌حل تازه در سازمان",
                "راه‌حل تازه در کشور",
            ],
        ),
        c(
            "امکان‌پذیری",
            2,
            [
                "با امکانات کنونی شدنی نیست",
                "نیازمند منابع و مجوزهای فراوان",
                "شدنی با منابع افزوده",
                "شدنی با منابع کنونی در یک سال",
                "شدنی فوری با منابع کنونی",
            ],
        ),
        c(
            "اثرگذاری",
            3,
            [
                "اثری دیده نمی‌شود",
                "اثر بر یک واحد",
                "اثر بر یک استان",
                "اثر بر چند استان",
                "اثر ملی بر بیمه‌شدگان",
            ],
        ),
        c(
            "تناسب با محور",
            1,
            [
                "بی‌ارتباط",
                "ارتباط دور",
                "مرتبط",
                "کاملاً مرتبط",
                "پاسخ مستقیم به مسئله محور",
            ],
        ),
        c(
            "کیفیت ارائه",
            1,
            [
                "نامفهوم",
                "ناقص",
                "قابل فهم",
                "روشن و مستند",
                "روشن، مستند و سنجیده",
            ],
        ),
    ]
}
