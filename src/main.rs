//! The `newsroom` binary: see `newsroom help`.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    newsroom::server::cli::main(&newsroom::site::FRONTEND).await
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser build has no binary; cargo-leptos builds the library for wasm.
}
