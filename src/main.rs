//! The `newsroom` binary: see `newsroom help`.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    newsroom::server::cli::main().await
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser build has no binary; cargo-leptos builds the library for wasm.
}
