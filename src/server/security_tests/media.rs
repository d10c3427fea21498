//! Item 8: decompression bombs.

use crate::server::media::MediaStore;
use flate2::{Compression, write::ZlibEncoder};
use std::io::Write;

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

/// A valid PNG of `w`×`h` black grey pixels: a few hundred KB that decode to `w`×`h` bytes.
pub fn png_bomb(w: u32, h: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit greyscale
    chunk(&mut png, b"IHDR", &ihdr);
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    let row = vec![0u8; w as usize + 1]; // filter byte + pixels
    for _ in 0..h {
        z.write_all(&row).unwrap();
    }
    chunk(&mut png, b"IDAT", &z.finish().unwrap());
    chunk(&mut png, b"IEND", &[]);
    png
}

/// Item 8: an upload that declares a huge picture is refused from its header, before any
/// pixel is decoded.
#[tokio::test]
async fn a_png_bomb_is_refused_before_decoding() {
    let dir = tempfile::tempdir().unwrap();
    let store = MediaStore::new(dir.path(), 8 * 1024 * 1024);
    let bomb = png_bomb(11_000, 11_000);
    assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
    let started = std::time::Instant::now();
    let result = store.ingest(bomb).await;
    assert!(result.is_err(), "a 121-megapixel picture was accepted");
    assert!(
        started.elapsed() < std::time::Duration::from_millis(500),
        "refusing took {:?}: it was decoded",
        started.elapsed()
    );
    // A normal photo still goes through.
    let ok = store.ingest(png_bomb(1600, 1000)).await;
    assert!(ok.is_ok(), "{ok:?}");
}
