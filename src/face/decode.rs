//! Decoding a face photo within a pixel budget, read from the header before any pixel.

use super::FaceError;

/// `decode_within` the default limit (`face.max_pixels`' default).
pub fn decode(photo: &[u8]) -> Result<image::RgbImage, FaceError> {
    decode_within(photo, zhujian_face::engine::DEFAULT_MAX_PIXELS)
}

/// Decodes a photo (EXIF orientation applied) of at most `max_pixels`. The dimensions are read
/// from the header first: a larger photo is refused before any pixel is decoded, whatever its
/// file size (a 1 MB PNG can hold 400 megapixels).
pub fn decode_within(photo: &[u8], max_pixels: u64) -> Result<image::RgbImage, FaceError> {
    use image::ImageDecoder;
    let reader = || {
        image::ImageReader::new(std::io::Cursor::new(photo))
            .with_guessed_format()
            .map_err(|_| FaceError::Unreadable)
    };
    let (width, height) = reader()?.into_dimensions().map_err(|_| FaceError::Unreadable)?;
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(FaceError::TooLarge {
            width,
            height,
            max: max_pixels,
        });
    }
    let mut reader = reader()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    // Room for the decoded pixels at 8 bytes each (16-bit RGBA PNGs) and the decoder's own.
    limits.max_alloc = Some(max_pixels.saturating_mul(8).saturating_add(64 << 20));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| FaceError::Unreadable)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = image::DynamicImage::from_decoder(decoder).map_err(|_| FaceError::Unreadable)?;
    image.apply_orientation(orientation);
    Ok(image.into_rgb8())
}
