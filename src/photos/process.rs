//! Turning an untrusted upload into two clean JPEGs. The real type comes from
//! magic bytes, the pixel count from the header before any decoding, EXIF
//! orientation is applied and then dropped with all other metadata (GPS!) by
//! re-encoding.

use super::shrink::Oriented;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};
use std::io::Cursor;

/// Longest side of the display image.
pub const DISPLAY_MAX: u32 = 1600;
/// Longest side of the thumbnail.
pub const THUMB_MAX: u32 = 400;
const JPEG_QUALITY: u8 = 82;

/// Upload limits.
#[derive(Clone, Copy, Debug)]
pub struct PhotoLimits {
    /// Largest accepted file.
    pub max_bytes: usize,
    /// Most pixels (width × height) accepted.
    pub max_pixels: u64,
}

impl Default for PhotoLimits {
    fn default() -> Self {
        Self {
            max_bytes: 15 * 1024 * 1024,
            max_pixels: 40_000_000,
        }
    }
}

/// Why a file is refused. Messages are shown to the person as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    /// Zero bytes.
    #[error("That file is empty. Please choose a photo.")]
    Empty,
    /// Over the byte limit.
    #[error("That photo is too big: the limit is {max_mb} MB.")]
    TooLarge {
        /// The limit in MB.
        max_mb: usize,
    },
    /// Not JPEG, PNG or WebP by its content.
    #[error("That file is not a photo we can use. Please upload a JPEG, PNG or WebP image.")]
    NotAnImage,
    /// Too many pixels.
    #[error("That image has too many pixels: the limit is {max_mp} megapixels.")]
    TooManyPixels {
        /// The limit in megapixels.
        max_mp: u64,
    },
    /// Truncated or damaged.
    #[error("That photo seems damaged or incomplete. Please try another file.")]
    Corrupt,
}

impl PhotoError {
    /// A short stable code, used in no-JavaScript error redirects.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooLarge { .. } => "too_large",
            Self::NotAnImage => "not_image",
            Self::TooManyPixels { .. } => "too_many_pixels",
            Self::Corrupt => "corrupt",
        }
    }
}

/// The re-encoded display image and thumbnail.
#[derive(Debug, Clone)]
pub struct Processed {
    /// Display JPEG (longest side ≤ 1600 px).
    pub display: Vec<u8>,
    /// Thumbnail JPEG (longest side ≤ 400 px).
    pub thumb: Vec<u8>,
    /// Display width.
    pub width: u32,
    /// Display height.
    pub height: u32,
}

/// Validates, decodes and re-encodes one upload. CPU-heavy: call it from a blocking thread.
pub fn process(bytes: &[u8], limits: &PhotoLimits) -> Result<Processed, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.len() > limits.max_bytes {
        return Err(PhotoError::TooLarge {
            max_mb: limits.max_bytes / (1024 * 1024),
        });
    }
    let format = sniff(bytes).ok_or(PhotoError::NotAnImage)?;
    let (w, h) = reader(bytes, format)
        .into_dimensions()
        .map_err(|_| PhotoError::Corrupt)?;
    if u64::from(w) * u64::from(h) > limits.max_pixels {
        return Err(PhotoError::TooManyPixels {
            max_mp: limits.max_pixels / 1_000_000,
        });
    }
    if format == ImageFormat::Jpeg && !has_jpeg_end(bytes) {
        // Lenient decoders fill a truncated JPEG with grey; we refuse it instead.
        return Err(PhotoError::Corrupt);
    }
    // Big JPEGs are decoded at a fraction of their size (super::shrink).
    let shrunk = match format {
        ImageFormat::Jpeg => super::shrink::decode(bytes, (w, h), DISPLAY_MAX),
        _ => None,
    };
    let Oriented {
        image: mut img,
        orientation,
    } = match shrunk {
        Some(decoded) => decoded.map_err(|_| PhotoError::Corrupt)?,
        None => decode_whole(bytes, format, (w, h), limits)?,
    };
    img.apply_orientation(orientation);

    let rgb = flatten(img);
    let display = fit(&rgb, DISPLAY_MAX);
    let thumb = fit(&display, THUMB_MAX);
    Ok(Processed {
        width: display.width(),
        height: display.height(),
        display: encode(&display)?,
        thumb: encode(&thumb)?,
    })
}

/// The whole picture, by the general decoder.
fn decode_whole(
    bytes: &[u8],
    format: ImageFormat,
    (w, h): (u32, u32),
    limits: &PhotoLimits,
) -> Result<Oriented, PhotoError> {
    let mut reader = reader(bytes, format);
    let mut decode_limits = Limits::default();
    decode_limits.max_image_width = Some(w);
    decode_limits.max_image_height = Some(h);
    decode_limits.max_alloc = Some(limits.max_pixels * 4 + 64 * 1024 * 1024);
    reader.limits(decode_limits);
    let mut decoder = reader.into_decoder().map_err(|_| PhotoError::Corrupt)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(|_| PhotoError::Corrupt)?;
    Ok(Oriented { image, orientation })
}

/// The real type from magic bytes; only JPEG, PNG and WebP are accepted.
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    match image::guess_format(bytes).ok()? {
        f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => Some(f),
        _ => None,
    }
}

fn reader(bytes: &[u8], format: ImageFormat) -> ImageReader<Cursor<&[u8]>> {
    ImageReader::with_format(Cursor::new(bytes), format)
}

/// A complete JPEG ends with the EOI marker (allowing a little trailing padding).
fn has_jpeg_end(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(256)..];
    tail.windows(2).any(|w| w == [0xFF, 0xD9])
}

/// Drops alpha by compositing onto white (JPEG has no transparency).
fn flatten(img: DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.into_rgb8();
    }
    let rgba = img.into_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let a = u16::from(p[3]);
        let mix = |c: u8| ((u16::from(c) * a + 255 * (255 - a)) / 255) as u8;
        image::Rgb([mix(p[0]), mix(p[1]), mix(p[2])])
    })
}

/// Shrinks to fit `max` by averaging the source pixels under each output pixel
/// (integer arithmetic, straight into the output): a float resampler holds a
/// second, four-bytes-per-sample copy of the picture, 26 MB for a display image.
fn fit(img: &RgbImage, max: u32) -> RgbImage {
    if img.width() <= max && img.height() <= max {
        return img.clone();
    }
    let scale = f64::from(max) / f64::from(img.width().max(img.height()));
    let w = ((f64::from(img.width()) * scale).round() as u32).max(1);
    let h = ((f64::from(img.height()) * scale).round() as u32).max(1);
    image::imageops::thumbnail(img, w, h)
}

fn encode(img: &RgbImage) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::with_capacity(img.len() / 8);
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
    img.write_with_encoder(encoder).map_err(|_| PhotoError::Corrupt)?;
    Ok(out)
}
