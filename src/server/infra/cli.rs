//! The `newsroom` command line: serve, migrate, seed-demo and account administration.

use crate::server::{
    config::Config,
    http, jobs, seed,
    state::{Clock, Services},
    store,
};
use leptos::prelude::LeptosOptions;
use std::{net::SocketAddr, process::ExitCode, sync::Arc};

const USAGE: &str = "\
newsroom — a newsroom's website

USAGE:
    newsroom [COMMAND] [--config PATH]

COMMANDS:
    serve            Serve the site (default). Applies migrations first.
    migrate          Create or upgrade the database, then exit.
    seed-demo        Load the fictional demo newsroom into an empty database.
    create-editor    Create a staff account:
                       --email E --name N --role admin|editor|contributor
                     The password is read from NEWSROOM_PASSWORD, or else from stdin
                     (one line). There is no default password.
    import-subscribers
                     Add confirmed subscribers from a file with one address per line
                     (only people who have already agreed to receive the newsletter):
                       --newsletter SLUG --file PATH
    help             Show this message.

ENVIRONMENT:
    DATABASE_URL       Database (default from Leptos.toml: sqlite://data/newsroom.db)
    LEPTOS_SITE_ADDR   Address to listen on (default 127.0.0.1:3000)
    LEPTOS_SITE_ROOT   Built assets (default target/site)
    NEWSROOM__*        Override any Leptos.toml key, e.g. NEWSROOM__SITE__NAME
    RUST_LOG           Log filter (default info)
";

/// Parsed command line.
#[derive(Debug, Default)]
struct Args {
    command: String,
    config: Option<String>,
    flags: Vec<(String, String)>,
}

fn parse_args(raw: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut args = Args::default();
    let mut it = raw.into_iter();
    while let Some(a) = it.next() {
        if let Some(name) = a.strip_prefix("--") {
            let (name, value) = match name.split_once('=') {
                Some((n, v)) => (n.to_owned(), v.to_owned()),
                None => (
                    name.to_owned(),
                    it.next().ok_or_else(|| format!("--{name} needs a value"))?,
                ),
            };
            if name == "config" {
                args.config = Some(value);
            } else {
                args.flags.push((name, value));
            }
        } else if args.command.is_empty() {
            args.command = a;
        } else {
            return Err(format!("unexpected argument {a:?}"));
        }
    }
    if args.command.is_empty() {
        args.command = "serve".into();
    }
    Ok(args)
}

fn init_tracing() {
    use tracing_subscriber::{EnvFilter, fmt};
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn,lettre=warn"));
    let _ = fmt().with_env_filter(filter).with_target(false).try_init();
}

/// Entry point of the binary.
/// Runs the command line; `frontend` is the UI the `serve` command serves.
pub async fn main(frontend: &'static http::Frontend) -> ExitCode {
    init_tracing();
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = match args.command.as_str() {
        "serve" => serve(&args, frontend).await,
        "migrate" => migrate(&args).await.map(|_| ()),
        "seed-demo" => seed_demo(&args).await,
        "create-editor" => create_editor(&args).await,
        "import-subscribers" => import_subscribers(&args).await,
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command {other:?}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn open_services(args: &Args) -> Result<Arc<Services>, String> {
    let config = Config::load(args.config.as_deref()).map_err(|e| e.to_string())?;
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

async fn migrate(args: &Args) -> Result<Arc<Services>, String> {
    let svc = open_services(args).await?;
    tracing::info!("database is up to date");
    Ok(svc)
}

async fn seed_demo(args: &Args) -> Result<(), String> {
    let svc = open_services(args).await?;
    match seed::seed_demo(&svc).await.map_err(|e| e.to_string())? {
        seed::SeedOutcome::Seeded { articles } => {
            println!("Loaded the demo newsroom: {articles} articles.");
        }
        seed::SeedOutcome::AlreadyHasContent => {
            println!("The database already has articles; demo content was not loaded.");
        }
    }
    Ok(())
}

fn flag<'a>(args: &'a Args, name: &str) -> Result<&'a str, String> {
    args.flags
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| format!("--{name} is required\n\n{USAGE}"))
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

async fn create_editor(args: &Args) -> Result<(), String> {
    use crate::model::{AppError, Role};
    let email = flag(args, "email")?;
    let name = flag(args, "name")?;
    let role = flag(args, "role")?;
    let role = Role::parse(role)
        .ok_or_else(|| format!("--role must be admin, editor or contributor, not {role:?}"))?;
    let password = read_password()?;
    let svc = open_services(args).await?;
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

async fn import_subscribers(args: &Args) -> Result<(), String> {
    let newsletter = flag(args, "newsletter")?.to_owned();
    let path = flag(args, "file")?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let svc = open_services(args).await?;
    if !svc.site.newsletters.iter().any(|n| n.slug == newsletter) {
        return Err(format!("no newsletter {newsletter:?} in Leptos.toml"));
    }
    let (mut added, mut skipped) = (0, 0);
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match crate::server::email::normalize(line) {
            Ok(email) => {
                let now = svc.clock.now();
                let list = [newsletter.clone()];
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

async fn serve(args: &Args, frontend: &http::Frontend) -> Result<(), String> {
    let svc = open_services(args).await?;
    let options = leptos_options()?;
    let addr = options.site_addr;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stop_rx_sender = stop_rx.clone();
    let background = jobs::spawn(svc.clone(), stop_rx);
    let sequencer = crate::server::live::spawn_sequencer(svc.clone());
    let sender = crate::server::newsletters::spawn_sender(svc.clone(), stop_rx_sender);
    let app = http::router(http::app_state(svc.clone(), options), frontend);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("{} is serving on http://{addr}", svc.site.name);
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

    fn p(a: &[&str]) -> Result<Args, String> {
        parse_args(a.iter().map(|s| s.to_string()))
    }

    #[test]
    fn default_command_is_serve() {
        assert_eq!(p(&[]).unwrap().command, "serve");
    }

    #[test]
    fn flags_take_values_both_ways() {
        let a = p(&[
            "create-editor",
            "--email",
            "a@b.c",
            "--role=admin",
            "--config",
            "x.toml",
        ])
        .unwrap();
        assert_eq!(a.command, "create-editor");
        assert_eq!(a.config.as_deref(), Some("x.toml"));
        assert_eq!(
            a.flags,
            vec![
                ("email".to_owned(), "a@b.c".to_owned()),
                ("role".to_owned(), "admin".to_owned())
            ]
        );
    }

    #[test]
    fn missing_values_and_extra_words_are_errors() {
        assert!(p(&["serve", "--config"]).is_err());
        assert!(p(&["serve", "extra"]).is_err());
    }
}
