//! The electronic certificate rendered with the real font, read back with poppler
//! (`pdftotext`, `pdfimages`, `pdftoppm`) and a QR reader (`zbarimg`): the Chinese text is there as text, the page rasterises, and the
//! QR payload verifies with the published key.

use std::process::Command;

use zhujian::certificates::electronic::signature::verify_with;
use zhujian::certificates::electronic::{font, render, CertificateSheet, CertificateSigner, SignedData};
use zhujian::platform::crypto::Keys;

use crate::faces;

fn models_dir() -> std::path::PathBuf {
    std::env::var_os("ZHUJIAN_FACE_MODELS_DIR")
        .expect("ZHUJIAN_FACE_MODELS_DIR names the fetched models and font (scripts/test.sh sets it)")
        .into()
}

fn data() -> SignedData {
    SignedData {
        v: 1,
        n: "赣建安B(2024)0012345".into(),
        k: "安全生产管理人员（B类）".into(),
        h: "欧阳明慧".into(),
        i: "360102********2817".into(),
        e: "江西省宏远建设工程集团有限公司南昌分公司第三工程项目部".into(),
        f: "2024-03-01".into(),
        u: "2027-02-28".into(),
    }
}

pub(crate) fn run(program: &str, args: &[&std::ffi::OsStr]) -> std::process::Output {
    let output = Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!("{program} is needed (poppler-utils, zbar-tools; scripts/test.sh installs them): {e}")
    });
    assert!(
        output.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn the_certificate_pdf_carries_its_text_portrait_and_signed_code() {
    let font = font::load(&models_dir()).unwrap();
    let signer = CertificateSigner::from_keys(&Keys::new(vec![3; 32], [4; 32]));
    let data = data();
    let sealed = signer.seal(&data);
    let qr_text = format!("https://zhujian.example/certificates/verify?c={sealed}");
    let portrait = faces::original("person-a-portrait.jpg");
    let sheet = CertificateSheet {
        title: "建筑施工企业安全生产管理人员安全生产考核合格证书",
        data: &data,
        issuer: "江西省住房和城乡建设厅",
        portrait: Some(&portrait),
        qr_text: &qr_text,
    };
    let pdf = render(&font, &sheet).unwrap();
    assert!(
        pdf.len() < 400_000,
        "the font is subset, not embedded whole: {} bytes",
        pdf.len()
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("certificate.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let text = run("pdftotext", &["-layout".as_ref(), path.as_os_str(), "-".as_ref()]);
    let text = String::from_utf8(text.stdout).unwrap();
    for expected in [
        sheet.title,
        "欧阳明慧",
        "360102********2817",
        "赣建安B(2024)0012345",
        "2027-02-28",
        sheet.issuer,
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    // The long enterprise name is shrunk to fit its line, not cut.
    assert!(text.replace(' ', "").contains(&data.e), "{text}");

    let images = run("pdfimages", &["-list".as_ref(), path.as_os_str()]);
    let listing = String::from_utf8(images.stdout).unwrap();
    assert!(
        listing
            .lines()
            .any(|line| line.contains("jpeg") && line.contains("rgb")),
        "{listing}"
    );

    // The page rasterises, and a QR reader finds the signed payload on it.
    let page = dir.path().join("page");
    run(
        "pdftoppm",
        &[
            "-png".as_ref(),
            "-r".as_ref(),
            "150".as_ref(),
            path.as_os_str(),
            page.as_os_str(),
        ],
    );
    let png = dir.path().join("page-1.png");
    let scanned = run("zbarimg", &["-q".as_ref(), "--raw".as_ref(), png.as_os_str()]);
    assert_eq!(String::from_utf8(scanned.stdout).unwrap().trim_end(), qr_text);

    let public: [u8; 32] = base64_url(&signer.public_key()).try_into().unwrap();
    let key = ed25519_dalek::VerifyingKey::from_bytes(&public).unwrap();
    assert_eq!(verify_with(&key, &sealed), Ok(data));
}

fn base64_url(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).unwrap()
}
