//! The demo's juries: round 2's shortlisting judged for real by the five demo judges — a blind
//! rubric of five criteria, three reviews an idea, assigned without conflicts — so the
//! secretariat's stage page shows a ranking with its reliability and the judges' standing, and
//! each judge's list shows their (now frozen) reviews.
//!
//! The scores come from `judging::simulate`: each idea has a hidden quality (the finalists the
//! demo's round went on with are given better ones), and the judges are lenient or harsh, noisy,
//! one of them careless, so the normalized ranking has something to correct.

use crate::demo_ideas::at_stage;
use hamafza_core::call::{Call, StageKind};
use hamafza_core::ids::UserId;
use hamafza_core::judging::assign::assign;
use hamafza_core::judging::jury::{JurySettings, Mode};
use hamafza_core::judging::simulate::{Jury, Settings, five_criteria};
use hamafza_store::Store;
use hamafza_store::access::ReviewDraft;
use rand::SeedableRng;
use std::collections::HashMap;

/// Comments the simulated judges leave for authors, by how they scored (low to high).
const COMMENTS: [&str; 3] = [
    "مسئله روشن است، اما راه‌حل هنوز کلی است؛ مخاطب و قالب رسانه‌ای را دقیق‌تر کنید.",
    "ایدهٔ خوبی است؛ برآورد هزینه و زمان تولید، آن را قابل‌اجراتر می‌کند.",
    "نوآورانه و دقیق؛ با نمونهٔ آزمایشی کوتاه می‌توان اثر آن را سنجید.",
];

/// Judges round 2's shortlisting stage (once; later runs find it done).
pub async fn load(store: &Store, round2: &Call, secretariat: Option<UserId>) -> anyhow::Result<()> {
    if store.setting("demo.juries").await?.is_some() {
        return Ok(());
    }
    let stage = round2
        .stages
        .iter()
        .find(|s| s.kind == StageKind::Shortlisting)
        .ok_or_else(|| anyhow::anyhow!("round 2 has no shortlisting stage"))?;
    let mut judges = Vec::new();
    for n in 1..=5 {
        let u = store
            .user_by_username(&format!("judge{n}"))
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo user judge{n} missing"))?;
        judges.push(u.id);
    }
    let settings = JurySettings {
        mode: Mode::Rubric,
        reviews_per_idea: 3,
        blind: true,
        unit_conflict: true,
        criteria: five_criteria(),
    };
    let opened = at_stage(round2, StageKind::Shortlisting, 0);
    let ideas = hamafza_store::as_of(opened, async {
        store.save_jury(stage.id, &settings, secretariat).await?;
        store
            .set_jurors(stage.id, &judges, &[], secretariat)
            .await?;
        let ideas = store.stage_ideas(stage.id).await?;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1402);
        let plan = assign(
            &vec![3; ideas.ideas.len()],
            judges.len(),
            &[],
            |i, j| !ideas.people[i].contains(&judges[j]),
            &mut rng,
        );
        let pairs: Vec<_> = plan
            .order
            .iter()
            .enumerate()
            .flat_map(|(j, items)| items.iter().map(move |&i| (j, i)))
            .map(|(j, i)| (ideas.ideas[i], judges[j]))
            .collect();
        store.assign(stage.id, &pairs, secretariat).await?;
        anyhow::Ok(ideas)
    })
    .await?;

    // The hidden truth: the ideas that went on to the final are better.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1403);
    let mut jury = Jury::new(
        ideas.ideas.len(),
        judges.len(),
        Settings::default(),
        &mut rng,
    );
    for (q, current) in jury.quality.iter_mut().zip(&ideas.current) {
        if !current {
            *q += 1.5;
        }
    }
    let index: HashMap<_, _> = ideas
        .ideas
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i))
        .collect();
    let criteria = five_criteria();
    let assignments = store.stage_assignments(stage.id).await?;
    for (n, a) in assignments.iter().enumerate() {
        let (Some(&item), Some(judge)) = (
            index.get(&a.idea_id),
            judges.iter().position(|j| *j == a.judge_id),
        ) else {
            continue;
        };
        let scores = jury.scores(item, judge, &criteria, Settings::default(), &mut rng);
        let overall = hamafza_core::judging::criteria::overall(&criteria, &scores)?;
        let draft = ReviewDraft {
            scores: scores.iter().map(|s| Some(*s)).collect(),
            comment: COMMENTS[((overall / 34.0) as usize).min(2)].into(),
            note: String::new(),
            submitted_at: None,
        };
        // Reviews arrive over the stage's first ten days.
        let t = opened + (n as i64 % 10) * 86_400 + 3600;
        hamafza_store::as_of(
            t,
            store
                .as_juror(a.judge_id)
                .save_review(a.id, &draft, Some(overall)),
        )
        .await?;
    }
    store
        .setting_or_init("demo.juries", || "loaded".into())
        .await?;
    Ok(())
}
