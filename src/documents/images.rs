//! Photos are stored normalised: the EXIF orientation applied to the pixels, then re-encoded,
//! which drops every metadata block (EXIF with GPS position and device, XMP, comments). The
//! dimensions are read from the header first, so a decompression bomb is refused before any
//! pixel is decoded.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

use super::rules::Format;
use super::upload::UploadError;
use crate::platform::config::UploadSettings;

const JPEG_QUALITY: u8 = 92;

/// The pixel count from the header alone, when it can be read.
pub fn pixels(bytes: &[u8], format: Format) -> Option<u64> {
    let image_format = match format {
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
        _ => return None,
    };
    let (w, h) = ImageReader::with_format(Cursor::new(bytes), image_format)
        .into_dimensions()
        .ok()?;
    Some(u64::from(w) * u64::from(h))
}

/// Checks, orients and re-encodes a JPEG or PNG; returns the bytes to store.
pub fn normalize(bytes: &[u8], format: Format, limits: &UploadSettings) -> Result<Vec<u8>, UploadError> {
    let image_format = match format {
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
        _ => return Err(UploadError::Unreadable),
    };
    // The JPEG decoder fills a missing tail with grey instead of failing: insist on the end.
    if format == Format::Jpeg && !jpeg_is_complete(bytes) {
        return Err(UploadError::Unreadable);
    }
    let reader = ImageReader::with_format(Cursor::new(bytes), image_format);
    let (width, height) = reader.into_dimensions().map_err(|_| UploadError::Unreadable)?;
    if u64::from(width) * u64::from(height) > limits.image_max_pixels {
        return Err(UploadError::ImageTooLarge { width, height });
    }
    if width.min(height) < limits.image_min_side {
        return Err(UploadError::ImageTooSmall { width, height });
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format);
    let mut decode_limits = image::Limits::default();
    decode_limits.max_image_width = Some(width);
    decode_limits.max_image_height = Some(height);
    decode_limits.max_alloc = Some(limits.image_max_pixels * 4 * 2);
    reader.limits(decode_limits);
    let mut decoder = reader.into_decoder().map_err(|_| UploadError::Unreadable)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|_| UploadError::Unreadable)?;
    image.apply_orientation(orientation);
    encode(&image, format)
}

/// Whether a JPEG's last scan is followed by the end-of-image marker (FF D9). Entropy-coded
/// data cannot hold FF D9 (an FF there is stuffed as FF 00), and an EXIF thumbnail's own end
/// marker lies before the main image's scans, so a cut-off file fails this.
pub fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    let end = bytes.windows(2).rposition(|w| w == [0xFF, 0xD9]);
    matches!((last_scan, end), (Some(scan), Some(end)) if end > scan)
}

fn encode(image: &DynamicImage, format: Format) -> Result<Vec<u8>, UploadError> {
    let mut out = Vec::new();
    let result = match format {
        Format::Jpeg => {
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
            image.to_rgb8().write_with_encoder(encoder)
        }
        _ => image.write_with_encoder(image::codecs::png::PngEncoder::new(&mut out)),
    };
    result.map_err(|_| UploadError::Unreadable)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(width, height, |x, _| {
            if x < width / 2 {
                Rgb([255, 0, 0])
            } else {
                Rgb([0, 0, 255])
            }
        });
        encode(&DynamicImage::ImageRgb8(img), Format::Jpeg).unwrap()
    }

    /// Inserts an EXIF APP1 segment with the given orientation right after the SOI marker.
    fn with_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
        let mut tiff = Vec::new();
        tiff.extend_from_slice(b"MM\0\x2a\0\0\0\x08"); // big-endian TIFF header, IFD at 8
        tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
        tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
        tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
        tiff.extend_from_slice(&1u32.to_be_bytes()); // count
        tiff.extend_from_slice(&orientation.to_be_bytes());
        tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // padding, next IFD = 0
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn orientation_is_applied_and_exif_dropped() {
        let limits = crate::platform::config::Settings::default().uploads;
        let rotated = with_orientation(&jpeg(300, 200), 6); // 90° clockwise
        assert!(rotated.windows(4).any(|w| w == b"Exif"));
        let out = normalize(&rotated, Format::Jpeg, &limits).unwrap();
        assert!(!out.windows(4).any(|w| w == b"Exif"), "EXIF must be gone");
        let decoded = image::load_from_memory(&out).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (200, 300));
    }

    #[test]
    fn bombs_tiny_and_broken_images_are_refused() {
        let mut limits = crate::platform::config::Settings::default().uploads;
        limits.image_max_pixels = 100 * 100;
        assert!(matches!(
            normalize(&jpeg(300, 200), Format::Jpeg, &limits),
            Err(UploadError::ImageTooLarge { .. })
        ));
        limits.image_max_pixels = 40_000_000;
        assert!(matches!(
            normalize(&jpeg(120, 50), Format::Jpeg, &limits),
            Err(UploadError::ImageTooSmall { .. })
        ));
        let whole = jpeg(300, 200);
        assert!(normalize(&whole, Format::Jpeg, &limits).is_ok());
        for cut in [200, whole.len() * 3 / 10, whole.len() * 9 / 10, whole.len() - 2] {
            assert!(
                matches!(
                    normalize(&whole[..cut], Format::Jpeg, &limits),
                    Err(UploadError::Unreadable)
                ),
                "a JPEG cut at {cut} of {} bytes is refused",
                whole.len()
            );
        }
        // Trailing bytes after the end marker (some cameras add them) are no reason to refuse.
        let mut padded = whole.clone();
        padded.extend_from_slice(&[0; 16]);
        assert!(normalize(&padded, Format::Jpeg, &limits).is_ok());
        let mut png = Vec::new();
        image::DynamicImage::new_rgb8(300, 200)
            .write_with_encoder(image::codecs::png::PngEncoder::new(&mut png))
            .unwrap();
        assert!(normalize(&png, Format::Png, &limits).is_ok());
        let cut = &png[..png.len() * 3 / 10];
        assert!(matches!(
            normalize(cut, Format::Png, &limits),
            Err(UploadError::Unreadable)
        ));
    }
}
