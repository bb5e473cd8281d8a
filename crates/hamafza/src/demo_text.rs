//! Readable Persian ideas for the demo, made from templates and word lists per theme, the way
//! real submissions to the Jam'ino rounds read: a title, a problem, a proposed solution and the
//! expected benefits. Deterministic (seeded), so every demo load shows the same ideas.

use hamafza_core::idea::IdeaText;
use hamafza_core::ids::AxisId;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

/// Word lists for one theme (an axis of a call).
pub struct Theme {
    /// What the idea does, e.g. «راه‌اندازی».
    pub actions: &'static [&'static str],
    /// What it does it to, e.g. «نوبت‌دهی اینترنتی شعب».
    pub subjects: &'static [&'static str],
    /// Problems seen today; `{g}` is the group affected.
    pub problems: &'static [&'static str],
    /// How; `{s}` is the subject.
    pub solutions: &'static [&'static str],
    pub benefits: &'static [&'static str],
}

const GROUPS: &[&str] = &[
    "بیمه‌شدگان",
    "مستمری‌بگیران",
    "کارفرمایان",
    "کارکنان شعب",
    "بیمه‌شدگان روستایی",
    "زنان سرپرست خانوار",
    "دانشجویان",
    "بیمه‌شدگان مشاغل آزاد",
];

const RESOURCES: &[&str] = &[
    "یک تیم سه‌نفره از کارشناسان فناوری اطلاعات به مدت شش ماه",
    "همکاری ادارهٔ کل روابط عمومی و بودجهٔ تولید محتوا",
    "هماهنگی با معاونت بیمه‌ای و اصلاح یک دستورالعمل",
    "بودجهٔ اجرای آزمایشی در دو استان",
    "آموزش کارکنان شعب در یک دورهٔ دوروزه",
    "",
];

pub const SERVICES: Theme = Theme {
    actions: &[
        "راه‌اندازی",
        "ساده‌سازی",
        "یکپارچه‌سازی",
        "غیرحضوری کردن",
        "بازطراحی",
        "تسریع",
    ],
    subjects: &[
        "نوبت‌دهی اینترنتی شعب",
        "صدور گواهی سوابق بیمه‌ای",
        "ثبت‌نام بیمهٔ اختیاری",
        "پرداخت حق بیمهٔ مشاغل آزاد",
        "پیگیری درخواست‌های مستمری",
        "تمدید اعتبار دفترچهٔ درمان",
        "استعلام سوابق کارفرمایان",
        "پاسخ‌گویی تلفنی ۱۴۲۰",
    ],
    problems: &[
        "{g} برای یک کار ساده چند بار به شعبه مراجعه می‌کنند و ساعت‌ها در صف می‌مانند.",
        "مدارک تکراری از {g} خواسته می‌شود، در حالی که بیشتر آن‌ها در سامانه‌های سازمان موجود است.",
        "{g} از مراحل کار و زمان پاسخ خبر ندارند و برای پیگیری ناچار به تماس‌های مکرر هستند.",
        "فرایند فعلی برای {g} کاغذی است و پرونده‌ها میان واحدها جابه‌جا می‌شود.",
    ],
    solutions: &[
        "{s} به‌صورت کامل در درگاه خدمات غیرحضوری و اپلیکیشن همراه انجام شود و نتیجه با پیامک اطلاع داده شود.",
        "برای {s} یک پنجرهٔ واحد ساخته شود که مدارک را یک بار بگیرد و از سامانه‌های دیگر استعلام کند.",
        "{s} با یک فرم کوتاه و راهنمای تصویری انجام شود و کارشناس شعبه فقط موارد خاص را بررسی کند.",
        "برای {s} کد رهگیری داده شود تا هر مرحله در درگاه دیده شود و پاسخ در مهلت مشخص برسد.",
    ],
    benefits: &[
        "کاهش مراجعهٔ حضوری به شعب و صرفه‌جویی در وقت و هزینهٔ مردم.",
        "افزایش رضایت مخاطبان و کاهش شکایت‌ها.",
        "سبک شدن بار کاری کارکنان شعب و تمرکز آن‌ها بر کارهای تخصصی.",
        "شفافیت فرایند و کاهش زمینهٔ تخلف.",
    ],
};

pub const HEALTH: Theme = Theme {
    actions: &["بهبود", "راه‌اندازی", "هوشمندسازی", "گسترش"],
    subjects: &[
        "نسخهٔ الکترونیک در داروخانه‌های طرف قرارداد",
        "نوبت‌دهی درمانگاه‌های ملکی",
        "پروندهٔ الکترونیک سلامت",
        "پیگیری بیماران مزمن",
        "ارجاع میان پزشک عمومی و متخصص",
    ],
    problems: &[
        "{g} برای گرفتن نوبت پزشک متخصص هفته‌ها منتظر می‌مانند.",
        "سوابق درمانی {g} در مراکز مختلف پراکنده است و آزمایش‌ها تکرار می‌شود.",
        "{g} در شهرهای کوچک به خدمات تخصصی دسترسی کافی ندارند.",
    ],
    solutions: &[
        "{s} در همهٔ مراکز درمانی سازمان یکپارچه شود و پزشک سوابق بیمار را ببیند.",
        "{s} با پیامک یادآوری و امکان لغو نوبت همراه شود تا نوبت‌های خالی دوباره واگذار شود.",
        "برای {s} مشاورهٔ از راه دور با متخصصان مراکز استان فراهم شود.",
    ],
    benefits: &[
        "کاهش هزینه‌های درمان و آزمایش‌های تکراری.",
        "دسترسی عادلانه‌تر به خدمات درمانی.",
        "کوتاه شدن زمان انتظار بیماران.",
    ],
};

pub const REVENUE: Theme = Theme {
    actions: &["شفاف‌سازی", "هوشمندسازی", "اصلاح", "تشویق"],
    subjects: &[
        "وصول حق بیمهٔ کارگاه‌های کوچک",
        "بازرسی کارگاه‌ها",
        "تقسیط بدهی کارفرمایان",
        "شناسایی بیمه‌گریزی",
        "بیمهٔ کارکنان پلتفرم‌های آنلاین",
    ],
    problems: &[
        "بخشی از کارگاه‌ها فهرست کارکنان را کمتر از واقع اعلام می‌کنند و {g} از حمایت بیمه بی‌بهره می‌مانند.",
        "بدهی کارفرمایان انباشته می‌شود و فرایند تقسیط برای آن‌ها پیچیده است.",
        "بازرسی‌ها بیشتر حضوری و بدون اولویت‌بندی است.",
    ],
    solutions: &[
        "{s} با تطبیق داده‌های سازمان امور مالیاتی و سامانهٔ اشتغال انجام شود.",
        "برای {s} یک داشبورد ریسک ساخته شود تا بازرسی‌ها هدفمند شود.",
        "{s} به‌صورت برخط و با جدول اقساط پیشنهادی انجام شود.",
    ],
    benefits: &[
        "افزایش منابع سازمان و پایداری صندوق.",
        "پوشش بیمه‌ای کارگرانی که امروز بیمه نیستند.",
        "کاهش اختلاف با کارفرمایان.",
    ],
};

pub const PEOPLE: Theme = Theme {
    actions: &["توانمندسازی", "ایجاد", "بهبود", "راه‌اندازی"],
    subjects: &[
        "آموزش ضمن خدمت کارکنان شعب",
        "نظام پیشنهادها و تشویق کارکنان",
        "چرخش شغلی کارشناسان",
        "مربی‌گری مدیران جوان",
        "ارزیابی عملکرد کارکنان",
    ],
    problems: &[
        "کارکنان شعب فرصت یادگیری سامانه‌های تازه را ندارند و {g} پاسخ یکسان نمی‌گیرند.",
        "ایده‌های کارکنان شنیده نمی‌شود و انگیزهٔ مشارکت کم شده است.",
        "دانش کارشناسان باتجربه با بازنشستگی آن‌ها از دست می‌رود.",
    ],
    solutions: &[
        "{s} به‌صورت دوره‌های کوتاه برخط و گواهی‌دار برگزار شود.",
        "برای {s} سازوکاری شفاف با امتیاز و قدردانی عمومی طراحی شود.",
        "{s} با ثبت تجربه‌ها در یک بانک دانش سازمانی همراه شود.",
    ],
    benefits: &[
        "ارتقای کیفیت خدمت‌رسانی و یکسانی پاسخ‌ها.",
        "افزایش انگیزه و مشارکت کارکنان.",
        "حفظ دانش سازمانی.",
    ],
};

pub const MEDIA: Theme = Theme {
    actions: &["تولید", "ساخت", "راه‌اندازی", "طراحی"],
    subjects: &[
        "مجموعهٔ پویانمایی کوتاه",
        "پادکست هفتگی",
        "کمپین شبکه‌های اجتماعی",
        "مسابقهٔ تلویزیونی",
        "اینفوگرافیک‌های ساده",
        "مستند داستان‌های واقعی",
    ],
    problems: &[
        "{g} از خدمات و حقوق بیمه‌ای خود آگاهی کافی ندارند.",
        "تصویر سازمان نزد {g} بیشتر با صف و مراجعه به شعبه گره خورده است.",
        "پیام‌های سازمان برای {g} طولانی و پر از اصطلاحات تخصصی است.",
    ],
    solutions: &[
        "{s} با زبانی ساده و روایت زندگی واقعی بیمه‌شدگان ساخته و در فضای مجازی منتشر شود.",
        "{s} در همکاری با صداوسیمای استان‌ها و اینفلوئنسرهای محلی پخش شود.",
        "{s} با پرسش و پاسخ و جایزه همراه شود تا مخاطب در آن شرکت کند.",
    ],
    benefits: &[
        "افزایش آگاهی عمومی از خدمات سازمان.",
        "گسترش فرهنگ بیمه و پیوستن گروه‌های تازه به بیمه.",
        "بهبود تصویر سازمان نزد مردم.",
    ],
};

pub const SMART: Theme = Theme {
    actions: &["هوشمندسازی", "راه‌اندازی", "به‌کارگیری", "طراحی"],
    subjects: &[
        "دستیار گفت‌وگوی هوشمند",
        "احراز هویت برخط",
        "کیوسک خدمات در شعب",
        "امضای دیجیتال قراردادها",
        "پیش‌بینی ازدحام شعب",
        "اپلیکیشن همراه مستمری‌بگیران",
    ],
    problems: &[
        "{g} برای پرسش‌های ساده هم باید با شعبه تماس بگیرند.",
        "بسیاری از خدمات هنوز به حضور فیزیکی و امضای کاغذی نیاز دارد.",
        "ازدحام شعب در روزهای خاص ماه قابل پیش‌بینی است اما برنامه‌ای برای آن نیست.",
    ],
    solutions: &[
        "{s} با داده‌های سامانه‌های سازمان کار کند و پاسخ را در هر ساعت از شبانه‌روز بدهد.",
        "{s} برای همهٔ خدمات پرتکرار پیاده شود و نیاز به مراجعهٔ حضوری را بردارد.",
        "{s} نخست در یک استان آزمایش و سپس در کشور گسترش یابد.",
    ],
    benefits: &[
        "خدمت‌رسانی شبانه‌روزی و بدون مراجعه.",
        "کاهش هزینه‌های اداری و مصرف کاغذ.",
        "پیش‌بینی‌پذیری و برنامه‌ریزی بهتر.",
    ],
};

/// A generator of ideas, seeded so the demo is the same every time.
pub struct IdeaWriter {
    rng: StdRng,
}

impl IdeaWriter {
    pub fn new(seed: u64) -> Self {
        IdeaWriter {
            rng: StdRng::seed_from_u64(seed),
        }
    }

    fn pick(&mut self, list: &[&'static str]) -> &'static str {
        list.choose(&mut self.rng).copied().unwrap_or("")
    }

    /// An idea on `theme` under axis `axis_id`.
    pub fn idea(&mut self, theme: &Theme, axis_id: AxisId) -> IdeaText {
        let group = self.pick(GROUPS);
        let subject = self.pick(theme.subjects);
        let action = self.pick(theme.actions);
        let title = if self.rng.random_bool(0.5) {
            format!("{action} {subject} برای {group}")
        } else {
            format!("{action} {subject}")
        };
        let problem = self.pick(theme.problems).replace("{g}", group);
        let mut solution = self.pick(theme.solutions).replace("{s}", subject);
        if self.rng.random_bool(0.4) {
            solution.push(' ');
            solution.push_str(&self.pick(theme.solutions).replace("{s}", "این کار"));
        }
        let benefits = self.pick(theme.benefits).to_string();
        let resources = self.pick(RESOURCES).to_string();
        IdeaText {
            axis_id,
            title,
            problem,
            solution,
            benefits,
            resources,
            owner_unit_id: None,
        }
    }

    /// The same idea after a finalist revised it following orientation.
    pub fn revise(&mut self, t: &IdeaText, theme: &Theme) -> IdeaText {
        let mut r = t.clone();
        r.solution = format!(
            "{} پس از دورهٔ آشنایی: {}",
            t.solution,
            self.pick(theme.solutions).replace("{s}", "طرح")
        );
        r.resources = self.pick(&RESOURCES[..5]).to_string();
        r
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    pub fn below(&mut self, n: usize) -> usize {
        self.rng.random_range(0..n.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ideas_are_valid_and_reproducible() {
        let mut a = IdeaWriter::new(7);
        let mut b = IdeaWriter::new(7);
        for theme in [&SERVICES, &HEALTH, &REVENUE, &PEOPLE, &MEDIA, &SMART] {
            for _ in 0..50 {
                let x = a.idea(theme, AxisId::new(1));
                assert_eq!(x, b.idea(theme, AxisId::new(1)));
                let input = hamafza_core::idea::IdeaInput {
                    axis: "1".into(),
                    title: x.title.clone(),
                    problem: x.problem.clone(),
                    solution: x.solution.clone(),
                    benefits: x.benefits.clone(),
                    resources: x.resources.clone(),
                    owner_unit: String::new(),
                };
                assert!(input.validate(&[AxisId::new(1)]).is_ok(), "{x:?}");
                assert!(
                    !x.title.contains('{') && !x.problem.contains('{') && !x.solution.contains('{')
                );
            }
        }
    }
}
