//! Property tests of what reads an uploaded file's bytes (issue 14, item 8): image
//! normalisation, format recognition, the completeness checks and the file names. Random,
//! truncated and corrupted bytes never panic: they give a typed refusal or a normalised image;
//! random small valid images come back normalised with their size.

use image::{DynamicImage, Rgb, RgbImage};
use proptest::prelude::*;

use super::images::{self, normalize};
use super::rules::{self, Format};
use super::upload::UploadError;
use crate::platform::config::{Settings, UploadSettings};
use crate::platform::fuzzing::config;

fn limits() -> UploadSettings {
    let mut limits = Settings::default().uploads;
    limits.image_min_side = 8;
    limits.image_max_pixels = 256 * 256;
    limits
}

/// A small image with pixels from `seed`: noise, stripes or flat, as JPEG or PNG.
fn image_bytes(width: u32, height: u32, seed: u64, format: Format) -> Vec<u8> {
    let mut state = seed | 1;
    let flat = seed.is_multiple_of(3);
    let img = RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        if flat {
            Rgb([(seed >> 8) as u8, (seed >> 16) as u8, (seed >> 24) as u8])
        } else if seed % 3 == 1 {
            Rgb([(x * 7) as u8, (y * 5) as u8, ((x ^ y) * 3) as u8])
        } else {
            let b = state.to_le_bytes();
            Rgb([b[0], b[1], b[2]])
        }
    });
    let mut out = Vec::new();
    let image = DynamicImage::ImageRgb8(img);
    match format {
        Format::Jpeg => image
            .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80))
            .unwrap(),
        _ => image
            .write_with_encoder(image::codecs::png::PngEncoder::new(&mut out))
            .unwrap(),
    }
    out
}

fn photo_format() -> impl Strategy<Value = Format> {
    prop_oneof![Just(Format::Jpeg), Just(Format::Png)]
}

fn small_image() -> impl Strategy<Value = (Vec<u8>, Format, u32, u32)> {
    (1u32..80, 1u32..80, any::<u64>(), photo_format())
        .prop_map(|(w, h, seed, format)| (image_bytes(w, h, seed, format), format, w, h))
}

/// The answer is a normalised image of the recognised format within the limits, or a typed
/// refusal (anything else fails to compile: `UploadError` has no catch-all).
fn check_outcome(
    outcome: Result<Vec<u8>, UploadError>,
    format: Format,
    limits: &UploadSettings,
) -> Result<(), TestCaseError> {
    match outcome {
        Ok(out) => {
            prop_assert_eq!(rules::sniff(&out), Some(format));
            let decoded = image::load_from_memory(&out).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(u64::from(decoded.width()) * u64::from(decoded.height()) <= limits.image_max_pixels);
            prop_assert!(decoded.width().min(decoded.height()) >= limits.image_min_side);
        }
        Err(UploadError::Unreadable | UploadError::ImageTooLarge { .. } | UploadError::ImageTooSmall { .. }) => {}
        Err(other) => prop_assert!(false, "normalize answered {:?}", other),
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn small_valid_images_are_normalised_with_their_size((bytes, format, w, h) in small_image()) {
        let limits = limits();
        match normalize(&bytes, format, &limits) {
            Ok(out) => {
                prop_assert!(w.min(h) >= limits.image_min_side);
                let decoded = image::load_from_memory(&out).unwrap();
                prop_assert_eq!((decoded.width(), decoded.height()), (w, h));
                prop_assert_eq!(rules::sniff(&out), Some(format));
                prop_assert!(!out.windows(4).any(|x| x == b"Exif"));
            }
            Err(UploadError::ImageTooSmall { width, height }) => {
                prop_assert!(w.min(h) < limits.image_min_side);
                prop_assert_eq!((width, height), (w, h));
            }
            Err(other) => prop_assert!(false, "a valid {}×{} image refused: {:?}", w, h, other),
        }
        prop_assert_eq!(images::pixels(&bytes, format), Some(u64::from(w) * u64::from(h)));
    }

    #[test]
    fn truncated_images_are_refused_or_normalised((bytes, format, _w, _h) in small_image(), cut in 0.0f64..1.0) {
        let limits = limits();
        let cut = ((bytes.len() as f64) * cut) as usize;
        let outcome = normalize(&bytes[..cut], format, &limits);
        if format == Format::Jpeg {
            // Cut before its end marker, a JPEG is never stored (the decoder would fill grey).
            prop_assert!(matches!(outcome, Err(UploadError::Unreadable)), "a JPEG cut at {} of {} accepted", cut, bytes.len());
        } else {
            check_outcome(outcome, format, &limits)?;
        }
    }

    #[test]
    fn corrupted_images_never_panic((mut bytes, format, _w, _h) in small_image(), flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12)) {
        for (at, value) in flips {
            let at = at.index(bytes.len());
            bytes[at] = value;
        }
        let limits = limits();
        check_outcome(normalize(&bytes, format, &limits), format, &limits)?;
        let _ = images::pixels(&bytes, format);
    }

    #[test]
    fn random_bytes_behind_an_image_signature_never_panic(format in photo_format(), tail in proptest::collection::vec(any::<u8>(), 0..4096), end in any::<bool>()) {
        let mut bytes = match format {
            Format::Jpeg => vec![0xFF, 0xD8, 0xFF],
            _ => b"\x89PNG\r\n\x1a\n".to_vec(),
        };
        bytes.extend_from_slice(&tail);
        if end {
            bytes.extend_from_slice(&[0xFF, 0xD9]);
        }
        let limits = limits();
        check_outcome(normalize(&bytes, format, &limits), format, &limits)?;
        let _ = images::pixels(&bytes, format);
    }

    #[test]
    fn recognition_and_checks_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Some(format) = rules::sniff(&bytes) {
            prop_assert!(bytes.len() >= 3);
            let _ = format.content_type();
        }
        let _ = rules::pdf_is_complete(&bytes);
        let _ = images::jpeg_is_complete(&bytes);
        for format in [Format::Pdf, Format::Mp4, Format::QuickTime] {
            prop_assert!(matches!(normalize(&bytes, format, &limits()), Err(UploadError::Unreadable)));
        }
    }

    /// Whatever name a client sends, the stored name is printable, without path or quotes and
    /// at most 120 characters, and the download name ends in the detected type's extension.
    #[test]
    fn file_names_are_cleaned_and_follow_the_content(raw in proptest::option::of(".{0,200}"), format in prop_oneof![Just(Format::Pdf), Just(Format::Jpeg), Just(Format::Png), Just(Format::Mp4), Just(Format::QuickTime)]) {
        let name = rules::clean_file_name(raw.as_deref());
        prop_assert!(!name.is_empty() && name.chars().count() <= 120);
        prop_assert!(!name.chars().any(|c| c.is_control() || matches!(c, '"' | '\\' | '/')));
        let download = rules::download_name(&name, format.content_type());
        let extension = match format {
            Format::Pdf => ".pdf",
            Format::Jpeg => ".jpg",
            Format::Png => ".png",
            Format::Mp4 => ".mp4",
            Format::QuickTime => ".mov",
        };
        prop_assert!(download.ends_with(extension), "{} for {:?}", download, format);
        prop_assert!(!download.chars().any(|c| c.is_control() || matches!(c, '"' | '\\' | '/')));
    }
}
