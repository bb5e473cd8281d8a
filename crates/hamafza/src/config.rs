//! Configuration: defaults, then `hamafza.toml` (or the file named by `HAMAFZA_CONFIG`), then
//! `HAMAFZA_*` environment variables (`__` for nesting: `HAMAFZA_SMS__SENDER=http`). Every value
//! is checked at start-up; a bad one stops the program with a message naming it.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use hamafza_web::WebConfig;
use hamafza_web::notify::{NotifyConfig, SmtpConfig};
use hamafza_web::sms::SmsConfig;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `sqlite://path/to/file.db` (created if missing) or `postgres://user@host/db`.
    pub database_url: String,
    /// Where to listen, `host:port`.
    pub addr: String,
    /// `pretty` for people, `json` for log collectors.
    pub log_format: String,
    /// Database connections per app node.
    pub max_connections: u32,
    /// The password of every demo user (`hamafza demo` only).
    pub demo_password: String,
    pub secure_cookies: bool,
    pub session_hours: i64,
    pub behind_proxy: bool,
    pub sms: SmsConfig,
    /// The largest attachment accepted, in megabytes.
    pub max_upload_mb: usize,
    /// Email for notifications; an empty `smtp.url` logs messages instead (the demo default).
    pub smtp: SmtpConfig,
    pub notify: NotifyConfig,
}

pub const DEFAULT_DEMO_PASSWORD: &str = "hamafza-demo-1403";

impl Default for Config {
    fn default() -> Self {
        let web = WebConfig::default();
        Config {
            database_url: "sqlite://hamafza.db".into(),
            addr: "127.0.0.1:8080".into(),
            log_format: "pretty".into(),
            max_connections: 16,
            demo_password: DEFAULT_DEMO_PASSWORD.into(),
            secure_cookies: web.secure_cookies,
            session_hours: web.session_hours,
            behind_proxy: web.behind_proxy,
            sms: SmsConfig::default(),
            max_upload_mb: web.max_upload_mb,
            smtp: SmtpConfig::default(),
            notify: NotifyConfig::default(),
        }
    }
}

impl Config {
    /// Reads and checks the configuration.
    pub fn load() -> anyhow::Result<Config> {
        let file = std::env::var("HAMAFZA_CONFIG").unwrap_or_else(|_| "hamafza.toml".into());
        let c: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(&file))
            // Variables the tests and the config-file switch use are not settings.
            .merge(Env::prefixed("HAMAFZA_").split("__").ignore(&[
                "config",
                "test_pg",
                "test_keep_db",
            ]))
            .extract()
            .map_err(|e| anyhow::anyhow!("configuration error: {e}"))?;
        c.check()?;
        Ok(c)
    }

    fn check(&self) -> anyhow::Result<()> {
        if self.addr.parse::<SocketAddr>().is_err() {
            anyhow::bail!(
                "configuration error: addr (HAMAFZA_ADDR) must be host:port such as 127.0.0.1:8080, got {:?}",
                self.addr
            );
        }
        if !matches!(self.log_format.as_str(), "pretty" | "json") {
            anyhow::bail!(
                "configuration error: log_format (HAMAFZA_LOG_FORMAT) must be \"pretty\" or \"json\", got {:?}",
                self.log_format
            );
        }
        if self.max_connections == 0 {
            anyhow::bail!(
                "configuration error: max_connections (HAMAFZA_MAX_CONNECTIONS) must be at least 1"
            );
        }
        if !(1..=1024).contains(&self.max_upload_mb) {
            anyhow::bail!(
                "configuration error: max_upload_mb (HAMAFZA_MAX_UPLOAD_MB) must be between 1 and 1024 megabytes"
            );
        }
        if self.session_hours <= 0 {
            anyhow::bail!(
                "configuration error: session_hours (HAMAFZA_SESSION_HOURS) must be positive"
            );
        }
        if self.demo_password.chars().count() < hamafza_core::account::PASSWORD_MIN {
            anyhow::bail!(
                "configuration error: demo_password (HAMAFZA_DEMO_PASSWORD) must have at least {} characters",
                hamafza_core::account::PASSWORD_MIN
            );
        }
        self.notify
            .check()
            .map_err(|e| anyhow::anyhow!("configuration error: {e}"))?;
        hamafza_web::notify::Mailer::from_config(&self.smtp)
            .map_err(|e| anyhow::anyhow!("configuration error: {e}"))?;
        Ok(())
    }

    pub fn web(&self) -> WebConfig {
        WebConfig {
            secure_cookies: self.secure_cookies,
            session_hours: self.session_hours,
            behind_proxy: self.behind_proxy,
            sms: self.sms.clone(),
            max_upload_mb: self.max_upload_mb,
            smtp: self.smtp.clone(),
            notify: self.notify.clone(),
        }
    }

    pub fn socket_addr(&self) -> SocketAddr {
        self.addr.parse().expect("checked in load")
    }
}
