//! Throughput of `normalize` on realistic Persian text, with a plain copy of
//! the same text as the same-run baseline.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hamafza_persian::{digits, normalize};

/// Paragraphs with the mess real input has: Arabic ي/ك, Arabic-Indic and
/// Persian digits, diacritics, tatweel, ZWNJ, NBSP and double spaces.
const PARAGRAPHS: &[&str] = &[
    "همافزا سامانه‌ای برای مدیریت ایده‌ها است که در آن كاربران می‌توانند ايده‌های خود را ثبت كنند، \
     درباره‌ی آن‌ها گفت‌وگو کنند و در نهایت بهترین پیشنهادها را برای اجرا برگزینند.  ",
    "در سال ١٤٠٢ بیش از ۱۲۵۰ ایده ثبت شد و ٣٤٠ مورد از آن‌ها به مرحله‌ی بررسی رسید؛ \
     این یعنی حدود ۲۷ درصد.\u{00A0}مهلت ارسال تا ۱۴۰۳/۰۱/۱۵ است.\n",
    "مُحَمَّد و عَلِي در جلسه‌ی کـــاری گفتند که باید فرایند داوری شفاف‌تر شود و \
     نتیجه‌ی هر مرحله برای همه قابل مشاهده باشد. ",
    "اين متن برای آزمودن سرعت نرمال‌سازی نوشته شده است و شامل حروف عربي، \
     ارقام فارسی و عربی، اعراب، کشیده و نیم‌فاصله است.\t",
];

fn corpus() -> String {
    let mut s = String::with_capacity(70 * 1024);
    while s.len() < 64 * 1024 {
        for p in PARAGRAPHS {
            s.push_str(p);
        }
    }
    s
}

fn bench(c: &mut Criterion) {
    let text = corpus();
    let mut group = c.benchmark_group("persian");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("copy_baseline", |b| b.iter(|| black_box(&text).to_owned()));
    group.bench_function("normalize", |b| b.iter(|| normalize(black_box(&text))));
    group.bench_function("digits_to_persian", |b| {
        b.iter(|| digits::to_persian(black_box(&text)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
