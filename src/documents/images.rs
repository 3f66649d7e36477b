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

/// Checks, orients and re-encodes a JPEG or PNG; returns the bytes to store.
pub fn normalize(bytes: &[u8], format: Format, limits: &UploadSettings) -> Result<Vec<u8>, UploadError> {
    let image_format = match format {
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
        _ => return Err(UploadError::Unreadable),
    };
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
        let truncated = &jpeg(300, 200)[..200];
        assert!(matches!(
            normalize(truncated, Format::Jpeg, &limits),
            Err(UploadError::Unreadable)
        ));
    }
}
