//! Prints the size of the browser assets an article page loads (raw, gzip, brotli) and, with
//! `--check`, fails when the JS + WASM brotli total exceeds the budget.
//!
//!     cargo run --release --features ssr --bin budget -- [--site-root target/site] [--check]
//!
//! The file names come from `hash.txt`, which cargo-leptos writes next to the server binary.

use std::{io::Write, path::PathBuf, process::ExitCode};

/// The article page's JS + WASM budget, brotli-compressed (issue: Foundation).
const BUDGET_BYTES: usize = 100 * 1024;

fn gzip(data: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).expect("in-memory write");
    enc.finish().expect("in-memory write").len()
}

fn brotli(data: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params).expect("in-memory compression");
    out.len()
}

fn main() -> ExitCode {
    let mut site_root = PathBuf::from("target/site");
    let mut hash_file = PathBuf::from("target/release/hash.txt");
    let mut check = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--check" => check = true,
            "--site-root" => site_root = args.next().map(PathBuf::from).unwrap_or(site_root),
            "--hash-file" => hash_file = args.next().map(PathBuf::from).unwrap_or(hash_file),
            other => {
                eprintln!("unknown argument {other:?}");
                return ExitCode::from(2);
            }
        }
    }
    let hashes = match std::fs::read_to_string(&hash_file) {
        Ok(h) => h,
        Err(e) => {
            eprintln!(
                "cannot read {}: {e}\nbuild first: cargo leptos build --release",
                hash_file.display()
            );
            return ExitCode::FAILURE;
        }
    };
    let hash = |key: &str| {
        hashes.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.trim() == key).then(|| v.trim().to_owned())
        })
    };
    let pkg = site_root.join("pkg");
    let mut files = vec![
        (
            "JS",
            format!("newsroom.{}.js", hash("js").unwrap_or_default()),
        ),
        (
            "WASM",
            format!("newsroom.{}.wasm", hash("wasm").unwrap_or_default()),
        ),
        (
            "CSS",
            format!("newsroom.{}.css", hash("css").unwrap_or_default()),
        ),
    ];
    // With lazy islands (`--split`), every page also loads the small split loader; the split
    // chunks themselves load only on pages that have those islands (the editor).
    if let Some(split) = hash("split") {
        files.push(("JS", format!("__wasm_split.{split}.js")));
    }
    println!(
        "{:<6} {:>10} {:>10} {:>10}  file",
        "asset", "raw", "gzip", "brotli"
    );
    let mut script_brotli = 0;
    for (kind, name) in &files {
        let data = match std::fs::read(pkg.join(name)) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("cannot read {}: {e}", pkg.join(name).display());
                return ExitCode::FAILURE;
            }
        };
        let (g, b) = (gzip(&data), brotli(&data));
        if *kind != "CSS" {
            script_brotli += b;
        }
        println!("{kind:<6} {:>10} {g:>10} {b:>10}  {name}", data.len());
    }
    let verdict = if script_brotli <= BUDGET_BYTES {
        "within"
    } else {
        "OVER"
    };
    println!(
        "JS + WASM brotli: {script_brotli} bytes ({:.1} KB) — {verdict} the {} KB budget",
        script_brotli as f64 / 1024.0,
        BUDGET_BYTES / 1024
    );
    if check && script_brotli > BUDGET_BYTES {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
