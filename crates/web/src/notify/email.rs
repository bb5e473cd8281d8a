//! Sending email with lettre: SMTP when `smtp.url` is set, otherwise a `log` transport that
//! writes the message to the log (the demo's default), and in tests a memory transport.

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// `smtp.*` in `hamafza.toml`, `HAMAFZA_SMTP__URL`, `HAMAFZA_SMTP__FROM`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpConfig {
    /// `smtps://user:pass@host:465`, `smtp://host:587?tls=required`, or empty to log messages
    /// instead of sending them.
    pub url: String,
    /// The sender, e.g. `هم‌افزا <noreply@example.org>`.
    pub from: String,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            url: String::new(),
            from: "Hamafza <noreply@localhost>".into(),
        }
    }
}

/// One message as the memory transport keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Clone)]
pub enum Mailer {
    /// Writes each message to the log instead of sending it.
    Log,
    Smtp(Arc<SmtpMailer>),
    /// Keeps messages in memory, for tests.
    #[cfg(feature = "testing")]
    Memory(Arc<std::sync::Mutex<Vec<Email>>>),
}

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// The transport the configuration names; a wrong value is an error naming the setting.
    pub fn from_config(c: &SmtpConfig) -> anyhow::Result<Mailer> {
        let from: Mailbox = c.from.parse().map_err(|e| {
            anyhow::anyhow!(
                "smtp.from (HAMAFZA_SMTP__FROM) must be an address such as \"Hamafza <noreply@example.org>\": {e}"
            )
        })?;
        if c.url.trim().is_empty() {
            return Ok(Mailer::Log);
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(c.url.trim())
            .map_err(|e| {
                anyhow::anyhow!("smtp.url (HAMAFZA_SMTP__URL) must be smtp://… or smtps://… ({e})")
            })?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(Mailer::Smtp(Arc::new(SmtpMailer { transport, from })))
    }

    /// Sends one plain-text message.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> anyhow::Result<()> {
        match self {
            Mailer::Log => {
                tracing::info!(target: "email", to, subject, body, "email (log transport, not sent)");
                Ok(())
            }
            Mailer::Smtp(m) => {
                let message = Message::builder()
                    .from(m.from.clone())
                    .to(to.parse()?)
                    .subject(subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(body.to_string())?;
                m.transport.send(message).await?;
                Ok(())
            }
            #[cfg(feature = "testing")]
            Mailer::Memory(sent) => {
                sent.lock().unwrap().push(Email {
                    to: to.into(),
                    subject: subject.into(),
                    body: body.into(),
                });
                Ok(())
            }
        }
    }
}

/// A plausible address: what lettre accepts, at most 254 characters, with a dot in the domain.
/// Persian or Arabic digits are turned into ASCII first; the result is what to store.
pub fn check_address(input: &str) -> Option<String> {
    let s = hamafza_persian::digits::to_latin(input.trim()).to_lowercase();
    let ok = s.len() <= 254
        && s.parse::<lettre::Address>().is_ok()
        && s.rsplit_once('@')
            .is_some_and(|(_, domain)| domain.contains('.') && !domain.ends_with('.'));
    ok.then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_and_cleaned() {
        assert_eq!(
            check_address(" Sara@Example.ORG "),
            Some("sara@example.org".into())
        );
        assert_eq!(check_address("sara@localhost"), None);
        assert_eq!(check_address("sara"), None);
        assert_eq!(check_address("sara@@example.org"), None);
        assert_eq!(check_address(""), None);
    }

    #[test]
    fn a_bad_configuration_names_the_setting() {
        let e = Mailer::from_config(&SmtpConfig {
            url: "http://x".into(),
            ..Default::default()
        })
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("smtp.url"), "{e}");
        let e = Mailer::from_config(&SmtpConfig {
            url: String::new(),
            from: "not an address".into(),
        })
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("smtp.from"), "{e}");
        assert!(matches!(
            Mailer::from_config(&SmtpConfig::default()).unwrap(),
            Mailer::Log
        ));
    }

    /// A minimal SMTP server on loopback that accepts one message and hands back its DATA.
    async fn one_message_server() -> (String, tokio::task::JoinHandle<String>) {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let handle = tokio::spawn(async move {
            let (sock, _) = listener.accept().await.unwrap();
            let (r, mut w) = sock.into_split();
            let mut lines = BufReader::new(r).lines();
            w.write_all(b"220 test ESMTP\r\n").await.unwrap();
            let mut data = String::new();
            let mut in_data = false;
            while let Some(line) = lines.next_line().await.unwrap() {
                if in_data {
                    if line == "." {
                        in_data = false;
                        w.write_all(b"250 queued\r\n").await.unwrap();
                    } else {
                        data.push_str(&line);
                        data.push('\n');
                    }
                    continue;
                }
                let verb = line
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_ascii_uppercase();
                let reply: &[u8] = match verb.as_str() {
                    "EHLO" | "HELO" => b"250 test\r\n",
                    "DATA" => {
                        in_data = true;
                        b"354 go on\r\n"
                    }
                    "QUIT" => {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    }
                    _ => b"250 ok\r\n",
                };
                w.write_all(reply).await.unwrap();
            }
            data
        });
        (format!("smtp://{addr}"), handle)
    }

    #[tokio::test]
    async fn smtp_delivers_a_persian_message() {
        let (url, server) = one_message_server().await;
        let mailer = Mailer::from_config(&SmtpConfig {
            url,
            from: "هم‌افزا <noreply@example.org>".into(),
        })
        .unwrap();
        mailer
            .send(
                "sara@example.org",
                "رسید ثبت ایده",
                "کد رهگیری شما ۱۲۳ است.",
            )
            .await
            .unwrap();
        drop(mailer);
        let data = tokio::time::timeout(Duration::from_secs(10), server)
            .await
            .expect("the server saw the whole message")
            .unwrap();
        assert!(data.contains("To: sara@example.org"), "{data}");
        // Non-ASCII headers are encoded (RFC 2047) and the body is UTF-8.
        assert!(data.contains("Subject: =?utf-8?"), "{data}");
        assert!(data.to_lowercase().contains("charset=utf-8"), "{data}");
    }
}
