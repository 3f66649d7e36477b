//! Test files made on the spot: PDFs, photos, videos, and hostile variants.

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

/// A small, complete PDF of about `size` bytes.
pub fn pdf(size: usize) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    let filler = size.saturating_sub(out.len() + 40);
    out.extend(std::iter::repeat_n(b'%', filler));
    out.extend_from_slice(b"\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    out
}

/// A PDF cut off before its end marker, as a broken scan would be.
pub fn truncated_pdf() -> Vec<u8> {
    let full = pdf(4000);
    full[..full.len() - 60].to_vec()
}

fn photo(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    }))
}

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    photo(width, height).write_to(&mut out, ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    photo(width, height).write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A JPEG carrying EXIF orientation 6 (rotate 90° clockwise) and a GPS-like comment in it.
pub fn jpeg_rotated_with_exif(width: u32, height: u32) -> Vec<u8> {
    let plain = jpeg(width, height);
    let mut tiff = b"MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0".to_vec();
    tiff.extend_from_slice(b"GPS 22.5431N 114.0579E");
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

/// An ISO base media (MP4) file: an `ftyp` box and some payload.
pub fn mp4(size: usize) -> Vec<u8> {
    let mut out = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    out.resize(size.max(out.len()), 0x5a);
    out
}

pub fn quicktime(size: usize) -> Vec<u8> {
    let mut out = b"\0\0\0\x14ftypqt  \0\0\0\0qt  ".to_vec();
    out.resize(size.max(out.len()), 0x33);
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A tiny PNG whose header claims 30000×30000 pixels: a decompression bomb.
pub fn png_bomb() -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&30000u32.to_be_bytes());
    ihdr.extend_from_slice(&30000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(&ihdr);
    out.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    let idat = b"IDAT\x78\x9c\x03\x00\x00\x00\x00\x01";
    out.extend_from_slice(&8u32.to_be_bytes());
    out.extend_from_slice(idat);
    out.extend_from_slice(&crc32(idat).to_be_bytes());
    out
}
