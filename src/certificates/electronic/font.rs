//! The certificate font: Noto Sans SC Regular (SIL Open Font License 1.1), taken from the pip
//! wheel `pylopdf-fonts-zh-cn==0.1.1` and checked by SHA-256. It is fetched once, like the
//! face models and into the same folder, and only the glyphs a certificate uses are embedded.

use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context};

use crate::platform::packages::{download, sha256_of, Distribution};

pub const PACKAGE: &str = "pylopdf-fonts-zh-cn==0.1.1";
const WHEEL: &str = "pylopdf_fonts_zh_cn-0.1.1-py3-none-any.whl";
const WHEEL_SHA256: &str = "e2661ef3790cbe0f0f6aa5338b6859b7cd288ee75bc88cd4239c62cd025d4fb3";
const MEMBER: &str = "pylopdf_fonts_zh_cn/NotoSansSC-Regular.otf";
/// The font's file name in the models folder.
pub const FILE: &str = "NotoSansSC-Regular.otf";
const FILE_SHA256: &str = "faa6c9df652116dde789d351359f3d7e5d2285a2b2a1f04a2d7244df706d5ea9";

/// Whether the font is in `dir` with the right content.
pub fn present(dir: &Path) -> bool {
    sha256_of(&dir.join(FILE)).is_ok_and(|sha| sha == FILE_SHA256)
}

/// Downloads the wheel with pip, checks it, and extracts the font into `dir`.
pub fn fetch(dir: &Path) -> anyhow::Result<()> {
    if present(dir) {
        return Ok(());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let scratch = tempfile::tempdir_in(dir).context("cannot make a temporary folder")?;
    download(PACKAGE, Distribution::Wheel, scratch.path(), WHEEL, WHEEL_SHA256)?;
    let wheel = std::fs::File::open(scratch.path().join(WHEEL))?;
    let mut archive = zip::ZipArchive::new(wheel).context("the font wheel is not a zip archive")?;
    let mut member = archive
        .by_name(MEMBER)
        .with_context(|| format!("the font wheel has no {MEMBER}"))?;
    let partial = scratch.path().join(FILE);
    let mut out = std::fs::File::create(&partial)?;
    // The member is about 8 MB; read at most a little more, whatever its header claims.
    std::io::copy(&mut (&mut member).take(16 << 20), &mut out)?;
    let actual = sha256_of(&partial)?;
    if actual != FILE_SHA256 {
        bail!("{FILE} in the wheel has SHA-256 {actual}, expected {FILE_SHA256}");
    }
    std::fs::rename(&partial, dir.join(FILE))?;
    eprintln!("certificate font ready in {}", dir.display());
    Ok(())
}

/// The font's bytes, read and checked once per process (about 8 MB).
pub fn cached(dir: &Path) -> anyhow::Result<&'static [u8]> {
    static FONT: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    if let Some(font) = FONT.get() {
        return Ok(font);
    }
    let font = load(dir)?;
    Ok(FONT.get_or_init(|| font))
}

/// The font's bytes, checked.
pub fn load(dir: &Path) -> anyhow::Result<Vec<u8>> {
    if !present(dir) {
        bail!(
            "the certificate font {FILE} is missing or corrupt in {}; run `zhujian models fetch`",
            dir.display()
        );
    }
    Ok(std::fs::read(dir.join(FILE))?)
}
