//! Offline intake with the spreadsheets people really send (issue 18): broken quotes, the same
//! text from different people, other separators and the encodings Excel writes on a Persian
//! Windows; and the imported authors shown where the secretariat reads them. On both databases.

use axum::http::StatusCode;
use hamafza_core::Role;
use hamafza_core::call::Audience;
use hamafza_core::call::Call;
use hamafza_web::testing::fixtures::open_call;
use hamafza_web::testing::{Client, TestApp, TestResponse};
use hamafza_web::web_tests;

web_tests!(
    an_unclosed_quote_is_reported_at_the_line_where_it_opened,
    the_dry_run_skips_exactly_what_the_import_skips,
    imported_authors_show_on_the_idea_page_and_in_the_export,
    semicolons_tabs_and_excel_encodings_are_read,
    the_template_workbook_imports_as_it_is_filled_in,
    a_clean_dry_run_imports_without_a_second_upload,
);

const HEADER: &str = "عنوان,محور,مسئله,راه‌حل,نام,تلفن همراه,تاریخ\n";

/// A data row whose problem and solution are long enough to pass.
fn row(title: &str, name: &str, mobile: &str, date: &str) -> String {
    format!(
        "{title},۱,صف‌های طولانی در شعب برای کارهای ساده,نوبت‌دهی برخط با پیامک یادآوری,{name},{mobile},{date}\n"
    )
}

async fn secretariat(app: &TestApp) -> (Call, Client, String) {
    let c = open_call(app, Audience::Both).await;
    app.user("dabir", &[Role::Secretariat]).await;
    let mut d = app.client();
    let token = d.token("dabir").await;
    (c, d, token)
}

async fn import(d: &mut Client, c: &Call, token: &str, q: &str, body: Vec<u8>) -> TestResponse {
    let req = axum::http::Request::post(format!("/api/v1/calls/{}/imports?{q}", c.public_id))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "text/csv")
        .body(axum::body::Body::from(body))
        .unwrap();
    d.send(req).await
}

fn counts(r: &TestResponse) -> (i64, i64, i64, i64) {
    let j = r.json();
    let n = |k: &str| j[k].as_i64().unwrap_or(-1);
    (n("rows"), n("valid"), n("imported"), n("skipped"))
}

/// Issue 18.9: a quote left open used to swallow every row after it into one cell, and the dry
/// run reported fewer rows and no error.
async fn an_unclosed_quote_is_reported_at_the_line_where_it_opened(app: TestApp) {
    let (c, mut d, token) = secretariat(&app).await;
    let file = format!(
        "{HEADER}{}{}ایدهٔ سه,۱,\"صف‌های طولانی در شعب,نوبت‌دهی برخط با پیامک,,,\n{}",
        row("ایدهٔ یک", "", "", ""),
        row("ایدهٔ دو", "", "", ""),
        row("ایدهٔ چهار", "", "", ""),
    );
    let r = import(
        &mut d,
        &c,
        &token,
        "dry_run=true",
        file.clone().into_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let e = &r.json()["errors"][0];
    assert_eq!(
        (e["field"].as_str(), e["line"].as_i64()),
        (Some("file"), Some(4))
    );
    let detail = e["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("سطر ۴") && detail.contains("ببندید"),
        "{detail}"
    );
    // The page says the same, and keeps the choices made on the form.
    let (mut p, _) = app.signed_in("dabir2", &[Role::Secretariat]).await;
    let csrf = p.csrf().await;
    let url = format!("/secretariat/calls/{}/import", c.public_id);
    let r = p
        .post_multipart_raw(
            &url,
            &[("csrf", &csrf), ("channel", "paper"), ("partial", "on")],
            &[("file", "booth.csv", file.as_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("سطر ۴"), "{}", r.body);
    assert!(r.body.contains(r#"value="paper" checked"#), "{}", r.body);
    assert!(r.body.contains(r#"name="partial" checked"#), "{}", r.body);
    assert!(!r.body.contains(r#"name="dry_run" checked"#), "{}", r.body);
    assert_eq!(
        app.state.store.ideas_of_call(c.id, 0, 10).await.unwrap().1,
        0
    );
}

/// Issue 18.10: two people with the same idea are two ideas; one person's row twice is one; and
/// the dry run's numbers are the import's.
async fn the_dry_run_skips_exactly_what_the_import_skips(app: TestApp) {
    let (c, mut d, token) = secretariat(&app).await;
    let file = format!(
        "{HEADER}{}{}{}{}",
        row("نوبت‌دهی برخط", "علی رضایی", "", "۱۴۰۲/۰۳/۰۲"),
        row("نوبت‌دهی برخط", "مریم احمدی", "", "۱۴۰۲/۰۳/۰۳"),
        row("نوبت‌دهی برخط", "مریم  احمدي", "", "۱۴۰۲/۰۳/۰۴"),
        row("کیوسک خدمات", "", "۰۹۱۲۱۲۳۴۵۶۷", ""),
    );
    let dry = import(
        &mut d,
        &c,
        &token,
        "dry_run=true",
        file.clone().into_bytes(),
    )
    .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(counts(&dry), (4, 4, 3, 1), "{}", dry.body);
    let skipped = &dry.json()["skipped_rows"][0];
    assert_eq!(
        (skipped["line"].as_i64(), skipped["same_as_line"].as_i64()),
        (Some(4), Some(3)),
        "{}",
        dry.body
    );
    assert!(
        skipped["detail"].as_str().unwrap().contains("سطر ۴"),
        "{}",
        dry.body
    );
    let done = import(
        &mut d,
        &c,
        &token,
        "dry_run=false",
        file.clone().into_bytes(),
    )
    .await;
    assert_eq!(counts(&done), (4, 4, 3, 1), "{}", done.body);
    assert_eq!(
        app.state.store.ideas_of_call(c.id, 0, 10).await.unwrap().1,
        3
    );
    // The same file again: the dry run says all four are skipped, and they are.
    let dry = import(
        &mut d,
        &c,
        &token,
        "dry_run=true",
        file.clone().into_bytes(),
    )
    .await;
    assert_eq!(counts(&dry), (4, 4, 0, 4), "{}", dry.body);
    assert!(dry.json()["skipped_rows"][0]["same_as_line"].is_null());
    let again = import(&mut d, &c, &token, "dry_run=false", file.into_bytes()).await;
    assert_eq!(counts(&again), (4, 4, 0, 4), "{}", again.body);
}

/// Issue 18.11: the name column was stored and shown nowhere.
async fn imported_authors_show_on_the_idea_page_and_in_the_export(app: TestApp) {
    let (c, mut d, token) = secretariat(&app).await;
    let file = format!("{HEADER}{}", row("کیوسک خدمات", "علی رضایی", "", ""));
    let r = import(&mut d, &c, &token, "dry_run=false", file.into_bytes()).await;
    assert_eq!(counts(&r).2, 1, "{}", r.body);
    let idea = &app.state.store.ideas_of_call(c.id, 0, 10).await.unwrap().0[0];
    let (mut p, _) = app.signed_in("dabir2", &[Role::Secretariat]).await;
    let page = p.get(&format!("/ideas/{}", idea.public_id)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<bdi>علی رضایی</bdi>"), "{}", page.body);
    for format in ["csv", "xlsx"] {
        let r = d
            .api(
                "GET",
                &format!("/api/v1/calls/{}/export?format={format}", c.public_id),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        if format == "csv" {
            assert!(r.body.contains("\"علی رضایی\""), "{}", r.body);
        }
    }
}

/// Issue 18.12: a `;` file was one column; Windows-1256 and UTF-16 files were refused.
async fn semicolons_tabs_and_excel_encodings_are_read(app: TestApp) {
    let (c, mut d, token) = secretariat(&app).await;
    let comma = format!(
        "{HEADER}{}{}",
        row("نوبت‌دهی برخط", "علی رضایی", "", "۱۴۰۲/۰۳/۰۲"),
        row("کیوسک خدمات", "مریم احمدی", "", ""),
    );
    // Excel's CSV with a Persian list separator: `;`, a quoted cell holding a `,`.
    let semicolon = comma
        .replace(',', ";")
        .replace("کیوسک خدمات", "\"کیوسک, خدمات\"");
    let r = import(&mut d, &c, &token, "dry_run=true", semicolon.into_bytes()).await;
    assert_eq!(counts(&r), (2, 2, 2, 0), "{}", r.body);
    // "CSV (Comma delimited)" on a Persian Windows: Windows-1256, no BOM. The code page has
    // neither the Persian yeh nor Persian digits: Windows writes the Arabic yeh and Latin digits.
    let as_windows = hamafza_persian::digits::to_latin(&comma).replace('ی', "ي");
    let (ansi, _, lossy) = encoding_rs::WINDOWS_1256.encode(&as_windows);
    assert!(!lossy && std::str::from_utf8(&ansi).is_err());
    let r = import(&mut d, &c, &token, "dry_run=true", ansi.into_owned()).await;
    assert_eq!(counts(&r), (2, 2, 2, 0), "{}", r.body);
    // "Unicode text": UTF-16 with a BOM, tab-separated, little or big endian.
    let tabs = comma.replace(',', "\t");
    let le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(tabs.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(tabs.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    for bytes in [le, be] {
        let r = import(&mut d, &c, &token, "dry_run=true", bytes).await;
        assert_eq!(counts(&r), (2, 2, 2, 0), "{}", r.body);
    }
    // UTF-16 that is not (a lone surrogate), and binary bytes: refused in Persian words only.
    for bytes in [
        b"\xff\xfe\x00\xd8".to_vec(),
        b"\xd0\xcf\x11\xe0\x01\x02\xff".to_vec(),
    ] {
        let r = import(&mut d, &c, &token, "dry_run=true", bytes).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let detail = r.json()["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(!detail.chars().any(|c| c.is_ascii_alphabetic()), "{detail}");
    }
    assert_eq!(
        app.state.store.ideas_of_call(c.id, 0, 10).await.unwrap().1,
        0
    );
}

/// The sheets of an XLSX file, each as rows of text.
fn sheets(bytes: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names = book.sheet_names().to_vec();
    names
        .into_iter()
        .map(|n| {
            let range = book.worksheet_range(&n).unwrap();
            let rows = range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect();
            (n, rows)
        })
        .collect()
}

/// Issue 18.13: the workbook offered on the import page has the import's headers and the call's
/// axes; filled in, it imports.
async fn the_template_workbook_imports_as_it_is_filled_in(app: TestApp) {
    let (c, mut d, token) = secretariat(&app).await;
    let (mut p, _) = app.signed_in("dabir2", &[Role::Secretariat]).await;
    let page = p
        .get(&format!("/secretariat/calls/{}/import", c.public_id))
        .await;
    let link = format!("/secretariat/calls/{}/import/template", c.public_id);
    assert!(page.body.contains(&link), "the page offers it");
    let r = p.get(&link).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").contains("spreadsheetml"));
    assert!(r.header("content-disposition").contains(".xlsx"));
    let book = sheets(r.body_bytes());
    assert_eq!(book[0].0, "ایده‌ها");
    let headers = book[0].1[0].clone();
    assert_eq!(&headers[..4], ["عنوان", "محور", "مسئله", "راه‌حل"]);
    let guide: Vec<String> = book[1].1.iter().flatten().cloned().collect();
    assert!(guide.contains(&"خدمات غیرحضوری".to_string()), "{guide:?}");
    assert!(guide.contains(&"مستمری‌بگیران".to_string()));
    // Participants may not have it.
    let (mut sara, _) = app.signed_in("sara", &[Role::Participant]).await;
    assert_eq!(sara.get(&link).await.status, StatusCode::FORBIDDEN);

    // Filled in as a typist would (the axis chosen from the list) and imported over the API.
    let mut filled = rust_xlsxwriter::Workbook::new();
    let sheet = filled.add_worksheet();
    for (col, h) in headers.iter().enumerate() {
        sheet.write_string(0, col as u16, h).unwrap();
    }
    let row = [
        "کیوسک خدمات در داروخانه‌ها",
        "مستمری‌بگیران",
        "مستمری‌بگیران سالمند برای کارهای ساده به شعبه می‌آیند",
        "کیوسک لمسی در داروخانه‌ها و درمانگاه‌ها گذاشته شود",
        "",
        "",
        "مریم احمدی",
        "۰۹۱۲۱۲۳۴۵۶۷",
        "۱۴۰۲/۰۳/۰۲",
    ];
    for (col, v) in row.iter().enumerate() {
        sheet.write_string(1, col as u16, *v).unwrap();
    }
    let bytes = filled.save_to_buffer().unwrap();
    let r = import(&mut d, &c, &token, "", bytes).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(counts(&r), (1, 1, 1, 0));
    let (ideas, _) = app.state.store.ideas_of_call(c.id, 0, 10).await.unwrap();
    assert_eq!(ideas[0].axis_id, c.axes[1].id);

    // The API offers the same workbook; English headers when asked, and they import too.
    let r = d
        .send(
            axum::http::Request::get(format!("/api/v1/calls/{}/imports/template", c.public_id))
                .header("authorization", format!("Bearer {token}"))
                .header("accept-language", "en")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let en = sheets(r.body_bytes());
    assert_eq!(&en[0].1[0][..4], ["title", "axis", "problem", "solution"]);
}

/// Issue 18.13: after a clean dry run, the checked file is imported without uploading it again,
/// on the page and over the API; only by whoever checked it, and only once.
async fn a_clean_dry_run_imports_without_a_second_upload(app: TestApp) {
    let (c, mut d, token) = secretariat(&app).await;
    let file = format!(
        "{HEADER}{}{}",
        row("ایدهٔ یک", "علی رضایی", "", ""),
        row("ایدهٔ دو", "مریم احمدی", "", "")
    );
    let r = import(
        &mut d,
        &c,
        &token,
        "dry_run=true",
        file.clone().into_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let staged = r.json()["staged"].as_str().unwrap().to_string();
    assert_eq!(counts(&r), (2, 2, 2, 0));
    // Someone else's check names nothing.
    app.user("dabir3", &[Role::Secretariat]).await;
    let other = d.token("dabir3").await;
    let r = import(&mut d, &c, &other, &format!("staged={staged}"), Vec::new()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = import(&mut d, &c, &token, &format!("staged={staged}"), Vec::new()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(counts(&r), (2, 2, 2, 0));
    assert!(r.json()["staged"].is_null());
    let r = import(&mut d, &c, &token, &format!("staged={staged}"), Vec::new()).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "kept only until imported"
    );

    // The page: check, then import with one click.
    let (mut p, _) = app.signed_in("dabir2", &[Role::Secretariat]).await;
    let csrf = p.csrf().await;
    let url = format!("/secretariat/calls/{}/import", c.public_id);
    let more = format!("{HEADER}{}", row("ایدهٔ سه", "", "", ""));
    let r = p
        .post_multipart_raw(
            &url,
            &[("csrf", &csrf), ("channel", "paper"), ("dry_run", "on")],
            &[("file", "booth.csv", more.as_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("ورود همین ۱ ردیف"), "{}", r.body);
    let at = r.body.find(r#"name="staged" value=""#).unwrap() + r#"name="staged" value=""#.len();
    let id = &r.body[at..at + r.body[at..].find('"').unwrap()];
    assert!(
        r.body
            .contains(r#"<input type="hidden" name="channel" value="paper">"#)
    );
    let r = p
        .post_multipart_raw(
            &url,
            &[("csrf", &csrf), ("staged", id), ("channel", "paper")],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (ideas, n) = app.state.store.ideas_of_call(c.id, 0, 10).await.unwrap();
    assert_eq!(n, 3);
    assert!(
        ideas
            .iter()
            .any(|i| i.title == "ایدهٔ سه" && i.channel == hamafza_core::idea::Channel::Paper)
    );
}
