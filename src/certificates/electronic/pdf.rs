//! The electronic certificate as a one-page PDF: the title, the holder's portrait, the printed
//! fields, the issuer and a QR code carrying the signed data. Text is set in the certificate
//! font as a CID font (Identity-H) holding only the glyphs used, with a ToUnicode map so the
//! text can be searched, copied and read by `pdftotext`.

use std::collections::BTreeMap;

use anyhow::{anyhow, Context};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};
use qrcodegen::{QrCode, QrCodeEcc};
use subsetter::GlyphRemapper;

use super::signature::SignedData;

/// What one certificate page shows.
pub struct CertificateSheet<'a> {
    /// The certificate's title, e.g. 建筑施工企业安全生产管理人员安全生产考核合格证书.
    pub title: &'a str,
    /// The printed values; the same values the QR code's signature covers.
    pub data: &'a SignedData,
    /// The issuing authority's name.
    pub issuer: &'a str,
    /// The holder's portrait (JPEG or PNG), when there is one.
    pub portrait: Option<&'a [u8]>,
    /// The QR code's text: the lookup URL with the signed data.
    pub qr_text: &'a str,
}

// A4 landscape, in points.
const WIDTH: f32 = 842.0;
const HEIGHT: f32 = 595.0;
type Rgb = (f32, f32, f32);
const INK: Rgb = (0.12, 0.12, 0.12);
const GREY: Rgb = (0.40, 0.40, 0.40);
const SEAL_RED: Rgb = (0.62, 0.10, 0.10);

/// How a line of text looks: its size (shrunk when it does not fit) and colour.
#[derive(Clone, Copy)]
struct Look {
    size: f32,
    color: Rgb,
}

const fn look(size: f32, color: Rgb) -> Look {
    Look { size, color }
}
/// The portrait is scaled down to this many pixels at most before it is embedded.
const PORTRAIT_PIXELS: (u32, u32) = (360, 480);
/// Largest portrait accepted for decoding.
const PORTRAIT_MAX_PIXELS: u64 = 40_000_000;

const FONT: Name = Name(b"F1");
const PORTRAIT: Name = Name(b"Im1");

/// Renders the certificate; `font` is the certificate font's bytes.
pub fn render(font: &[u8], sheet: &CertificateSheet) -> anyhow::Result<Vec<u8>> {
    let mut text = Typesetter::new(font)?;
    let mut page = Content::new();
    draw_frame(&mut page);
    draw_text(&mut page, &mut text, sheet);
    draw_qr(&mut page, sheet.qr_text)?;
    let portrait = sheet.portrait.map(portrait_jpeg).transpose()?;
    if let Some(portrait) = &portrait {
        place_portrait(&mut page, portrait);
    }
    let mut pdf = Pdf::new();
    let ids = Ids::default();
    pdf.catalog(ids.catalog).pages(ids.pages);
    pdf.pages(ids.pages).kids([ids.page]).count(1);
    let mut resources_page = pdf.page(ids.page);
    resources_page
        .media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT))
        .parent(ids.pages)
        .contents(ids.content);
    let mut resources = resources_page.resources();
    resources.fonts().pair(FONT, ids.font);
    if portrait.is_some() {
        resources.x_objects().pair(PORTRAIT, ids.portrait);
    }
    resources.finish();
    resources_page.finish();
    pdf.stream(ids.content, &page.finish());
    if let Some(portrait) = &portrait {
        let mut image = pdf.image_xobject(ids.portrait, &portrait.jpeg);
        image.filter(Filter::DctDecode);
        image.width(portrait.width as i32).height(portrait.height as i32);
        image.color_space().device_rgb();
        image.bits_per_component(8);
    }
    text.embed(&mut pdf, &ids)?;
    let mut info = pdf.document_info(ids.info);
    info.title(pdf_writer::TextStr(sheet.title));
    info.producer(pdf_writer::TextStr("zhujian"));
    info.finish();
    Ok(pdf.finish())
}

/// The PDF objects' numbers.
struct Ids {
    catalog: Ref,
    pages: Ref,
    page: Ref,
    content: Ref,
    portrait: Ref,
    font: Ref,
    cid_font: Ref,
    descriptor: Ref,
    font_file: Ref,
    to_unicode: Ref,
    info: Ref,
}

impl Default for Ids {
    fn default() -> Self {
        let mut next = (1..).map(Ref::new);
        let mut id = || next.next().expect("endless");
        Ids {
            catalog: id(),
            pages: id(),
            page: id(),
            content: id(),
            portrait: id(),
            font: id(),
            cid_font: id(),
            descriptor: id(),
            font_file: id(),
            to_unicode: id(),
            info: id(),
        }
    }
}

fn draw_frame(page: &mut Content) {
    let (r, g, b) = SEAL_RED;
    page.save_state().set_stroke_rgb(r, g, b);
    page.set_line_width(2.5)
        .rect(22.0, 22.0, WIDTH - 44.0, HEIGHT - 44.0)
        .stroke();
    page.set_line_width(0.6)
        .rect(30.0, 30.0, WIDTH - 60.0, HEIGHT - 60.0)
        .stroke();
    page.restore_state();
}

fn draw_text(page: &mut Content, text: &mut Typesetter, sheet: &CertificateSheet) {
    let data = sheet.data;
    let middle = WIDTH / 2.0;
    text.centered(
        page,
        sheet.title,
        look(22.0, SEAL_RED),
        middle,
        HEIGHT - 92.0,
        WIDTH - 120.0,
    );
    text.centered(page, "电子证书", look(13.0, GREY), middle, HEIGHT - 120.0, 200.0);
    let fields = [
        ("姓　　名", data.h.as_str()),
        ("身份证号", data.i.as_str()),
        ("证书编号", data.n.as_str()),
        ("证书类别", data.k.as_str()),
        ("企业名称", data.e.as_str()),
        ("发证日期", data.f.as_str()),
        ("有效期至", data.u.as_str()),
        ("发证机关", sheet.issuer),
    ];
    let mut y = 420.0;
    for (label, value) in fields {
        text.line(page, label, look(12.0, GREY), 230.0, y, 80.0);
        text.line(page, value, look(14.0, INK), 318.0, y, 270.0);
        y -= 34.0;
    }
    text.centered(page, "扫码核验", look(11.0, GREY), 690.0, 168.0, 150.0);
    let note = "本证书数据经 Ed25519 数字签名，可用发证机关公布的公钥离线核验，或扫码在线核验。";
    text.centered(page, note, look(8.0, GREY), middle, 48.0, WIDTH - 120.0);
}

/// The QR code as filled squares, 150 pt wide, right of the fields.
fn draw_qr(page: &mut Content, qr_text: &str) -> anyhow::Result<()> {
    let code = QrCode::encode_text(qr_text, QrCodeEcc::Medium).map_err(|_| anyhow!("the QR text is too long"))?;
    let modules = code.size();
    let side = 150.0;
    let module = side / (modules + 8) as f32; // four modules of quiet zone each side
    let (left, bottom) = (615.0, 185.0);
    page.save_state().set_fill_rgb(0.0, 0.0, 0.0);
    for y in 0..modules {
        for x in 0..modules {
            if code.get_module(x, y) {
                let px = left + (x + 4) as f32 * module;
                let py = bottom + side - (y + 5) as f32 * module;
                page.rect(px, py, module, module);
            }
        }
    }
    page.fill_nonzero().restore_state();
    Ok(())
}

/// A portrait made ready for embedding: a baseline RGB JPEG of bounded size.
struct Portrait {
    jpeg: Vec<u8>,
    width: u32,
    height: u32,
}

fn portrait_jpeg(photo: &[u8]) -> anyhow::Result<Portrait> {
    let decoded = crate::face::decode_within(photo, PORTRAIT_MAX_PIXELS)
        .map_err(|error| anyhow!("the portrait cannot be read: {error:?}"))?;
    let (max_w, max_h) = PORTRAIT_PIXELS;
    let scaled = fit_within(decoded, max_w, max_h);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&scaled)
        .context("the portrait cannot be encoded")?;
    Ok(Portrait {
        width: scaled.width(),
        height: scaled.height(),
        jpeg,
    })
}

/// Scales down keeping the aspect ratio so the image fits `max_w` × `max_h`.
fn fit_within(photo: image::RgbImage, max_w: u32, max_h: u32) -> image::RgbImage {
    let scale = (max_w as f32 / photo.width() as f32).min(max_h as f32 / photo.height() as f32);
    if scale >= 1.0 {
        return photo;
    }
    let w = ((photo.width() as f32 * scale).round() as u32).max(1);
    let h = ((photo.height() as f32 * scale).round() as u32).max(1);
    image::imageops::thumbnail(&photo, w, h)
}

/// The portrait in a 3:4 box left of the fields, centred, aspect ratio kept.
fn place_portrait(page: &mut Content, portrait: &Portrait) {
    let (box_x, box_y, box_w, box_h) = (70.0, 250.0, 126.0, 168.0);
    let scale = (box_w / portrait.width as f32).min(box_h / portrait.height as f32);
    let (w, h) = (portrait.width as f32 * scale, portrait.height as f32 * scale);
    let (x, y) = (box_x + (box_w - w) / 2.0, box_y + (box_h - h) / 2.0);
    page.save_state()
        .transform([w, 0.0, 0.0, h, x, y])
        .x_object(PORTRAIT)
        .restore_state();
    let (r, g, b) = GREY;
    page.save_state().set_stroke_rgb(r, g, b).set_line_width(0.5);
    page.rect(box_x, box_y, box_w, box_h).stroke().restore_state();
}

/// Sets text in the certificate font, remembering each glyph used for the subset, its
/// width and the character it stands for.
struct Typesetter<'f> {
    data: &'f [u8],
    face: ttf_parser::Face<'f>,
    remapper: GlyphRemapper,
    /// New glyph id → (character, advance in thousandths of the font size).
    used: BTreeMap<u16, (char, f32)>,
}

impl<'f> Typesetter<'f> {
    fn new(data: &'f [u8]) -> anyhow::Result<Self> {
        let face = ttf_parser::Face::parse(data, 0).context("the certificate font cannot be read")?;
        Ok(Typesetter {
            data,
            face,
            remapper: GlyphRemapper::new(),
            used: BTreeMap::new(),
        })
    }

    /// The text as two-byte glyph codes, and its width at size 1.
    fn encode(&mut self, text: &str) -> (Vec<u8>, f32) {
        let units = self.face.units_per_em() as f32;
        let mut codes = Vec::with_capacity(text.len() * 2);
        let mut width = 0.0;
        for c in text.chars() {
            let glyph = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
            let advance = self.face.glyph_hor_advance(glyph).unwrap_or(0) as f32 * 1000.0 / units;
            let code = self.remapper.remap(glyph.0);
            self.used.entry(code).or_insert((c, advance));
            codes.extend_from_slice(&code.to_be_bytes());
            width += advance / 1000.0;
        }
        (codes, width)
    }

    /// One line starting at `x`, shrunk to fit `max_width`.
    fn line(&mut self, page: &mut Content, text: &str, look: Look, x: f32, y: f32, max_width: f32) {
        let (codes, width) = self.encode(text);
        let size = fitted(look.size, width, max_width);
        show(page, &codes, size, x, y, look.color);
    }

    /// One line centred on `center_x`, shrunk to fit `max_width`.
    fn centered(&mut self, page: &mut Content, text: &str, look: Look, center_x: f32, y: f32, max_width: f32) {
        let (codes, width) = self.encode(text);
        let size = fitted(look.size, width, max_width);
        show(page, &codes, size, center_x - width * size / 2.0, y, look.color);
    }

    /// Writes the font objects: a Type0 font over a CID-keyed subset of the used glyphs.
    fn embed(&self, pdf: &mut Pdf, ids: &Ids) -> anyhow::Result<()> {
        let subset = subsetter::subset(self.data, 0, &self.remapper)
            .map_err(|error| anyhow!("the certificate font cannot be subset: {error}"))?;
        let base = Name(b"ZHUJIA+NotoSansSC-Regular");
        pdf.type0_font(ids.font)
            .base_font(base)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(ids.cid_font)
            .to_unicode(ids.to_unicode);
        let mut cid = pdf.cid_font(ids.cid_font);
        cid.subtype(CidFontType::Type0)
            .base_font(base)
            .system_info(system_info())
            .font_descriptor(ids.descriptor)
            .default_width(1000.0);
        let mut widths = cid.widths();
        for (code, (_, advance)) in &self.used {
            widths.consecutive(*code, [*advance]);
        }
        widths.finish();
        cid.finish();
        let units = self.face.units_per_em() as f32;
        let scale = |v: i16| v as f32 * 1000.0 / units;
        let bbox = self.face.global_bounding_box();
        pdf.font_descriptor(ids.descriptor)
            .name(base)
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                scale(bbox.x_min),
                scale(bbox.y_min),
                scale(bbox.x_max),
                scale(bbox.y_max),
            ))
            .italic_angle(0.0)
            .ascent(scale(self.face.ascender()))
            .descent(scale(self.face.descender()))
            .cap_height(scale(self.face.capital_height().unwrap_or(self.face.ascender())))
            .stem_v(80.0)
            .font_file3(ids.font_file);
        pdf.stream(ids.font_file, &subset)
            .pair(Name(b"Subtype"), Name(b"OpenType"));
        let mut cmap = pdf_writer::types::UnicodeCmap::new(Name(b"Zhujian-UTF16"), system_info());
        for (code, (c, _)) in &self.used {
            cmap.pair(*code, *c);
        }
        pdf.cmap(ids.to_unicode, &cmap.finish());
        Ok(())
    }
}

fn system_info() -> SystemInfo<'static> {
    SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    }
}

/// The size at which a text of `width` (at size 1) fits `max_width`, at most `size`.
fn fitted(size: f32, width: f32, max_width: f32) -> f32 {
    if width * size <= max_width {
        size
    } else {
        max_width / width
    }
}

fn show(page: &mut Content, codes: &[u8], size: f32, x: f32, y: f32, (r, g, b): Rgb) {
    page.begin_text().set_fill_rgb(r, g, b).set_font(FONT, size);
    page.next_line(x, y).show(Str(codes)).end_text();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_shrinks_to_fit_and_short_text_keeps_its_size() {
        assert_eq!(fitted(14.0, 5.0, 270.0), 14.0);
        let size = fitted(14.0, 30.0, 270.0);
        assert!((size * 30.0 - 270.0).abs() < 1e-3 && size < 14.0);
    }

    #[test]
    fn portraits_fit_the_box_keeping_their_aspect() {
        let wide = fit_within(image::RgbImage::new(1000, 500), 360, 480);
        assert_eq!((wide.width(), wide.height()), (360, 180));
        let small = fit_within(image::RgbImage::new(100, 120), 360, 480);
        assert_eq!((small.width(), small.height()), (100, 120));
    }
}
