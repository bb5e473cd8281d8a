//! `hamafza`: the one binary. `serve` runs the site, `demo` loads the demo data first, and the
//! rest are operator commands (`migrate`, `user …`, `audit verify`).

mod users_cli;

use anyhow::Context;
use clap::{Parser, Subcommand};
use hamafza::config::Config;
use hamafza::demo;
use hamafza_store::{ConnectOptions, Store};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(name = "hamafza", version, about = "Hamafza (همافزا): ideas to action")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations and serve on HAMAFZA_ADDR.
    Serve,
    /// Migrate, load the demo data (again without duplicating), print the demo users, and serve.
    Demo,
    /// Apply pending migrations and exit.
    Migrate,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: users_cli::UserCommand,
    },
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Generate files to try the product with.
    Gen {
        #[command(subcommand)]
        command: GenCommand,
    },
    /// Check a judged stage's ranking against the audit log.
    Ranking {
        #[command(subcommand)]
        command: RankingCommand,
    },
    /// Generate load against a running Hamafza and print a JSON report.
    Load {
        #[command(subcommand)]
        command: LoadCommand,
    },
}

#[derive(Subcommand)]
enum GenCommand {
    /// A booth spreadsheet of generated ideas, in Persian (XLSX or CSV).
    Sheet(hamafza::generate::Sheet),
}

#[derive(Subcommand)]
enum LoadCommand {
    /// Submit ideas through the API from concurrent clients.
    Submit(hamafza::load::SubmitLoad),
}

#[derive(Subcommand)]
enum RankingCommand {
    /// Recompute a stage's ranking from the audit log alone (after verifying the log's hash
    /// chain) and show whether it matches the stored one; exit non-zero when it does not.
    Replay {
        /// The call's public id (as in its URL).
        call: String,
        /// The stage: its id (`stages[].id` in the API), or its kind, e.g. `shortlisting`.
        stage: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain; exit non-zero at the first broken link.
    Verify,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    init_logging(&config);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match rt.block_on(run(cli.command, config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn open(config: &Config) -> anyhow::Result<Store> {
    let opts = ConnectOptions {
        max_connections: config.max_connections,
        connect_timeout: Duration::from_secs(5),
    };
    let store = Store::connect(&config.database_url, &opts)
        .await
        .with_context(|| {
            format!(
                "database_url (HAMAFZA_DATABASE_URL) {}",
                hamafza_store::redact(&config.database_url)
            )
        })?;
    store.migrate().await.context("applying migrations")?;
    Ok(store)
}

async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => serve(&config, open(&config).await?).await?,
        Command::Demo => {
            let store = open(&config).await?;
            demo::load(&store, &config.demo_password).await?;
            store.close().await;
            serve_afresh(&config).await?;
        }
        Command::Migrate => {
            open(&config).await?;
            println!("migrations applied");
        }
        Command::Load {
            command: LoadCommand::Submit(opts),
        } => {
            let report = hamafza::load::submit(&opts).await?;
            println!("{}", serde_json::to_string(&report)?);
        }
        Command::Gen {
            command: GenCommand::Sheet(opts),
        } => hamafza::generate::sheet(&opts)?,
        Command::User { command } => users_cli::run(&open(&config).await?, command).await?,
        Command::Ranking {
            command: RankingCommand::Replay { call, stage },
        } => return hamafza::ranking::replay(&open(&config).await?, &call, &stage).await,
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let v = open(&config).await?.verify_audit().await?;
            return Ok(match v.broken {
                None => {
                    println!("audit log intact: {} entries checked", v.checked);
                    ExitCode::SUCCESS
                }
                Some(b) => {
                    println!("audit log BROKEN after {} good entries: {b}", v.checked);
                    ExitCode::FAILURE
                }
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve(config: &Config, store: Store) -> anyhow::Result<()> {
    let state = hamafza_web::AppState::new(store.clone(), config.web()).await?;
    let addr = config.socket_addr();
    let shutdown = shutdown_signal()?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on addr (HAMAFZA_ADDR) {addr}"))?;
    tokio::spawn(prune_forever(store.clone()));
    // Notifications are sent from here, never inside a request (see hamafza_web::notify).
    let notifier = hamafza_web::notify::Worker::new(&state).spawn();
    tracing::info!(%addr, backend = ?store.backend(), "Hamafza is serving");
    hamafza_web::serve(listener, hamafza_web::router(state), shutdown).await?;
    tracing::info!("shutting down");
    // A delivery cut short here is sent again by a worker after its lease expires.
    notifier.abort();
    store.close().await;
    Ok(())
}

/// Serves from a fresh process image: loading the demo's thousands of ideas leaves the allocator
/// holding memory it will not give back, so the demo replaces itself with `hamafza serve` (same
/// process id, same environment) and idles as small as a plain `serve`.
async fn serve_afresh(config: &Config) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let exe = std::env::current_exe().context("finding the hamafza binary")?;
        let err = std::process::Command::new(exe).arg("serve").exec();
        tracing::warn!(error = %err, "could not restart as `serve`; serving from this process");
    }
    serve(config, open(config).await?).await
}

/// Removes expired sessions, rate-limit windows and codes every hour. Safe on several nodes at
/// once: each run only deletes what is dead anyway.
async fn prune_forever(store: Store) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = store.prune_expired(hamafza_store::now()).await {
            tracing::warn!(error = %e, "pruning expired rows failed");
        }
    }
}

/// A future that resolves on SIGTERM or Ctrl-C. The handlers are installed here, before the
/// caller listens: one installed when the future is first polled would leave a moment after the
/// port opens in which SIGTERM (a deploy's stop) kills the process without draining requests.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
        let mut int = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
        Ok(async move {
            tokio::select! {
                _ = term.recv() => {},
                _ = int.recv() => {},
            }
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
