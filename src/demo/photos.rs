//! The demo's photos: the three faces of the HTTP tests' fixtures, and evidence PDFs.
//!
//! The server refuses a face photo that repeats any earlier one (`photos`: one photo, one use),
//! so every flow needs a photo of its own. `Photos::fresh` makes one from a fixture: the face
//! kept as it is (the same person to the face engine), the margins replaced by a frame of
//! blocks on the grid a difference hash sees, so that its hash lies far from every photo
//! handed out before.

use image::{imageops, Rgb, RgbImage};

use crate::photos::rules::{difference_hash, hamming};

/// The fixtures' faces: `A` has an ID portrait and a selfie; `B` and `C` one photo each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Face {
    APortrait,
    ASelfie,
    B,
    C,
}

impl Face {
    fn bytes(self) -> &'static [u8] {
        match self {
            Face::APortrait => include_bytes!("../../tests/fixtures/faces/person-a-portrait.jpg"),
            Face::ASelfie => include_bytes!("../../tests/fixtures/faces/person-a-selfie.jpg"),
            Face::B => include_bytes!("../../tests/fixtures/faces/person-b.jpg"),
            Face::C => include_bytes!("../../tests/fixtures/faces/person-c.jpg"),
        }
    }
}

/// Fewest differing bits between two photos handed out: the server's default distance (6)
/// with a margin.
const APART: u32 = 10;

#[derive(Default)]
pub struct Photos {
    handed_out: Vec<u64>,
    pattern: u64,
}

impl Photos {
    /// A new photo of the face, far (to the hash) from every photo handed out before.
    pub fn fresh(&mut self, face: Face) -> anyhow::Result<Vec<u8>> {
        let photo = crate::face::decode(face.bytes()).map_err(|e| anyhow::anyhow!("fixture {face:?}: {e}"))?;
        if self.handed_out.is_empty() {
            for fixture in [Face::APortrait, Face::ASelfie, Face::B, Face::C] {
                let image = crate::face::decode(fixture.bytes()).map_err(|e| anyhow::anyhow!("{e}"))?;
                self.handed_out.push(difference_hash(&image));
            }
        }
        loop {
            self.pattern += 1;
            let framed = framed(&photo, self.pattern);
            let hash = difference_hash(&framed);
            if self.handed_out.iter().all(|h| hamming(*h, hash) >= APART) {
                self.handed_out.push(hash);
                return jpeg(&framed);
            }
        }
    }
}

/// The photo's middle 7/9 × 6/8 (where the face is) in a frame one grid cell wide whose
/// blocks are bright or dark by the pattern `n`, at the photo's size.
fn framed(photo: &RgbImage, n: u64) -> RgbImage {
    let (w, h) = (photo.width() * 7 / 9, photo.height() * 6 / 8);
    let middle = imageops::crop_imm(photo, (photo.width() - w) / 2, (photo.height() - h) / 2, w, h).to_image();
    let (bw, bh) = (w / 7 + 1, h / 6 + 1);
    let mut seed = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut levels = [0u8; 72];
    for level in levels.iter_mut() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        *level = if seed & 1 == 1 { 230 } else { 25 };
    }
    let mut canvas = RgbImage::from_fn(bw * 9, bh * 8, |x, y| {
        let level = levels[((y / bh) * 9 + x / bw) as usize];
        Rgb([level, level, level])
    });
    let (left, top) = ((canvas.width() - w) / 2, (canvas.height() - h) / 2);
    imageops::overlay(&mut canvas, &middle, i64::from(left), i64::from(top));
    canvas
}

fn jpeg(image: &RgbImage) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(image)?;
    Ok(out)
}

/// A one-page PDF showing `title` (ASCII) in Helvetica: a scan or an evidence document.
pub fn pdf(title: &str) -> Vec<u8> {
    let text: String = title
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
        .collect();
    let content = format!("BT /F1 24 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
            .to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_photos_are_far_apart_to_the_hash() {
        let mut photos = Photos::default();
        let hashes: Vec<u64> = (0..4)
            .map(|_| difference_hash(&crate::face::decode(&photos.fresh(Face::B).unwrap()).unwrap()))
            .collect();
        for (i, a) in hashes.iter().enumerate() {
            for b in &hashes[i + 1..] {
                assert!(hamming(*a, *b) >= APART);
            }
        }
    }

    #[test]
    fn the_pdf_names_its_objects_where_they_are() {
        let pdf = pdf("Demo evidence");
        let text = String::from_utf8(pdf).unwrap();
        let at = text.find("3 0 obj").unwrap();
        assert!(text.contains(&format!("{at:010} 00000 n")));
        assert!(text.ends_with("%%EOF\n") && text.contains("(Demo evidence) Tj"));
    }
}
