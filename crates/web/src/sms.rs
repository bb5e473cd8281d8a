//! Sending SMS: a `log` sender that writes the message to the log (development and the demo) and
//! an `http` sender that calls a provider's URL, built from a template. Each provider has its own
//! API, but they all take "send this text to this number" as a GET or POST with the two filled in.

use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct SmsConfig {
    /// `log` or `http`.
    pub sender: String,
    /// For `http`: the URL; `{to}` and `{text}` are replaced, percent-encoded.
    pub url: String,
    /// For `http`: `GET` or `POST`.
    pub method: String,
    /// For `http` POST: the body; `{to}` and `{text}` are replaced (JSON-escaped when the content
    /// type is JSON, percent-encoded otherwise).
    pub body: String,
    pub content_type: String,
    /// For `http`: an `Authorization` header value, if the provider wants one.
    pub authorization: String,
}

impl Default for SmsConfig {
    fn default() -> Self {
        Self {
            sender: "log".into(),
            url: String::new(),
            method: "GET".into(),
            body: String::new(),
            content_type: "application/json".into(),
            authorization: String::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    #[error("the SMS provider answered {0}")]
    Status(u16),
    #[error("the SMS provider could not be reached: {0}")]
    Transport(#[from] reqwest::Error),
}

#[derive(Clone)]
pub enum SmsSender {
    Log,
    Http(Arc<HttpSender>),
    /// Keeps messages in memory, for tests that need to read the code.
    #[cfg(feature = "testing")]
    Memory(Arc<std::sync::Mutex<Vec<(String, String)>>>),
}

pub struct HttpSender {
    config: SmsConfig,
    client: reqwest::Client,
}

impl SmsSender {
    /// The sender the configuration names; a wrong configuration is an error naming the setting.
    pub fn from_config(c: &SmsConfig) -> anyhow::Result<SmsSender> {
        match c.sender.as_str() {
            "log" => Ok(SmsSender::Log),
            "http" => {
                if !(c.url.starts_with("http://") || c.url.starts_with("https://")) {
                    anyhow::bail!(
                        "sms.url must be an http(s) URL template when sms.sender is \"http\""
                    );
                }
                if !matches!(c.method.as_str(), "GET" | "POST") {
                    anyhow::bail!("sms.method must be GET or POST (got {:?})", c.method);
                }
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()?;
                Ok(SmsSender::Http(Arc::new(HttpSender {
                    config: c.clone(),
                    client,
                })))
            }
            other => anyhow::bail!("sms.sender must be \"log\" or \"http\" (got {other:?})"),
        }
    }

    pub async fn send(&self, to: &str, text: &str) -> Result<(), SmsError> {
        match self {
            SmsSender::Log => {
                tracing::info!(target: "sms", to, text, "SMS (log sender, not sent)");
                Ok(())
            }
            SmsSender::Http(h) => h.send(to, text).await,
            #[cfg(feature = "testing")]
            SmsSender::Memory(m) => {
                m.lock().unwrap().push((to.to_string(), text.to_string()));
                Ok(())
            }
        }
    }
}

fn percent(s: &str) -> String {
    crate::http::error::urlencode(s)
}

fn json_escaped(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted[1..quoted.len() - 1].to_string()
}

impl HttpSender {
    async fn send(&self, to: &str, text: &str) -> Result<(), SmsError> {
        let c = &self.config;
        let url = c
            .url
            .replace("{to}", &percent(to))
            .replace("{text}", &percent(text));
        let mut req = if c.method == "POST" {
            let esc: fn(&str) -> String = if c.content_type.contains("json") {
                json_escaped
            } else {
                percent
            };
            let body = c
                .body
                .replace("{to}", &esc(to))
                .replace("{text}", &esc(text));
            self.client
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, &c.content_type)
                .body(body)
        } else {
            self.client.get(url)
        };
        if !c.authorization.is_empty() {
            req = req.header(reqwest::header::AUTHORIZATION, &c.authorization);
        }
        let res = req.send().await?;
        if !res.status().is_success() {
            return Err(SmsError::Status(res.status().as_u16()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misconfigured_sender_names_the_setting() {
        let c = SmsConfig {
            sender: "http".into(),
            url: "ftp://x".into(),
            ..Default::default()
        };
        let e = SmsSender::from_config(&c).err().unwrap().to_string();
        assert!(e.contains("sms.url"), "{e}");
        let c = SmsConfig {
            sender: "pigeon".into(),
            ..Default::default()
        };
        assert!(
            SmsSender::from_config(&c)
                .err()
                .unwrap()
                .to_string()
                .contains("sms.sender")
        );
    }

    #[tokio::test]
    async fn the_http_sender_fills_in_the_template() {
        use axum::{Router, routing::post};
        let got = Arc::new(tokio::sync::Mutex::new(None::<(String, String)>));
        let g = got.clone();
        let app = Router::new().route(
            "/send",
            post(move |q: axum::extract::RawQuery, body: String| async move {
                *g.lock().await = Some((q.0.unwrap_or_default(), body));
                "ok"
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let c = SmsConfig {
            sender: "http".into(),
            url: format!("http://{addr}/send?to={{to}}"),
            method: "POST".into(),
            body: r#"{"to":"{to}","message":"{text}"}"#.into(),
            ..Default::default()
        };
        SmsSender::from_config(&c)
            .unwrap()
            .send("09121234567", "کد \"ورود\": ۱۲۳")
            .await
            .unwrap();
        let (q, body) = got.lock().await.clone().unwrap();
        assert_eq!(q, "to=09121234567");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["message"], "کد \"ورود\": ۱۲۳");
    }
}
