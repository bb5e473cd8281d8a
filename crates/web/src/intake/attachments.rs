//! Attachments over HTTP: reading uploads (multipart or a raw body), deciding a file's type by
//! its content, never by its name, and serving files only as downloads.

use crate::AppState;
use crate::auth::csrf;
use crate::http::error::{AppError, AppResult};
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use hamafza_core::account::FieldError;
use hamafza_store::attachments::{Attachment, MAX_PER_IDEA, NewAttachment};
use std::collections::HashMap;

/// The types we accept, as sniffed.
const ALLOWED: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
];

/// The content type of `bytes` if it is one we accept. `infer` reads magic numbers; for OOXML
/// its check depends on the order of the ZIP's entries, so a ZIP it cannot place is recognized
/// by the part every Word, Excel or PowerPoint file must contain.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if let Some(t) = infer::get(bytes)
        && let Some(m) = ALLOWED.iter().find(|m| **m == t.mime_type())
    {
        return Some(m);
    }
    if !bytes.starts_with(b"PK\x03\x04") || !contains(bytes, b"[Content_Types].xml") {
        return None;
    }
    [
        (&b"word/document.xml"[..], ALLOWED[4]),
        (b"xl/workbook.xml", ALLOWED[5]),
        (b"ppt/presentation.xml", ALLOWED[6]),
    ]
    .into_iter()
    .find(|(part, _)| contains(bytes, part))
    .map(|(_, m)| m)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A file as it arrived, before any check.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
    /// Larger than the limit; the bytes past it were not kept.
    pub too_big: bool,
}

/// An error about one file or one person, named so the message can say which.
#[derive(Debug, Clone)]
pub struct ItemError {
    pub field: &'static str,
    pub item: String,
    pub error: FieldError,
}

/// The per-file limit in bytes (`max_upload_mb`).
pub fn max_bytes(state: &AppState) -> usize {
    state.config.max_upload_mb * 1024 * 1024
}

/// The body limit of routes that take uploads: every file at its largest, and room for the form.
pub fn body_limit(max_upload_mb: usize) -> usize {
    (max_upload_mb * MAX_PER_IDEA + 1) * 1024 * 1024
}

/// A name safe to show (in an error about the file): the last path segment, none of the
/// characters that hide or reorder text, bounded.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let s: String = hamafza_persian::controls::strip_unwanted(base)
        .chars()
        .take(150)
        .collect();
    let s = s.trim().to_string();
    if s.is_empty() { "file".into() } else { s }
}

/// The extensions of a sniffed type; the first is the one a file is given.
fn extensions(mime: &str) -> &'static [&'static str] {
    match mime {
        "application/pdf" => &["pdf"],
        "image/png" => &["png"],
        "image/jpeg" => &["jpg", "jpeg", "jpe", "jfif"],
        "image/webp" => &["webp"],
        m if m == ALLOWED[4] => &["docx"],
        m if m == ALLOWED[5] => &["xlsx"],
        m if m == ALLOWED[6] => &["pptx"],
        _ => &["bin"],
    }
}

/// The name a file of type `mime` is stored, shown and downloaded under: [`clean_name`], ending
/// in the extension of the type its content has, whatever the uploader called it. `plan.hta`
/// holding a PDF becomes `plan.pdf`; a name without an extension gets one.
pub fn file_name(name: &str, mime: &str) -> String {
    let clean = clean_name(name);
    let clean = clean.trim_end_matches(['.', ' ']);
    let exts = extensions(mime);
    let (stem, ext) = match clean.rsplit_once('.') {
        Some((stem, ext)) if exts.iter().any(|e| e.eq_ignore_ascii_case(ext)) => (stem, ext),
        // Another extension is replaced; a dot inside a name ("نسخهٔ ۱.۲ طرح") is kept.
        Some((stem, ext))
            if (1..=5).contains(&ext.len()) && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            (stem, exts[0])
        }
        _ => (clean, exts[0]),
    };
    let stem: String = stem
        .trim_end_matches(['.', ' '])
        .chars()
        .take(150 - ext.len() - 1)
        .collect();
    let stem = stem.trim();
    format!("{}.{ext}", if stem.is_empty() { "file" } else { stem })
}

/// Checks uploads for an idea that has `existing` attachments: type by content, size, count.
pub fn check(
    uploads: &[Upload],
    existing: usize,
    max: usize,
) -> Result<Vec<NewAttachment>, Vec<ItemError>> {
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for u in uploads {
        let name = clean_name(&u.name);
        if u.too_big || u.bytes.len() > max {
            errors.push(ItemError {
                field: "attachments",
                item: name,
                error: FieldError::FileTooBig(max / (1024 * 1024)),
            });
        } else if let Some(mime) = sniff(&u.bytes) {
            ok.push(NewAttachment {
                name: file_name(&u.name, mime),
                mime: mime.into(),
                bytes: u.bytes.clone(),
            });
        } else {
            errors.push(ItemError {
                field: "attachments",
                item: name,
                error: FieldError::FileType,
            });
        }
    }
    if existing + uploads.len() > MAX_PER_IDEA {
        errors.push(ItemError {
            field: "attachments",
            item: String::new(),
            error: FieldError::TooManyFiles(MAX_PER_IDEA),
        });
    }
    if errors.is_empty() {
        Ok(ok)
    } else {
        Err(errors)
    }
}

/// `Content-Disposition: attachment` with an ASCII fallback and the UTF-8 name (RFC 5987/6266),
/// without the characters that hide or reorder text.
pub fn content_disposition(name: &str) -> String {
    let name = &hamafza_persian::controls::strip_unwanted(name);
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._- ()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The file as a download: its sniffed type, never rendered inline, never sniffed again.
pub async fn download(state: &AppState, a: &Attachment) -> AppResult<Response> {
    let bytes = state.store.attachment_bytes(a).await?;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    let ct = HeaderValue::from_str(&a.mime)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    h.insert(header::CONTENT_TYPE, ct);
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&file_name(&a.name, &a.mime))) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(r)
}

/// A page form that may carry files: `multipart/form-data` (with `<input type=file>`) or, from
/// browsers and tests that send no files, URL-encoded. The CSRF token is checked either way.
/// Files larger than the limit are read only up to it and marked `too_big`, so the form can be
/// shown again with a message instead of failing the whole request.
pub struct UploadForm {
    pub fields: HashMap<String, String>,
    pub files: Vec<Upload>,
}

impl FromRequest<AppState> for UploadForm {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let is_multipart = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !is_multipart {
            let crate::auth::csrf::CsrfForm(fields) =
                crate::auth::csrf::CsrfForm::<HashMap<String, String>>::from_request(req, state)
                    .await?;
            return Ok(UploadForm {
                fields,
                files: Vec::new(),
            });
        }
        let max = max_bytes(state);
        let mut form = Multipart::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        let mut fields = HashMap::new();
        let mut files = Vec::new();
        let mut guard = csrf::MultipartCsrf::new(&headers, state);
        while let Some(mut field) = form
            .next_field()
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?
        {
            let name = field.name().unwrap_or_default().to_string();
            match field.file_name().map(str::to_string) {
                Some(file_name) => {
                    guard.before_file()?;
                    let mut bytes = Vec::new();
                    let mut too_big = false;
                    while let Some(chunk) = field
                        .chunk()
                        .await
                        .map_err(|e| AppError::BadRequest(e.body_text()))?
                    {
                        if bytes.len() + chunk.len() > max {
                            too_big = true;
                        } else {
                            bytes.extend_from_slice(&chunk);
                        }
                    }
                    // A file input left empty still sends a part with no name and no bytes.
                    if !file_name.is_empty() || !bytes.is_empty() {
                        files.push(Upload {
                            name: file_name,
                            bytes,
                            too_big,
                        });
                    }
                }
                None => {
                    let text = field
                        .text()
                        .await
                        .map_err(|e| AppError::BadRequest(e.body_text()))?;
                    if name == csrf::CSRF_FIELD {
                        guard.token(&text)?;
                    }
                    if text.contains('\0') {
                        return Err(crate::http::extract::nul_refused());
                    }
                    fields.insert(name, text);
                }
            }
        }
        guard.finish()?;
        Ok(UploadForm { fields, files })
    }
}

/// The uploads of an API request: multipart (every part with a file name) or the raw body, named
/// by the `X-Filename` header (percent-encoded UTF-8 allowed) or a `Content-Disposition` header.
pub async fn api_uploads(state: &AppState, req: Request) -> AppResult<Vec<Upload>> {
    let headers = req.headers().clone();
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if ct.starts_with("multipart/form-data") {
        let form = UploadFormNoCsrf::from_request(req, state).await?;
        return Ok(form.0);
    }
    let max = max_bytes(state);
    let body = Bytes::from_request(req, state)
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?;
    let name = headers
        .get("x-filename")
        .and_then(|v| v.to_str().ok())
        .map(percent_decode)
        .or_else(|| {
            headers
                .get(header::CONTENT_DISPOSITION)
                .and_then(|v| v.to_str().ok())
                .and_then(disposition_name)
        })
        .unwrap_or_default();
    if body.is_empty() {
        return Err(AppError::Validation(vec![("file", FieldError::Required)]));
    }
    Ok(vec![Upload {
        name,
        too_big: body.len() > max,
        bytes: if body.len() > max {
            Vec::new()
        } else {
            body.to_vec()
        },
    }])
}

/// Multipart files for the API, which authenticates by token and so needs no CSRF check.
struct UploadFormNoCsrf(Vec<Upload>);

impl FromRequest<AppState> for UploadFormNoCsrf {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let max = max_bytes(state);
        let mut form = Multipart::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        let mut files = Vec::new();
        while let Some(mut field) = form
            .next_field()
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?
        {
            let Some(name) = field.file_name().map(str::to_string) else {
                continue;
            };
            let (mut bytes, mut too_big) = (Vec::new(), false);
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|e| AppError::BadRequest(e.body_text()))?
            {
                if bytes.len() + chunk.len() > max {
                    too_big = true;
                } else {
                    bytes.extend_from_slice(&chunk);
                }
            }
            files.push(Upload {
                name,
                bytes,
                too_big,
            });
        }
        if files.is_empty() {
            return Err(AppError::Validation(vec![("file", FieldError::Required)]));
        }
        Ok(UploadFormNoCsrf(files))
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The file name of a `Content-Disposition` header, preferring `filename*=UTF-8''…`.
fn disposition_name(v: &str) -> Option<String> {
    let parts: Vec<&str> = v.split(';').map(str::trim).collect();
    if let Some(p) = parts.iter().find_map(|p| p.strip_prefix("filename*=")) {
        let enc = p.trim_matches('"');
        let value = enc.splitn(3, '\'').nth(2).unwrap_or(enc);
        return Some(percent_decode(value));
    }
    parts
        .iter()
        .find_map(|p| p.strip_prefix("filename="))
        .map(|p| p.trim_matches('"').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

    #[test]
    fn types_come_from_the_content() {
        assert_eq!(sniff(b"%PDF-1.7\n%\xe2\xe3"), Some("application/pdf"));
        assert_eq!(sniff(PNG), Some("image/png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF\0"), Some("image/jpeg"));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(
            sniff(b"MZ\x90\0\x03\0\0\0\x04\0"),
            None,
            "a Windows program"
        );
        assert_eq!(sniff(b"<html><script>"), None);
        assert_eq!(sniff(b"PK\x03\x04 just a zip"), None);
    }

    #[test]
    fn a_real_xlsx_is_recognized() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        wb.add_worksheet().write(0, 0, "ایده").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        assert_eq!(sniff(&bytes), Some(ALLOWED[5]));
    }

    #[test]
    fn ooxml_parts_decide_between_word_and_powerpoint() {
        let zip = |part: &str| {
            let mut b = b"PK\x03\x04".to_vec();
            b.extend(b"\0\0\0\0[Content_Types].xml ... PK\x03\x04 ");
            b.extend(part.as_bytes());
            b
        };
        assert_eq!(sniff(&zip("word/document.xml")), Some(ALLOWED[4]));
        assert_eq!(sniff(&zip("ppt/presentation.xml")), Some(ALLOWED[6]));
    }

    #[test]
    fn a_stored_name_ends_in_the_extension_of_the_content() {
        let pdf = "application/pdf";
        for (given, stored) in [
            ("plan.hta", "plan.pdf"),
            ("plan.html", "plan.pdf"),
            ("plan.SVG", "plan.pdf"),
            ("plan.exe", "plan.pdf"),
            ("plan", "plan.pdf"),
            ("Plan.PDF", "Plan.PDF"),
            ("plan.pdf.exe", "plan.pdf.pdf"),
            ("plan.hta.", "plan.pdf"),
            (".hta", "file.pdf"),
            ("", "file.pdf"),
            ("طرح نسخهٔ ۱.۲ نهایی", "طرح نسخهٔ ۱.۲ نهایی.pdf"),
            ("invoice\u{202E}fdp.hta", "invoicefdp.pdf"),
            ("\u{2067}طرح\u{200C}ها\u{2069}\0.hta", "طرح\u{200C}ها.pdf"),
            ("C:\\Users\\x\\a.b/c.hta", "c.pdf"),
        ] {
            assert_eq!(file_name(given, pdf), stored, "{given:?}");
        }
        assert_eq!(file_name("photo.JPEG", "image/jpeg"), "photo.JPEG");
        assert_eq!(file_name("photo.png", "image/jpeg"), "photo.jpg");
        assert_eq!(file_name("sheet.zip", ALLOWED[5]), "sheet.xlsx");
        let long = format!("{}.hta", "ب".repeat(400));
        let bounded = file_name(&long, pdf);
        assert_eq!(bounded.chars().count(), 150);
        assert!(bounded.ends_with(".pdf"));
    }

    #[test]
    fn checked_uploads_carry_the_name_of_their_content() {
        let up = |name: &str| Upload {
            name: name.into(),
            bytes: b"%PDF-1.7\n%\xe2\xe3".to_vec(),
            too_big: false,
        };
        let ok = check(&[up("plan.hta"), up("invoice\u{202E}fdp.hta")], 0, 1 << 20).unwrap();
        let names: Vec<_> = ok.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["plan.pdf", "invoicefdp.pdf"]);
        let err = check(
            &[Upload {
                bytes: b"MZ".to_vec(),
                ..up("a\u{202E}gpj.exe")
            }],
            0,
            1 << 20,
        )
        .unwrap_err();
        assert_eq!(err[0].item, "agpj.exe");
    }

    #[test]
    fn download_names_are_encoded_for_any_browser() {
        assert_eq!(
            content_disposition("a\u{202E}b\r\n.pdf"),
            "attachment; filename=\"ab.pdf\"; filename*=UTF-8''ab.pdf"
        );
        assert_eq!(
            content_disposition("طرح 1.pdf"),
            "attachment; filename=\"___ 1.pdf\"; filename*=UTF-8''%D8%B7%D8%B1%D8%AD%201.pdf"
        );
        assert_eq!(clean_name("C:\\Users\\x\\a\"b.pdf"), "a\"b.pdf");
        assert_eq!(
            disposition_name("attachment; filename*=UTF-8''%D8%B7.pdf").unwrap(),
            "ط.pdf"
        );
        assert_eq!(percent_decode("%D8%B7%2"), "ط%2");
    }
}
