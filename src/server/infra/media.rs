//! Image uploads: type checked by content, size-limited, metadata stripped, resized for `srcset`.
//!
//! Decoding and resizing are CPU-bound, so they run on the blocking pool, never on the runtime.

use crate::server::store::ImageInput;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, imageops::FilterType};
use sha2::{Digest, Sha256};
use std::{
    io::Cursor,
    path::{Path, PathBuf},
};

/// Rendition widths served through `srcset`.
pub const WIDTHS: [u32; 4] = [480, 800, 1200, 1600];
/// The smallest hero image accepted.
pub const MIN_WIDTH: u32 = 320;
const MAX_DIMENSION: u32 = 12_000;
/// The most pixels an upload may declare (most cameras fit). Checked from the
/// header, before any pixel is decoded: a few hundred KB of PNG can declare gigabytes.
pub const MAX_PIXELS: u64 = 40_000_000;
/// The most memory one decode may allocate.
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// Why an upload was refused, in words an editor understands.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MediaError {
    #[error("The image is too large: the limit is {} MB.", .limit / (1024 * 1024))]
    TooLarge { limit: u64 },
    #[error("That file is not an image we can use. Upload a JPEG, PNG, WebP or GIF picture.")]
    NotAnImage,
    #[error("The image could not be read; it may be damaged.")]
    Damaged,
    #[error("The image is too small: it must be at least {MIN_WIDTH} pixels wide.")]
    TooSmall,
    #[error("The image could not be saved.")]
    Io,
    #[error("The picture is too large: use at most {} megapixels.", MAX_PIXELS / 1_000_000)]
    TooManyPixels,
}

/// Where images live on disk and how big they may be.
#[derive(Debug, Clone)]
pub struct MediaStore {
    dir: PathBuf,
    max_bytes: u64,
}

impl MediaStore {
    /// A media store writing into `dir`.
    pub fn new(dir: impl Into<PathBuf>, max_bytes: u64) -> Self {
        Self {
            dir: dir.into(),
            max_bytes,
        }
    }

    /// The directory served at `/media`.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The upload limit in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Checks, strips and resizes an uploaded image; writes its renditions.
    pub async fn ingest(&self, bytes: Vec<u8>) -> Result<ImageInput, MediaError> {
        if bytes.len() as u64 > self.max_bytes {
            return Err(MediaError::TooLarge {
                limit: self.max_bytes,
            });
        }
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || process(&bytes, &dir))
            .await
            .map_err(|_| MediaError::Io)?
    }

    /// Stores an already-decoded image (demo content draws its own pictures).
    pub async fn ingest_image(
        &self,
        img: DynamicImage,
        seed: &str,
    ) -> Result<ImageInput, MediaError> {
        let dir = self.dir.clone();
        let key = content_key(seed.as_bytes());
        tokio::task::spawn_blocking(move || write_renditions(img, key, &dir))
            .await
            .map_err(|_| MediaError::Io)?
    }
}

fn content_key(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes)[..10])
}

fn process(bytes: &[u8], dir: &Path) -> Result<ImageInput, MediaError> {
    // The content decides the type, never the file name or the declared MIME type.
    let format = image::guess_format(bytes).map_err(|_| MediaError::NotAnImage)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif
    ) {
        return Err(MediaError::NotAnImage);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| match e {
        image::ImageError::Limits(_) => MediaError::TooManyPixels,
        _ => MediaError::Damaged,
    })?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(MediaError::TooManyPixels);
    }
    let orientation = decoder.orientation().map_err(|_| MediaError::Damaged)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(|_| MediaError::Damaged)?;
    // Apply the camera's rotation before the EXIF block (with it, any location) is dropped.
    img.apply_orientation(orientation);
    write_renditions(img, content_key(bytes), dir)
}

fn write_renditions(img: DynamicImage, key: String, dir: &Path) -> Result<ImageInput, MediaError> {
    let (width, height) = (img.width(), img.height());
    if width < MIN_WIDTH || height < 100 {
        return Err(MediaError::TooSmall);
    }
    std::fs::create_dir_all(dir).map_err(|_| MediaError::Io)?;
    let mut widths: Vec<u32> = WIDTHS.iter().copied().filter(|w| *w <= width).collect();
    if widths.is_empty() {
        widths.push(width);
    }
    let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
    for w in &widths {
        let path = dir.join(format!("{key}-{w}.jpg"));
        if path.exists() {
            continue;
        }
        let h = ((height as u64 * *w as u64) / width as u64).max(1) as u32;
        let resized = if *w == width {
            rgb.clone()
        } else {
            rgb.resize_exact(*w, h, FilterType::CatmullRom)
        };
        let mut out = Vec::new();
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80);
        resized
            .write_with_encoder(encoder)
            .map_err(|_| MediaError::Io)?;
        // Write then rename, so a reader never sees half a file.
        let tmp = dir.join(format!(".{key}-{w}.jpg.tmp"));
        std::fs::write(&tmp, &out).map_err(|_| MediaError::Io)?;
        std::fs::rename(&tmp, &path).map_err(|_| MediaError::Io)?;
    }
    Ok(ImageInput {
        key,
        width,
        height,
        widths,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb};

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = ImageBuffer::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[tokio::test]
    async fn resizes_to_every_width_not_larger_than_the_original() {
        let dir = tempfile::tempdir().unwrap();
        let media = MediaStore::new(dir.path(), 10 << 20);
        let img = media.ingest(png(1000, 500)).await.unwrap();
        assert_eq!(img.widths, vec![480, 800]);
        assert_eq!((img.width, img.height), (1000, 500));
        let small = image::open(dir.path().join(format!("{}-480.jpg", img.key))).unwrap();
        assert_eq!((small.width(), small.height()), (480, 240));
    }

    #[tokio::test]
    async fn refuses_a_text_file_named_like_an_image() {
        let dir = tempfile::tempdir().unwrap();
        let media = MediaStore::new(dir.path(), 10 << 20);
        let err = media
            .ingest(b"GIF? no, this is just text pretending to be photo.jpg".to_vec())
            .await
            .unwrap_err();
        assert_eq!(err, MediaError::NotAnImage);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn refuses_oversize_and_tiny_and_damaged_images() {
        let dir = tempfile::tempdir().unwrap();
        let media = MediaStore::new(dir.path(), 2048);
        assert!(matches!(
            media.ingest(vec![0u8; 4096]).await,
            Err(MediaError::TooLarge { .. })
        ));
        let media = MediaStore::new(dir.path(), 10 << 20);
        assert_eq!(
            media.ingest(png(100, 100)).await.unwrap_err(),
            MediaError::TooSmall
        );
        let mut broken = png(800, 400);
        broken.truncate(200);
        assert_eq!(media.ingest(broken).await.unwrap_err(), MediaError::Damaged);
    }

    #[tokio::test]
    async fn strips_exif_metadata() {
        // A JPEG with an APP1/Exif segment carrying a recognisable marker string.
        let mut jpeg = Vec::new();
        let img = DynamicImage::ImageRgb8(ImageBuffer::from_pixel(640, 360, Rgb([10, 20, 30])));
        img.write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg)
            .unwrap();
        let marker = b"Exif\0\0GPS-SECRET-LOCATION";
        let mut app1 = vec![0xFF, 0xE1];
        app1.extend_from_slice(&((marker.len() + 2) as u16).to_be_bytes());
        app1.extend_from_slice(marker);
        let mut with_exif = jpeg[..2].to_vec();
        with_exif.extend_from_slice(&app1);
        with_exif.extend_from_slice(&jpeg[2..]);

        let dir = tempfile::tempdir().unwrap();
        let media = MediaStore::new(dir.path(), 10 << 20);
        let stored = media.ingest(with_exif).await.unwrap();
        let out = std::fs::read(dir.path().join(format!("{}-480.jpg", stored.key))).unwrap();
        assert!(
            !out.windows(b"GPS-SECRET".len()).any(|w| w == b"GPS-SECRET"),
            "metadata leaked into the rendition"
        );
    }
}
