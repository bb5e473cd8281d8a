//! The demo's ideas: round 1 (1,400+ ideas under 8 axes from employees, some on paper), round 2
//! (216 ideas under the article's 3 axes from employees and citizens) and the Elecomp booth
//! (100+ "smartification" ideas typed into a spreadsheet and imported like a real booth file).
//! The people who submitted them are demo accounts without a password. Each part is keyed by a
//! setting, so loading again adds nothing.

use crate::demo_text::{HEALTH, IdeaWriter, MEDIA, PEOPLE, REVENUE, SERVICES, SMART, Theme};
use hamafza_core::OrgUnitKind;
use hamafza_core::call::Call;
use hamafza_core::call::StageKind;
use hamafza_core::idea::{Channel, Transition};
use hamafza_core::ids::{AxisId, IdeaId, OrgUnitId, UserId};
use hamafza_core::import::{ColumnMap, check_rows};
use hamafza_core::orientation::Attendance;
use hamafza_core::time::UnixSeconds;
use hamafza_persian::jalali::{self, JalaliDate};
use hamafza_store::Store;
use hamafza_store::imports::BulkIdea;
use hamafza_store::orientation::NewOrientation;
use hamafza_store::results::Award;
use hamafza_store::users::NewUser;

pub const ROUND1_IDEAS: usize = 1_412;
pub const ROUND2_IDEAS: usize = 216;
pub const ELECOMP_IDEAS: usize = 118;

const FIRST_NAMES: &[&str] = &[
    "علی",
    "زهرا",
    "محمد",
    "فاطمه",
    "حسین",
    "مریم",
    "رضا",
    "سارا",
    "مهدی",
    "نرگس",
    "امیر",
    "لیلا",
    "حمید",
    "الهام",
    "سعید",
    "شیرین",
    "مجید",
    "پریسا",
    "جواد",
    "سمیه",
];
const LAST_NAMES: &[&str] = &[
    "احمدی",
    "رضایی",
    "محمدی",
    "حسینی",
    "کریمی",
    "موسوی",
    "جعفری",
    "قاسمی",
    "صادقی",
    "نوری",
    "رحیمی",
    "کاظمی",
    "هاشمی",
    "طاهری",
    "عباسی",
    "فرهادی",
    "یزدانی",
    "شریفی",
];

fn person_name(i: usize) -> String {
    format!(
        "{} {}",
        FIRST_NAMES[i % FIRST_NAMES.len()],
        LAST_NAMES[(i / FIRST_NAMES.len() + i) % LAST_NAMES.len()]
    )
}

/// Demo accounts that submitted the ideas: employees spread over the provinces' branches, and
/// citizens with a mobile number. Returns (employees, citizens).
async fn crowd(store: &Store) -> anyhow::Result<(Vec<UserId>, Vec<UserId>)> {
    let branches: Vec<OrgUnitId> = store
        .org_units()
        .await?
        .into_iter()
        .filter(|u| u.kind == OrgUnitKind::Branch)
        .map(|u| u.id)
        .collect();
    let mut employees = Vec::new();
    let mut citizens = Vec::new();
    for i in 0..360 {
        let citizen = i % 4 == 3;
        let username = format!("{}-{:03}", if citizen { "citizen" } else { "employee" }, i);
        let id = match store.user_by_username(&username).await? {
            Some(u) => u.id,
            None => {
                let new = NewUser {
                    username,
                    display_name: person_name(i),
                    password_hash: None,
                    national_id: None,
                    mobile: citizen.then(|| format!("0912{:07}", 1_000_000 + i)),
                    org_unit_id: (!citizen).then(|| branches[i % branches.len().max(1)]),
                    roles: vec![hamafza_core::Role::Participant],
                };
                store.create_user(&new, None).await?.id
            }
        };
        if citizen {
            citizens.push(id)
        } else {
            employees.push(id)
        }
    }
    Ok((employees, citizens))
}

/// Noon (Tehran) of a day between `from` and `to`, spread by `i` of `n`.
fn day_between(from: JalaliDate, to: JalaliDate, i: usize, n: usize) -> UnixSeconds {
    let start = UnixSeconds::from_timestamp(jalali::start_of_day_tehran(from));
    let end = UnixSeconds::from_timestamp(jalali::start_of_day_tehran(to));
    let days = ((end - start) / 86_400).max(0);
    start + (days * i as i64 / n.max(1) as i64) * 86_400 + 9 * 3600 + (i as i64 * 613) % 28_800
}

/// Writes `n` ideas to `call`, axis by axis with the axis's theme, from `people`; the ideas at
/// the indices in `owners` are by the account given instead (the demo's signed-in participants).
async fn write_ideas(
    store: &Store,
    call: &Call,
    themes: &[&Theme],
    people: &[UserId],
    owners: &[(usize, UserId)],
    n: usize,
    seed: u64,
) -> anyhow::Result<Vec<IdeaId>> {
    let stage = &call.stages[0];
    let (from, to) = (
        jalali::from_timestamp(stage.starts_at.to_timestamp()),
        jalali::from_timestamp(stage.ends_at.to_timestamp()),
    );
    let mut w = IdeaWriter::new(seed);
    let texts: Vec<_> = (0..n)
        .map(|i| {
            let a = i % call.axes.len();
            w.idea(themes[a % themes.len()], call.axes[a].id)
        })
        .collect();
    let rows: Vec<BulkIdea> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| BulkIdea {
            text,
            author_id: Some(
                owners
                    .iter()
                    .find(|(at, _)| *at == i)
                    .map_or(people[(i * 7) % people.len()], |(_, u)| *u),
            ),
            channel: if i % 9 == 4 {
                Channel::Api
            } else {
                Channel::Web
            },
            at: day_between(from, to, i, n),
            submitter_name: None,
            submitter_mobile: None,
            import_key: None,
            line: None,
        })
        .collect();
    Ok(store.insert_ideas(call.id, &rows, None).await?)
}

/// A booth's sheet as the staff type it: Persian headers, then `rows` ideas on `axis`, some
/// mobile numbers in Persian digits. The demo imports one for the Elecomp booth, and
/// `hamafza gen sheet` writes one to try (and benchmark) the import.
pub fn booth_sheet(axis: &str, rows: usize, seed: u64) -> Vec<Vec<String>> {
    let mut w = IdeaWriter::new(seed);
    let mut sheet = vec![
        [
            "عنوان",
            "محور",
            "مسئله",
            "راه‌حل",
            "فایده‌ها",
            "نام",
            "تلفن همراه",
            "تاریخ",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for i in 0..rows {
        let t = w.idea(&SMART, AxisId::new(0));
        let day = 1 + (i % 4);
        let mobile = format!("{:07}", 2_000_000 + i % 8_000_000);
        sheet.push(vec![
            // The row number keeps each row distinct, as a real booth's would be.
            format!(
                "{} (برگهٔ {})",
                t.title,
                hamafza_persian::digits::to_persian(&(i + 1).to_string())
            ),
            axis.to_owned(),
            t.problem,
            t.solution,
            t.benefits,
            format!("بازدیدکننده {}", person_name(i + 7)),
            if i % 2 == 0 {
                format!("۰۹۳۵{}", hamafza_persian::digits::to_persian(&mobile))
            } else {
                format!("0935{mobile}")
            },
            format!("1402/03/0{day}"),
        ]);
    }
    sheet
}

/// Loads the ideas of the demo's three past calls once, and carries rounds 1 and 2 through
/// their stages to published results, as the secretariat did.
pub async fn load(
    store: &Store,
    round1: &Call,
    round2: &Call,
    elecomp: &Call,
    secretariat: Option<UserId>,
    participants: [UserId; 5],
) -> anyhow::Result<()> {
    if store.setting("demo.ideas").await?.is_some() {
        return Ok(());
    }
    let (employees, citizens) = crowd(store).await?;
    let round1_ids = hamafza_store::as_of(
        at_stage(round1, StageKind::Screening, 0),
        write_ideas(
            store,
            round1,
            &[
                &SERVICES, &HEALTH, &SMART, &REVENUE, &REVENUE, &PEOPLE, &MEDIA, &SERVICES,
            ],
            &employees,
            &[],
            ROUND1_IDEAS,
            1401,
        ),
    )
    .await?;
    let everyone: Vec<UserId> = employees.iter().chain(&citizens).copied().collect();
    // participant1–5 take part in round 2, so each of their views has something to show: a
    // winner with a certificate (and a teammate), a finalist (with an invitation not yet
    // answered), an idea turned down with the reason.
    let plan = Round2::plan(&(0..ROUND2_IDEAS).collect::<Vec<_>>());
    let [p1, p2, p3, p4, p5] = participants;
    let (winner, finalist, rejected) = (plan.awards[0].0, plan.finalists[1], plan.rejected[0].0);
    let owners = [(winner, p1), (finalist, p2), (rejected, p3)];
    let round2_ids = hamafza_store::as_of(
        at_stage(round2, StageKind::Screening, 0),
        write_ideas(
            store,
            round2,
            &[&MEDIA],
            &everyone,
            &owners,
            ROUND2_IDEAS,
            1402,
        ),
    )
    .await?;
    hamafza_store::as_of(at_stage(round2, StageKind::Submission, 10), async {
        let winner = store.idea(round2_ids[winner]).await?;
        store.invite(&winner, p5, Some(p1)).await?;
        store.answer_invitation(&winner, p5, true).await?;
        let finalist = store.idea(round2_ids[finalist]).await?;
        store.invite(&finalist, p4, Some(p2)).await?;
        anyhow::Ok(())
    })
    .await?;

    let sheet = booth_sheet(&elecomp.axes[0].title, ELECOMP_IDEAS, 1402);
    let map = ColumnMap::from_headers(&sheet[0])
        .map_err(|m| anyhow::anyhow!("booth sheet lacks {m:?}"))?;
    let axes: Vec<(AxisId, String)> = elecomp
        .axes
        .iter()
        .map(|a| (a.id, a.title.clone()))
        .collect();
    let (good, bad) = check_rows(&map, &sheet[1..], &axes);
    anyhow::ensure!(bad.is_empty(), "booth sheet rows rejected: {bad:?}");
    hamafza_store::as_of(
        at_stage(elecomp, StageKind::Screening, 1),
        store.import_ideas(elecomp.id, &good, Channel::Exhibition, secretariat),
    )
    .await?;
    run_round1(store, round1, &round1_ids, secretariat).await?;
    run_round2(store, round2, &round2_ids, secretariat).await?;
    store
        .setting_or_init("demo.ideas", || "loaded".into())
        .await?;
    Ok(())
}

/// Why the secretariat turned ideas down in the demo (as its rejection templates would say).
const REJECTIONS: &[&str] = &[
    "ایده با محورهای این فراخوان هم‌خوانی ندارد.",
    "راه‌حل پیشنهادی هم‌اکنون در سازمان در حال اجراست.",
    "شرح مسئله و راه‌حل برای ارزیابی کافی نیست.",
];

/// Moves an idea one decision on (`t`), as the secretariat would from the inbox.
async fn decide(
    store: &Store,
    call: &Call,
    id: IdeaId,
    t: Transition,
    message: &str,
    actor: Option<UserId>,
) -> anyhow::Result<()> {
    let idea = store.idea(id).await?;
    let kinds: Vec<StageKind> = call.stages.iter().map(|s| s.kind).collect();
    let to = t
        .plan(idea.place(), &kinds)
        .ok_or_else(|| anyhow::anyhow!("{} cannot {}", idea.title, t.as_str()))?;
    store
        .transition_idea(id, idea.place(), to, message, actor)
        .await?;
    Ok(())
}

/// 10:00 (Tehran) on day `day` (from 0) of the call's first stage of `kind`: when the demo dates
/// what the secretariat did in that stage. The call's first stage when it has no such stage.
pub fn at_stage(call: &Call, kind: StageKind, day: i64) -> UnixSeconds {
    let stage = call
        .stages
        .iter()
        .find(|s| s.kind == kind)
        .or(call.stages.first());
    stage.map_or_else(hamafza_store::now, |s| {
        s.starts_at + day * 86_400 + 10 * 3600
    })
}

/// Who goes where in round 2, over any list of ideas (ids, or indices before the ideas exist):
/// the first six repeat the next six, every fourth of the rest is turned down, 19 of those
/// accepted are shortlisted, and five of those are awarded.
pub struct Round2<T> {
    /// (duplicate, the idea it repeats).
    pub duplicates: Vec<(T, T)>,
    /// (idea, the reason given).
    pub rejected: Vec<(T, &'static str)>,
    pub passed: Vec<T>,
    pub finalists: Vec<T>,
    pub awards: Vec<(T, Award, i64)>,
}

impl<T: Copy> Round2<T> {
    pub fn plan(ids: &[T]) -> Self {
        let (duplicates, rest) = ids.split_at(6);
        let duplicates = duplicates
            .iter()
            .copied()
            .zip(rest.iter().copied())
            .collect();
        let mut rejected = Vec::new();
        let mut passed = Vec::new();
        for (i, &id) in rest.iter().enumerate() {
            if i % 4 == 3 {
                rejected.push((id, REJECTIONS[i % REJECTIONS.len()]));
            } else {
                passed.push(id);
            }
        }
        let finalists: Vec<T> = passed
            .iter()
            .step_by(passed.len() / 19)
            .take(19)
            .copied()
            .collect();
        let awards = finalists
            .iter()
            .step_by(4)
            .take(5)
            .enumerate()
            .map(|(i, &id)| {
                if i < 3 {
                    (id, Award::Winner, i as i64 + 1)
                } else {
                    (id, Award::JuryChoice, i as i64 - 2)
                }
            })
            .collect();
        Round2 {
            duplicates,
            rejected,
            passed,
            finalists,
            awards,
        }
    }
}

/// Round 2 of the article, carried through its stages: screening (some rejected, a few merged as
/// duplicates, the rest moved on), 19 finalists shortlisted, two orientation sessions with
/// attendance, the finalists' revised versions, the final presentation, and 3 winners plus 2
/// "jury's choice" published.
pub async fn run_round2(
    store: &Store,
    call: &Call,
    ids: &[IdeaId],
    secretariat: Option<UserId>,
) -> anyhow::Result<()> {
    let mut w = IdeaWriter::new(2);
    let plan = Round2::plan(ids);
    // Screening: six ideas repeat others (their authors stay credited on the kept idea), some are
    // turned down with a reason, the rest move on.
    hamafza_store::as_of(at_stage(call, StageKind::Screening, 2), async {
        for &(d, kept) in &plan.duplicates {
            let (d, kept) = (store.idea(d).await?, store.idea(kept).await?);
            store.merge_ideas(&d, &kept, secretariat).await?;
        }
        for &(id, why) in &plan.rejected {
            decide(store, call, id, Transition::Reject, why, secretariat).await?;
        }
        for &id in &plan.passed {
            decide(store, call, id, Transition::Accept, "", secretariat).await?;
        }
        anyhow::Ok(())
    })
    .await?;
    // Shortlisting: 19 finalists, spread over the three axes.
    let finalists = plan.finalists.clone();
    hamafza_store::as_of(at_stage(call, StageKind::Shortlisting, 20), async {
        for &id in &finalists {
            decide(store, call, id, Transition::Accept, "", secretariat).await?;
        }
        anyhow::Ok(())
    })
    .await?;
    // Orientation: two sessions for all finalists; most came to both.
    let orientation = call
        .stages
        .iter()
        .find(|s| s.kind == StageKind::Orientation)
        .ok_or_else(|| anyhow::anyhow!("round 2 has no orientation stage"))?;
    let sessions = [
        (
            "آشنایی با نظام مسائل و مأموریت‌های سازمان",
            0,
            "تالار همایش‌های ستاد مرکزی، تهران",
            "- نظام مسائل سازمان و اولویت‌های آن\n- **قانون تأمین اجتماعی** و خدمات بیمه‌ای\n- پرسش و پاسخ با مدیران حوزه‌ها",
        ),
        (
            "قوانین، سازوکارها و رسانه در تأمین اجتماعی",
            7,
            "جلسهٔ برخط در سامانهٔ اسکای‌روم",
            "- سازوکارهای اجرایی و مالی\n- تجربهٔ کمپین‌های رسانه‌ای پیشین سازمان\n- راهنمای بازنگری ایده پیش از ارائهٔ نهایی",
        ),
    ];
    for (n, (title, day, place, materials)) in sessions.into_iter().enumerate() {
        let starts_at = orientation.starts_at + day * 86_400 + 10 * 3600;
        // Scheduled and invited a few days before; attendance taken at the end of the session.
        let session = hamafza_store::as_of(starts_at - 4 * 86_400, async {
            let session = store
                .create_orientation(
                    call.id,
                    &NewOrientation {
                        title,
                        starts_at,
                        place,
                        materials,
                    },
                    secretariat,
                )
                .await?;
            store
                .invite_to_orientation(&session, &finalists, secretariat)
                .await?;
            anyhow::Ok(session)
        })
        .await?;
        let marks: Vec<(IdeaId, Attendance)> = finalists
            .iter()
            .enumerate()
            .map(|(i, &id)| {
                let absent = (i + n) % 9 == 4;
                (
                    id,
                    if absent {
                        Attendance::Absent
                    } else {
                        Attendance::Attended
                    },
                )
            })
            .collect();
        hamafza_store::as_of(
            starts_at + 3 * 3600,
            store.record_attendance(&session, &marks, secretariat),
        )
        .await?;
    }
    // The finalists revise their ideas after orientation, then present.
    for (n, &id) in finalists.iter().enumerate() {
        let idea = store.idea(id).await?;
        let v = store
            .idea_versions(id)
            .await?
            .pop()
            .expect("a first version");
        let text = hamafza_core::idea::IdeaText {
            axis_id: v.axis_id,
            title: v.title,
            problem: v.problem,
            solution: v.solution,
            benefits: v.benefits,
            resources: v.resources,
            owner_unit_id: v.owner_unit_id,
        };
        let revised = w.revise(&text, &MEDIA);
        let revised_at = orientation.ends_at - 86_400 * (1 + n as i64 % 5);
        hamafza_store::as_of(
            revised_at,
            store.edit_idea(id, idea.place(), &revised, idea.author_id),
        )
        .await?;
        hamafza_store::as_of(
            at_stage(call, StageKind::FinalPresentation, 5),
            decide(store, call, id, Transition::Accept, "", secretariat),
        )
        .await?;
    }
    // Results: 3 ranked winners and 2 "jury's choice", announced at the closing ceremony.
    let at = at_stage(call, StageKind::Results, 0);
    hamafza_store::as_of(at, store.set_results(call.id, &plan.awards, secretariat)).await?;
    hamafza_store::as_of(at + 2 * 3600, store.publish_results(call.id, secretariat)).await?;
    Ok(())
}

/// Round 1: screened, with 20 ideas selected and published as its results.
pub async fn run_round1(
    store: &Store,
    call: &Call,
    ids: &[IdeaId],
    secretariat: Option<UserId>,
) -> anyhow::Result<()> {
    let selected: Vec<IdeaId> = ids
        .iter()
        .step_by(ids.len() / 20)
        .take(20)
        .copied()
        .collect();
    // Screening over its first days, then the shortlist, then the results: each dated in its stage.
    for (i, &id) in ids.iter().enumerate() {
        let at = at_stage(call, StageKind::Screening, (i % 10) as i64);
        let step = if selected.contains(&id) || i % 5 != 2 && i % 5 != 4 {
            Some((Transition::Accept, ""))
        } else if i % 5 == 2 {
            Some((Transition::Reject, REJECTIONS[i % REJECTIONS.len()]))
        } else {
            None
        };
        if let Some((t, why)) = step {
            hamafza_store::as_of(at, decide(store, call, id, t, why, secretariat)).await?;
        }
    }
    for &id in &selected {
        hamafza_store::as_of(
            at_stage(call, StageKind::Shortlisting, 15),
            decide(store, call, id, Transition::Accept, "", secretariat),
        )
        .await?;
    }
    let awards: Vec<(IdeaId, Award, i64)> = selected
        .iter()
        .enumerate()
        .map(|(i, &id)| (id, Award::Winner, i as i64 + 1))
        .collect();
    let at = at_stage(call, StageKind::Results, 0);
    hamafza_store::as_of(at, store.set_results(call.id, &awards, secretariat)).await?;
    hamafza_store::as_of(at + 3600, store.publish_results(call.id, secretariat)).await?;
    Ok(())
}
