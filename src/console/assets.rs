//! The console's static files, embedded in the binary with their SHA-256 recorded
//! (assets/console/VENDORED.md says where each comes from): served under
//! `/console/assets/<name>` with a year's caching. The pages link each as `<name>?v=<its hash>`
//! (`Asset::href`), so a release that changes a file changes its address, and no browser keeps
//! the old one for that year.

use axum::{
    extract::Path,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

/// One embedded file.
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
    /// The SHA-256 recorded when the file was vendored (hex).
    pub sha256: &'static str,
}

impl Asset {
    /// The address pages link: the file's path, versioned by the first 12 hex digits of its
    /// SHA-256 (the query is for caches; `serve` reads only the name).
    pub fn href(&self) -> String {
        format!("/console/assets/{}?v={}", self.name, &self.sha256[..12])
    }
}

pub const HTMX: Asset = Asset {
    name: "htmx-2.0.11.min.js",
    content_type: "text/javascript; charset=utf-8",
    bytes: include_bytes!("../../assets/console/htmx-2.0.11.min.js"),
    sha256: "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717",
};

pub const CSS: Asset = Asset {
    name: "zhujian-console.css",
    content_type: "text/css; charset=utf-8",
    bytes: include_bytes!("../../assets/console/zhujian-console.css"),
    sha256: "bd0cc858d95108483e7be89517c81261eb6f91d827838a5d8d54e04510ade342",
};

/// The enterprise portal's script: upload progress bars, the browser's position.
pub const ENTERPRISE_JS: Asset = Asset {
    name: "zhujian-enterprise.js",
    content_type: "text/javascript; charset=utf-8",
    bytes: include_bytes!("../../assets/console/zhujian-enterprise.js"),
    sha256: "e49f497ea0a7225f012d04e8210247c7ef8f554c55fa88a890eb2797091cdae3",
};

pub const ALL: &[Asset] = &[HTMX, CSS, ENTERPRISE_JS];

/// `GET /console/assets/{name}`.
pub async fn serve(Path(name): Path<String>) -> Response {
    let Some(asset) = ALL.iter().find(|a| a.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        asset.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    use super::*;

    #[test]
    fn embedded_files_are_the_recorded_ones() {
        let record = include_str!("../../assets/console/VENDORED.md");
        for asset in ALL {
            assert_eq!(hex::encode(Sha256::digest(asset.bytes)), asset.sha256, "{}", asset.name);
            let line = record.lines().find(|l| l.contains(asset.name)).unwrap_or_default();
            assert!(line.contains(asset.sha256), "{} is recorded in VENDORED.md", asset.name);
        }
    }
}
