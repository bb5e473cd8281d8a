//! Markdown typed by the secretariat (call descriptions), rendered to HTML and sanitized: only
//! formatting tags survive, links get `rel="noopener noreferrer"`, scripts and event handlers go.

/// Safe HTML for `markdown`.
pub fn to_safe_html(markdown: &str) -> String {
    let parser = pulldown_cmark::Parser::new_ext(
        markdown,
        pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_STRIKETHROUGH,
    );
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, parser);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .clean(&html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_stays_and_scripts_go() {
        let html = to_safe_html(
            "**محور** اول\n\n<script>alert(1)</script>\n\n[پیوند](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(html.contains("<strong>محور</strong>"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("javascript:"));
        assert!(!html.contains("onerror"));
    }
}
