//! The demo data, drawn from the source articles: the Social Security Organization's HQ and
//! deputies, its 31 provincial directorates with two branches each, and a user for every role.
//! Loading again adds nothing (everything is keyed by code or username); it only resets the demo
//! users' password to the configured one.

use hamafza_core::call::{Audience, CallState, StageKind, ValidCall, ValidStage};
use hamafza_core::ids::{OrgUnitId, UserId};
use hamafza_core::time::UnixSeconds;
use hamafza_core::{OrgUnitKind, Role};
use hamafza_persian::jalali::{self, JalaliDate};
use hamafza_persian::provinces::PROVINCES;
use hamafza_store::Store;
use hamafza_store::org_units::NewOrgUnit;
use hamafza_store::users::NewUser;
use hamafza_web::auth::password;

/// HQ deputies (code, Persian, English).
const DEPUTIES: [(&str, &str, &str); 7] = [
    (
        "deputy-revenue",
        "معاونت فنی و درآمد",
        "Technical and Revenue Deputy",
    ),
    (
        "deputy-insured",
        "معاونت امور بیمه‌شدگان",
        "Insured Affairs Deputy",
    ),
    ("deputy-health", "معاونت درمان", "Healthcare Deputy"),
    (
        "deputy-economic",
        "معاونت اقتصادی",
        "Economic and Investment Deputy",
    ),
    (
        "deputy-resources",
        "معاونت توسعهٔ مدیریت و منابع",
        "Management Development and Resources Deputy",
    ),
    (
        "deputy-legal",
        "معاونت حقوقی و امور مجلس",
        "Legal and Parliamentary Affairs Deputy",
    ),
    (
        "deputy-communication",
        "مرکز روابط عمومی و امور بین‌الملل",
        "Public Relations and International Affairs Centre",
    ),
];

pub struct DemoUser {
    pub username: &'static str,
    pub name: &'static str,
    pub roles: &'static [Role],
    pub unit: &'static str,
}

/// participant1–5 have a mobile number (0912000000N), so following an idea at `/track` with its
/// tracking code can be tried with theirs.
pub fn participant_mobile(username: &str) -> Option<String> {
    let n: u8 = username.strip_prefix("participant")?.parse().ok()?;
    Some(format!("091200000{n:02}"))
}

pub const USERS: &[DemoUser] = &[
    DemoUser {
        username: "admin",
        name: "مدیر سامانه",
        roles: &[Role::Admin],
        unit: "hq",
    },
    DemoUser {
        username: "secretariat",
        name: "دبیرخانهٔ جمعینو",
        roles: &[Role::Secretariat],
        unit: "deputy-communication",
    },
    DemoUser {
        username: "judge1",
        name: "مهدی رضایی",
        roles: &[Role::Judge],
        unit: "deputy-revenue",
    },
    DemoUser {
        username: "judge2",
        name: "زهرا کاظمی",
        roles: &[Role::Judge],
        unit: "deputy-insured",
    },
    DemoUser {
        username: "judge3",
        name: "علی‌رضا موسوی",
        roles: &[Role::Judge],
        unit: "deputy-health",
    },
    DemoUser {
        username: "judge4",
        name: "فاطمه حسینی",
        roles: &[Role::Judge],
        unit: "deputy-communication",
    },
    DemoUser {
        username: "judge5",
        name: "حمید صادقی",
        roles: &[Role::Judge],
        unit: "deputy-economic",
    },
    DemoUser {
        username: "implementer1",
        name: "نرگس اکبری",
        roles: &[Role::Implementer],
        unit: "deputy-insured",
    },
    DemoUser {
        username: "manager-tehran",
        name: "رضا کریمی",
        roles: &[Role::Manager],
        unit: "prov-tehran",
    },
    DemoUser {
        username: "manager-isfahan",
        name: "مریم جعفری",
        roles: &[Role::Manager],
        unit: "prov-isfahan",
    },
    DemoUser {
        username: "manager-khorasan-razavi",
        name: "حسن نوری",
        roles: &[Role::Manager],
        unit: "prov-khorasan-razavi",
    },
    DemoUser {
        username: "manager-fars",
        name: "لیلا محمدی",
        roles: &[Role::Manager],
        unit: "prov-fars",
    },
    DemoUser {
        username: "participant1",
        name: "سارا احمدی",
        roles: &[Role::Participant],
        unit: "prov-tehran-b1",
    },
    DemoUser {
        username: "participant2",
        name: "محمد قاسمی",
        roles: &[Role::Participant],
        unit: "prov-isfahan-b1",
    },
    DemoUser {
        username: "participant3",
        name: "نسترن یزدانی",
        roles: &[Role::Participant],
        unit: "prov-yazd-b2",
    },
    DemoUser {
        username: "participant4",
        name: "امیر حیدری",
        roles: &[Role::Participant],
        unit: "prov-gilan-b1",
    },
    DemoUser {
        username: "participant5",
        name: "پریسا رحیمی",
        roles: &[Role::Participant],
        unit: "deputy-health",
    },
];

fn units() -> Vec<(Option<&'static str>, NewOrgUnit)> {
    let mut v = vec![(
        None,
        NewOrgUnit {
            parent_id: None,
            kind: OrgUnitKind::Hq,
            code: "hq".into(),
            name_fa: "ستاد مرکزی سازمان تأمین اجتماعی".into(),
            name_en: "Social Security Organization Headquarters".into(),
            province_code: None,
        },
    )];
    for (code, fa, en) in DEPUTIES {
        v.push((
            Some("hq"),
            NewOrgUnit {
                parent_id: None,
                kind: OrgUnitKind::Deputy,
                code: code.into(),
                name_fa: fa.into(),
                name_en: en.into(),
                province_code: None,
            },
        ));
    }
    for p in PROVINCES.iter() {
        let code = format!("prov-{}", p.code);
        v.push((
            Some("hq"),
            NewOrgUnit {
                parent_id: None,
                kind: OrgUnitKind::Province,
                code: code.clone(),
                name_fa: format!("ادارهٔ کل تأمین اجتماعی استان {}", p.name_fa),
                name_en: format!("{} Provincial Directorate", p.name_en),
                province_code: Some(p.code.into()),
            },
        ));
        for n in 1..=2 {
            v.push((
                None, // filled below: the parent is the province just added
                NewOrgUnit {
                    parent_id: None,
                    kind: OrgUnitKind::Branch,
                    code: format!("{code}-b{n}"),
                    name_fa: format!(
                        "شعبهٔ {} {}",
                        hamafza_persian::digits::to_persian(&n.to_string()),
                        p.name_fa
                    ),
                    name_en: format!("{} Branch {n}", p.name_en),
                    province_code: Some(p.code.into()),
                },
            ));
        }
    }
    v
}

fn d(year: i32, month: u32, day: u32) -> JalaliDate {
    JalaliDate { year, month, day }
}

fn stage(kind: StageKind, title: &str, start: JalaliDate, end: JalaliDate) -> ValidStage {
    ValidStage {
        kind,
        title: title.into(),
        start,
        end,
    }
}

fn axes(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(t, d)| (t.to_string(), d.to_string()))
        .collect()
}

/// The demo's calls: the two Jam'ino rounds and the Elecomp booth from the articles, and one call
/// open today so the site has something to take part in. Keyed by a setting so a second load
/// adds nothing.
fn calls() -> Vec<(&'static str, CallState, ValidCall)> {
    use StageKind::*;
    let today = jalali::today_tehran().to_civil();
    let rel = |days: i64| {
        JalaliDate::from_civil(
            today
                .checked_add(jiff::Span::new().days(days))
                .unwrap_or(today),
        )
    };
    vec![
        (
            "round1",
            CallState::Closed,
            ValidCall {
                title: "جمعینو ۱: جمع‌سپاری حل مسائل سازمان".into(),
                description: "نخستین رویداد ایده‌پردازی **جمعینو** ویژهٔ کارکنان سازمان تأمین اجتماعی، با محوریت ایده‌های نوین برای حرکت تحولی سازمان.\n\n- در سه مرحله برگزار شد.\n- بیش از ۱۴۰۰ ایده در ۸ محور در دبیرخانهٔ رویداد ثبت شد.\n- ۲۰ ایده برگزیده شد و شماری از آن‌ها به مرحلهٔ اجرا رسیده است.".into(),
                audience: Audience::Employees,
                axes: axes(&[
                    ("بهبود خدمات بیمه‌ای", "ساده‌سازی فرایندهای بیمه‌شدگان و کارفرمایان"),
                    ("درمان", "کیفیت و دسترسی خدمات درمانی"),
                    ("هوشمندسازی و خدمات الکترونیک", "خدمات بدون مراجعهٔ حضوری"),
                    ("وصول حق بیمه و پایداری منابع", ""),
                    ("سرمایه‌گذاری و بنگاه‌داری", ""),
                    ("منابع انسانی و توانمندسازی کارکنان", ""),
                    ("ارتباط با مخاطبان و رضایت‌مندی", ""),
                    ("کاهش بوروکراسی و اصلاح فرایندها", ""),
                ]),
                stages: vec![
                    stage(Submission, "ثبت ایده‌ها", d(1401, 4, 1), d(1401, 5, 15)),
                    stage(Screening, "", d(1401, 5, 16), d(1401, 5, 31)),
                    stage(Shortlisting, "داوری و انتخاب ۲۰ ایده", d(1401, 6, 1), d(1401, 6, 20)),
                    stage(Results, "", d(1401, 6, 25), d(1401, 6, 31)),
                ],
            },
        ),
        (
            "round2",
            CallState::Closed,
            ValidCall {
                title: "جمعینو ۲: ایده‌های تولید محتوای رسانه‌ای".into(),
                description: "فراخوان ایده‌های تولید محتوای رسانه‌ای در سه محور. منتخبان مرحلهٔ نهایی در دوره‌های آشنایی با نظام مسائل، قوانین و سازوکارهای سازمان شرکت می‌کنند، ایده‌های خود را تکمیل و بازنگری می‌کنند و در برابر هیئتی از مدیران حوزه‌های تخصصی ارائه می‌دهند. اختتامیه در **هفتهٔ تأمین اجتماعی** برگزار می‌شود.".into(),
                audience: Audience::Both,
                axes: axes(&[
                    ("معرفی خدمات سازمان تأمین اجتماعی", "آشنا کردن مخاطبان با خدمات بیمه‌ای، درمانی و الکترونیک سازمان"),
                    ("فرهنگ بیمه", "فرهنگ‌سازی بیمه‌ای و آگاهی از حقوق بیمه‌شدگان"),
                    ("طرح بیمهٔ فراگیر خانواده", "دانشجویان، زنان خانه‌دار و دختران"),
                ]),
                stages: vec![
                    stage(Submission, "ثبت ایده‌های اولیه", d(1401, 11, 1), d(1401, 12, 15)),
                    stage(Screening, "", d(1401, 12, 16), d(1401, 12, 25)),
                    stage(Shortlisting, "انتخاب ۱۹ ایدهٔ مرحلهٔ نهایی", d(1402, 1, 15), d(1402, 2, 10)),
                    stage(Orientation, "دوره‌های آشنایی با نظام مسائل", d(1402, 2, 11), d(1402, 3, 10)),
                    stage(FinalPresentation, "ارائه به هیئت داوران", d(1402, 3, 20), d(1402, 3, 31)),
                    stage(Results, "اختتامیه در هفتهٔ تأمین اجتماعی", d(1402, 4, 1), d(1402, 4, 10)),
                ],
            },
        ),
        (
            "elecomp",
            CallState::Closed,
            ValidCall {
                title: "هوشمندسازی تأمین اجتماعی: غرفهٔ نمایشگاه الکامپ".into(),
                description: "ایده‌ها و پیشنهادهایی که بازدیدکنندگان غرفهٔ سازمان در نمایشگاه الکامپ برای بهره‌گیری از ظرفیت‌های فضای دیجیتال و هوشمندسازی ثبت کردند.".into(),
                audience: Audience::Public,
                axes: axes(&[("هوشمندسازی خدمات", "")]),
                stages: vec![stage(Submission, "دریافت ایده در غرفه", d(1402, 3, 1), d(1402, 3, 4)), stage(Screening, "", d(1402, 3, 5), d(1402, 3, 31))],
            },
        ),
        (
            "open",
            CallState::Published,
            ValidCall {
                title: "فراخوان نمونه: خدمات بدون مراجعهٔ حضوری".into(),
                description: "چگونه می‌توان خدمات سازمان را بدون مراجعه به شعبه، روی وب و تلفن همراه در دسترس بیمه‌شدگان و مستمری‌بگیران گذاشت؟ ایده‌های خود را ثبت کنید.".into(),
                audience: Audience::Both,
                axes: axes(&[
                    ("خدمات غیرحضوری بیمه‌شدگان", ""),
                    ("خدمات مستمری‌بگیران", ""),
                    ("کاهش بوروکراسی و نارضایتی", ""),
                ]),
                stages: vec![
                    stage(Submission, "", rel(-10), rel(30)),
                    stage(Screening, "", rel(31), rel(45)),
                    stage(Shortlisting, "", rel(46), rel(60)),
                    stage(Results, "", rel(61), rel(70)),
                ],
            },
        ),
    ]
}

/// Loads the demo data into `store` and prints the demo users with their password.
pub async fn load(store: &Store, demo_password: &str) -> anyhow::Result<()> {
    let mut last_province: Option<OrgUnitId> = None;
    for (parent_code, mut unit) in units() {
        if let Some(existing) = store.org_unit_by_code(&unit.code).await? {
            if existing.kind == OrgUnitKind::Province {
                last_province = Some(existing.id);
            }
            continue;
        }
        unit.parent_id = match (unit.kind, parent_code) {
            (OrgUnitKind::Branch, _) => last_province,
            (_, Some(code)) => store.org_unit_by_code(code).await?.map(|u| u.id),
            (_, None) => None,
        };
        let created = store.create_org_unit(&unit, None).await?;
        if created.kind == OrgUnitKind::Province {
            last_province = Some(created.id);
        }
    }

    // One hash for all demo users: they share the password, and argon2 is slow on purpose.
    let hash = password::hash(demo_password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut ids = Vec::new();
    for u in USERS {
        let id = match store.user_by_username(u.username).await? {
            Some(existing) => existing.id,
            None => {
                let unit = store.org_unit_by_code(u.unit).await?.map(|x| x.id);
                let new = NewUser {
                    username: u.username.into(),
                    display_name: u.name.into(),
                    password_hash: Some(hash.clone()),
                    national_id: None,
                    mobile: participant_mobile(u.username),
                    org_unit_id: unit,
                    roles: u.roles.to_vec(),
                };
                store.create_user(&new, None).await?.id
            }
        };
        ids.push(id);
    }
    store.set_password_many(&ids, &hash).await?;

    let secretariat = store.user_by_username("secretariat").await?.map(|u| u.id);
    for (key, state, call) in calls() {
        let key = format!("demo.call.{key}");
        if store.setting(&key).await?.is_some() {
            continue;
        }
        // A past round is dated as it happened: published two weeks before its first stage,
        // closed the day after its last. The call open today is published now.
        let first = call.stages.first().map(|s| s.start);
        let last = call.stages.last().map(|s| s.end);
        let (published_at, closed_at) = match (first, last) {
            (Some(f), Some(l)) if state == CallState::Closed => (
                UnixSeconds::from_timestamp(jalali::start_of_day_tehran(f)) - 14 * 86_400,
                UnixSeconds::from_timestamp(jalali::end_of_day_tehran(l)) + 86_400,
            ),
            _ => (hamafza_store::now(), hamafza_store::now()),
        };
        let c = hamafza_store::as_of(published_at, async {
            let c = store.create_call(&call, None, secretariat).await?;
            store
                .set_call_state(c.id, CallState::Published, secretariat)
                .await?;
            anyhow::Ok(c)
        })
        .await?;
        if state == CallState::Closed {
            hamafza_store::as_of(
                closed_at,
                store.set_call_state(c.id, CallState::Closed, secretariat),
            )
            .await?;
        }
        store.setting_or_init(&key, || c.public_id.clone()).await?;
    }
    let call = |key: &'static str| async move {
        let id = store
            .setting(&format!("demo.call.{key}"))
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo call {key} missing"))?;
        store
            .call_by_public_id(&id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo call {key} missing"))
    };
    let (round1, round2, elecomp) = (
        call("round1").await?,
        call("round2").await?,
        call("elecomp").await?,
    );
    let mut participants = Vec::new();
    for n in 1..=5 {
        let u = store
            .user_by_username(&format!("participant{n}"))
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo user participant{n} missing"))?;
        participants.push(u.id);
    }
    let participants: [UserId; 5] = participants
        .try_into()
        .map_err(|_| anyhow::anyhow!("five demo participants"))?;
    crate::demo_ideas::load(store, &round1, &round2, &elecomp, secretariat, participants).await?;
    crate::demo_juries::load(store, &round2, secretariat).await?;

    println!("Hamafza demo — every demo user's password is: {demo_password}");
    for u in USERS {
        let roles: Vec<_> = u.roles.iter().map(|r| r.as_str()).collect();
        println!("  {:<26} {:<12} {}", u.username, roles.join(","), u.name);
    }
    Ok(())
}
