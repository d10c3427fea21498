//! The `newsroom` command line (clap): serve, migrate, seed-demo, demo-live and account
//! administration.

use crate::server::{
    config::Config,
    http, jobs, seed,
    state::{Clock, Services},
    store,
};
use clap::{Parser, Subcommand, ValueEnum};
use leptos::prelude::LeptosOptions;
use std::{net::SocketAddr, path::Path, process::ExitCode, sync::Arc};

/// A newsroom's website: serve it, set up its database and administer accounts.
#[derive(Debug, Parser)]
#[command(
    name = "newsroom",
    version,
    about = "A newsroom's website: serve it, set up its database and administer accounts.",
    after_help = "\
Environment:
  DATABASE_URL       Database (default from Leptos.toml: sqlite://data/newsroom.db)
  LEPTOS_SITE_ADDR   Address to listen on (default 127.0.0.1:3000)
  LEPTOS_SITE_ROOT   Built assets (default target/site)
  NEWSROOM__*        Override any Leptos.toml key, e.g. NEWSROOM__SITE__NAME
  RUST_LOG           Log filter (default info)"
)]
struct Cli {
    /// The publication's configuration file [default: Leptos.toml, or $NEWSROOM_CONFIG]
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<String>,
    /// What to do (serve when omitted).
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the site (the default). Applies migrations first.
    Serve,
    /// Create or upgrade the database, then exit.
    Migrate,
    /// Load the fictional demo newsroom into an empty database: articles, two days of News
    /// Feed, a sent newsletter, and in development mode a demo staff account.
    SeedDemo,
    /// Post a new fictional News Feed update every little while, so open pages show live push
    /// (development mode only; run it next to `newsroom serve`).
    DemoLive {
        /// Seconds between updates.
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
        every: u64,
        /// Stop after this many updates (default: run until interrupted).
        #[arg(long)]
        count: Option<u32>,
    },
    /// Create a staff account. The password is read from NEWSROOM_PASSWORD, or else from
    /// stdin (one line). There is no default password.
    CreateEditor {
        /// Sign-in address.
        #[arg(long)]
        email: String,
        /// Name shown in the editor and the audit log.
        #[arg(long)]
        name: String,
        /// What the account may do.
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// Add confirmed subscribers from a file with one address per line (only people who have
    /// already agreed to receive the newsletter).
    ImportSubscribers {
        /// Slug of a newsletter in Leptos.toml.
        #[arg(long)]
        newsletter: String,
        /// File with one address per line.
        #[arg(long, value_name = "PATH")]
        file: std::path::PathBuf,
    },
}

/// A staff role, as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RoleArg {
    /// Everything, including accounts.
    Admin,
    /// Publishes and moderates.
    Editor,
    /// Writes drafts.
    Contributor,
}

impl From<RoleArg> for crate::model::Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Admin => Self::Admin,
            RoleArg::Editor => Self::Editor,
            RoleArg::Contributor => Self::Contributor,
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::{EnvFilter, fmt};
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn,lettre=warn"));
    let _ = fmt().with_env_filter(filter).with_target(false).try_init();
}

/// Entry point of the binary; `frontend` is the UI the `serve` command serves.
pub async fn main(frontend: &'static http::Frontend) -> ExitCode {
    // `--help`, `help <command>`, `--version` and usage errors (exit code 2) are clap's.
    let cli = Cli::parse();
    init_tracing();
    let config = cli.config.as_deref();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config, frontend).await,
        Command::Migrate => migrate(config).await.map(|_| ()),
        Command::SeedDemo => seed_demo(config).await,
        Command::DemoLive { every, count } => demo_live(config, every, count).await,
        Command::CreateEditor { email, name, role } => {
            create_editor(config, &email, &name, role.into()).await
        }
        Command::ImportSubscribers { newsletter, file } => {
            import_subscribers(config, &newsletter, &file).await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Loads the configuration (`config` or `Leptos.toml`), opens and migrates the database and
/// builds the services, as `serve` does (the benchmark tools start the same way).
pub async fn open_services(config: Option<&str>) -> Result<Arc<Services>, String> {
    let config = Config::load(config).map_err(|e| e.to_string())?;
    let store = store::open(&config.storage.database_url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    store
        .migrate()
        .await
        .map_err(|e| format!("cannot migrate the database: {e}"))?;
    let services = Services::build(config, store, Clock::system())
        .await
        .map_err(|e| format!("cannot start: {e}"))?;
    Ok(Arc::new(services))
}

async fn migrate(config: Option<&str>) -> Result<Arc<Services>, String> {
    let svc = open_services(config).await?;
    tracing::info!("database is up to date");
    Ok(svc)
}

async fn seed_demo(config: Option<&str>) -> Result<(), String> {
    let svc = open_services(config).await?;
    match seed::seed_demo(&svc).await.map_err(|e| e.to_string())? {
        seed::DemoOutcome::Seeded { articles, living } => {
            println!(
                "Loaded the demo newsroom: {articles} articles, {} News Feed updates ({} of \
                 them updated), {} sent newsletter issue.",
                living.feed_items, living.edited, living.sent_issues
            );
        }
        seed::DemoOutcome::AlreadyHasContent { .. } => {
            println!("The database already has articles; demo content was not loaded.");
        }
    }
    if let Some(hint) = seed::living::demo_staff_hint(&svc).await {
        println!("Demo {hint}");
    }
    Ok(())
}

async fn demo_live(config: Option<&str>, every: u64, count: Option<u32>) -> Result<(), String> {
    let svc = open_services(config).await?;
    if !svc.config.is_development() {
        return Err(
            "demo-live posts fictional updates; it runs only with site.mode = \
                    \"development\""
                .into(),
        );
    }
    println!(
        "Posting a fictional News Feed update every {every} s to {}; open {}/news-feed in two \
         windows to watch them arrive. Ctrl-C stops.",
        svc.config.storage.database_url, svc.config.site.base_url
    );
    let (mut posted, mut previous) = (0, None);
    loop {
        let (id, headline) = seed::living::post_demo_update(&svc, posted, previous)
            .await
            .map_err(|e| e.to_string())?;
        posted += 1;
        println!("posted: {headline}");
        previous = Some((id, headline));
        if count.is_some_and(|c| posted >= c) {
            return Ok(());
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(every)) => {}
            _ = shutdown_signal() => return Ok(()),
        }
    }
}

fn read_password() -> Result<String, String> {
    if let Ok(p) = std::env::var("NEWSROOM_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    let p = line.trim_end_matches(['\r', '\n']).to_owned();
    if p.is_empty() {
        return Err("no password given: set NEWSROOM_PASSWORD or pipe it on stdin".into());
    }
    Ok(p)
}

async fn create_editor(
    config: Option<&str>,
    email: &str,
    name: &str,
    role: crate::model::Role,
) -> Result<(), String> {
    use crate::model::AppError;
    let password = read_password()?;
    let svc = open_services(config).await?;
    match crate::server::auth::create_user(&svc, email, name, role, &password).await {
        Ok(id) => {
            println!("Created {} ({}) with id {id}.", email.trim(), role.label());
            Ok(())
        }
        Err(AppError::Invalid(errors)) => Err(errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("\n")),
        Err(e) => Err(e.to_string()),
    }
}

async fn import_subscribers(
    config: Option<&str>,
    newsletter: &str,
    path: &Path,
) -> Result<(), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let svc = open_services(config).await?;
    if !svc.site.newsletters.iter().any(|n| n.slug == newsletter) {
        return Err(format!("no newsletter {newsletter:?} in Leptos.toml"));
    }
    let (mut added, mut skipped) = (0, 0);
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match crate::server::email::normalize(line) {
            Ok(email) => {
                let now = svc.clock.now();
                let list = [newsletter.to_owned()];
                let (id, _) = svc
                    .store
                    .subscribe(&email, &list, now)
                    .await
                    .map_err(|e| e.to_string())?;
                svc.store
                    .confirm(id, &list, now)
                    .await
                    .map_err(|e| e.to_string())?;
                added += 1;
            }
            Err(_) => skipped += 1,
        }
    }
    println!(
        "Imported {added} confirmed subscribers to {newsletter}; skipped {skipped} invalid lines."
    );
    Ok(())
}

/// Leptos' options for this process, from the environment cargo-leptos and the README use.
pub fn leptos_options() -> Result<LeptosOptions, String> {
    let addr: SocketAddr = std::env::var("LEPTOS_SITE_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:3000".into())
        .parse()
        .map_err(|e| format!("LEPTOS_SITE_ADDR: {e}"))?;
    let site_root = std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into());
    let mut options = LeptosOptions::builder()
        .output_name(env!("CARGO_PKG_NAME"))
        .site_root(site_root)
        .site_pkg_dir(std::env::var("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|_| "pkg".into()))
        .site_addr(addr)
        .build();
    options.hash_files = http::hashed_build(&options);
    options.reload_port = std::env::var("LEPTOS_RELOAD_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3001);
    Ok(options)
}

async fn serve(config: Option<&str>, frontend: &http::Frontend) -> Result<(), String> {
    let svc = open_services(config).await?;
    let options = leptos_options()?;
    let addr = options.site_addr;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stop_rx_sender = stop_rx.clone();
    // The router registers the UI's live views; the sequencer starts after, so its first
    // pushes already carry the pages' markup.
    let app = http::router(http::app_state(svc.clone(), options), frontend);
    let background = jobs::spawn(svc.clone(), stop_rx);
    let sequencer = crate::server::live::spawn_sequencer(svc.clone());
    let sender = crate::server::newsletters::spawn_sender(svc.clone(), stop_rx_sender);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("{} is serving on http://{addr}", svc.site.name);
    // Said on stdout, plainly, for whoever ran `make run`: the site answers now.
    println!("\n  {} is ready: http://{addr}/", svc.site.name);
    if let Some(hint) = seed::living::demo_staff_hint(&svc).await {
        println!("  {hint}");
    }
    println!();
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown({
        let svc = svc.clone();
        async move {
            shutdown_signal().await;
            tracing::info!("shutting down");
            let _ = stop_tx.send(true);
            // Live streams end so readers reconnect to the next process.
            svc.live.close_all();
        }
    })
    .await
    .map_err(|e| format!("server error: {e}"))?;
    let _ = background.await;
    let _ = sequencer.await;
    let _ = sender.await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn p(a: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("newsroom").chain(a.iter().copied()))
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_command_means_serve() {
        let cli = p(&[]).unwrap();
        assert!(cli.command.is_none());
        assert!(matches!(
            p(&["serve"]).unwrap().command,
            Some(Command::Serve)
        ));
    }

    #[test]
    fn flags_take_values_both_ways_and_config_goes_anywhere() {
        let cli = p(&[
            "create-editor",
            "--email",
            "a@b.c",
            "--role=admin",
            "--config",
            "x.toml",
            "--name",
            "A B",
        ])
        .unwrap();
        assert_eq!(cli.config.as_deref(), Some("x.toml"));
        match cli.command {
            Some(Command::CreateEditor { email, name, role }) => {
                assert_eq!((email.as_str(), name.as_str()), ("a@b.c", "A B"));
                assert_eq!(role, RoleArg::Admin);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn mistakes_are_clear_errors() {
        use clap::error::ErrorKind;
        let kind = |a: &[&str]| p(a).unwrap_err().kind();
        assert_eq!(kind(&["serve", "--config"]), ErrorKind::InvalidValue);
        assert_eq!(kind(&["serve", "extra"]), ErrorKind::UnknownArgument);
        assert_eq!(kind(&["serve", "--port", "1"]), ErrorKind::UnknownArgument);
        assert_eq!(kind(&["publish"]), ErrorKind::InvalidSubcommand);
        assert_eq!(
            kind(&["create-editor", "--email", "a@b.c", "--name", "A"]),
            ErrorKind::MissingRequiredArgument
        );
        let e = p(&[
            "create-editor",
            "--email",
            "a",
            "--name",
            "A",
            "--role",
            "owner",
        ])
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
        assert!(e.to_string().contains("admin, editor, contributor"), "{e}");
        assert_eq!(
            kind(&["demo-live", "--every", "0"]),
            ErrorKind::ValueValidation
        );
    }

    #[test]
    fn every_command_has_help() {
        let mut cli = Cli::command();
        let top = cli.render_help().to_string();
        for sub in Cli::command().get_subcommands() {
            let name = sub.get_name();
            if name == "help" {
                continue;
            }
            assert!(top.contains(name), "{name} missing from newsroom --help");
            let e = p(&[name, "--help"]).unwrap_err();
            assert_eq!(e.kind(), clap::error::ErrorKind::DisplayHelp, "{name}");
            assert!(
                e.to_string().contains(&format!("Usage: newsroom {name}")),
                "{e}"
            );
        }
        let e = p(&["help", "create-editor"]).unwrap_err();
        assert!(e.to_string().contains("--role <ROLE>"), "{e}");
    }
}
