//! Shrink-on-load for JPEG, as libvips and imgproxy do it: the decoder's
//! inverse DCT writes the picture straight at 1/2, 1/4 or 1/8 of its size,
//! the smallest that is still at least as big as what we keep. A 40-megapixel
//! photo is then never held at 40 megapixels: 1/4 of it, about 2.5 megapixels,
//! is all the memory the decode needs. Baseline JPEGs in grey or RGB (what
//! cameras and phones write) take this path; anything else is left to the
//! general decoder.

use image::{DynamicImage, GrayImage, RgbImage};
use jpeg_decoder::{CodingProcess, Decoder, PixelFormat};
use std::io::Cursor;

/// The most a scaled decode may hold in buffers; a file that would need more
/// is not a photo we keep.
const MAX_BUFFERS: usize = 64 * 1024 * 1024;

/// `bytes` (a JPEG of `size`) decoded at the smallest scale whose longest side
/// is still `longest` or more, with its EXIF orientation; `None` when this
/// path does not apply (no reduction possible, progressive, CMYK, …).
pub fn decode(bytes: &[u8], size: (u32, u32), longest: u32) -> Option<Result<Oriented, Damaged>> {
    let (w, h) = size;
    let long = w.max(h);
    if long < longest.saturating_mul(2) {
        return None;
    }
    let mut decoder = Decoder::new(Cursor::new(bytes));
    decoder.set_max_decoding_buffer_size(MAX_BUFFERS);
    decoder.read_info().ok()?;
    let info = decoder.info()?;
    if info.coding_process != CodingProcess::DctSequential
        || !matches!(info.pixel_format, PixelFormat::L8 | PixelFormat::RGB24)
    {
        return None;
    }
    let request = |side: u32| (u64::from(side) * u64::from(longest)).div_ceil(u64::from(long)) as u16;
    let (sw, sh) = decoder.scale(request(w), request(h)).ok()?;
    let pixels = match decoder.decode() {
        Ok(pixels) => pixels,
        Err(_) => return Some(Err(Damaged)),
    };
    let (sw, sh) = (u32::from(sw), u32::from(sh));
    let image = match info.pixel_format {
        PixelFormat::RGB24 => RgbImage::from_raw(sw, sh, pixels).map(DynamicImage::ImageRgb8),
        _ => GrayImage::from_raw(sw, sh, pixels).map(DynamicImage::ImageLuma8),
    };
    let orientation = decoder
        .exif_data()
        .and_then(image::metadata::Orientation::from_exif_chunk)
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    Some(image.map(|image| Oriented { image, orientation }).ok_or(Damaged))
}

/// The file claimed to be a JPEG this path can decode, and is not.
#[derive(Debug)]
pub struct Damaged;

/// A decoded picture and how it must be turned to stand upright.
pub struct Oriented {
    /// The pixels as stored.
    pub image: DynamicImage,
    /// The EXIF orientation.
    pub orientation: image::metadata::Orientation,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u32, h: u32, gray: bool) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let rgb = RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 251) as u8, (y % 241) as u8, 90]));
        let img = if gray {
            DynamicImage::ImageLuma8(DynamicImage::ImageRgb8(rgb).into_luma8())
        } else {
            DynamicImage::ImageRgb8(rgb)
        };
        img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
        out.into_inner()
    }

    #[test]
    fn big_jpegs_decode_at_the_smallest_scale_still_big_enough() {
        for gray in [false, true] {
            let bytes = jpeg(3300, 1650, gray);
            let decoded = decode(&bytes, (3300, 1650), 1600)
                .expect("a reduction applies")
                .unwrap();
            assert_eq!(
                (decoded.image.width(), decoded.image.height()),
                (1650, 825),
                "gray: {gray}"
            );
        }
    }

    #[test]
    fn small_ones_are_left_to_the_general_decoder() {
        assert!(
            decode(&jpeg(2000, 1000, false), (2000, 1000), 1600).is_none(),
            "no reduction possible"
        );
        assert!(decode(b"not a jpeg at all", (4000, 3000), 1600).is_none());
    }
}
