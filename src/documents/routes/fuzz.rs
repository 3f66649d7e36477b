//! Property tests of upload request handling (issue 14, item 8): random multipart bodies (any
//! number of parts, any names, parts around the 64 KB limit, files of every kind, bodies cut off
//! or replaced by noise) go through the handler's own part loop (`with_file_part`) and the
//! upload pipeline into a local store. Well-formed bodies get exactly the answer the rules give;
//! broken ones a refusal with one of the upload codes; nothing panics, and a refused upload
//! leaves no object behind.

use axum::extract::{FromRequest, Multipart};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

use super::multipart::{with_file_part, FieldSource, OTHER_PARTS_MAX, OTHER_PART_MAX_BYTES};
use crate::documents::pool::ImagePool;
use crate::documents::rules::Purpose;
use crate::documents::upload::{self, Expect, UploadError};
use crate::platform::config::Settings;
use crate::platform::fuzzing::config;
use crate::platform::objects::{LocalStore, ObjectStore};

const BOUNDARY: &str = "zhujian-fuzz-7f3a91";
const PDF_CAP: u64 = 2048;

#[derive(Debug, Clone)]
enum Name {
    File,
    Other(String),
    Missing,
}

#[derive(Debug, Clone)]
struct Part {
    name: Name,
    content: Vec<u8>,
}

/// A file part's content: a PDF of some length with or without its end marker, other bytes, or
/// nothing.
fn file_content() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => (0usize..3000, any::<bool>()).prop_map(|(len, eof)| {
            let mut pdf = b"%PDF-1.4\n".to_vec();
            pdf.resize(9 + len, b'x');
            if eof {
                pdf.extend_from_slice(b"\n%%EOF\n");
            }
            pdf
        }),
        1 => proptest::collection::vec(any::<u8>(), 1..200).prop_map(|mut b| { b.insert(0, b'z'); b }),
        1 => Just(Vec::new()),
    ]
}

fn other_content() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => proptest::collection::vec(any::<u8>(), 0..300),
        1 => (OTHER_PART_MAX_BYTES - 40..OTHER_PART_MAX_BYTES + 40).prop_map(|len| vec![b'a'; len]),
    ]
}

fn part() -> impl Strategy<Value = Part> {
    prop_oneof![
        1 => file_content().prop_map(|content| Part { name: Name::File, content }),
        4 => ("[a-z_]{1,8}", other_content()).prop_filter_map("not file", |(name, content)| {
            (name != "file").then_some(Part { name: Name::Other(name), content })
        }),
        1 => other_content().prop_map(|content| Part { name: Name::Missing, content }),
    ]
}

fn body(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    for part in parts {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let disposition = match &part.name {
            Name::File => "form-data; name=\"file\"; filename=\"scan.pdf\"".to_owned(),
            Name::Other(name) => format!("form-data; name=\"{name}\""),
            Name::Missing => "form-data".to_owned(),
        };
        out.extend_from_slice(format!("Content-Disposition: {disposition}\r\n\r\n").as_bytes());
        out.extend_from_slice(&part.content);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

/// What the rules answer for these parts: the stored file's bytes, or the refusal's code.
fn expected(parts: &[Part]) -> Result<Vec<u8>, &'static str> {
    let mut others = 0;
    for part in parts {
        if matches!(part.name, Name::File) {
            let c = &part.content;
            return if c.is_empty() {
                Err("document.empty")
            } else if !c.starts_with(b"%PDF-") {
                Err("document.type_not_allowed")
            } else if c.len() as u64 > PDF_CAP {
                Err("document.too_large")
            } else if !c.ends_with(b"%%EOF\n") {
                Err("document.pdf_incomplete")
            } else {
                Ok(c.clone())
            };
        }
        others += 1;
        if others > OTHER_PARTS_MAX {
            return Err("document.too_many_parts");
        }
        if part.content.len() > OTHER_PART_MAX_BYTES {
            return Err("document.part_too_large");
        }
    }
    Err("document.file_missing")
}

const UPLOAD_CODES: &[&str] = &[
    "document.empty",
    "document.type_not_allowed",
    "document.too_large",
    "document.pdf_incomplete",
    "document.too_many_parts",
    "document.part_too_large",
    "document.file_missing",
    "document.body_invalid",
];

struct Bench {
    runtime: tokio::runtime::Runtime,
    store: ObjectStore,
    images: ImagePool,
    _dir: tempfile::TempDir,
}

impl Bench {
    fn new() -> Bench {
        // In memory where there is a tmpfs: the store syncs every file it completes.
        let shm = std::path::Path::new("/dev/shm");
        let dir = if shm.is_dir() {
            tempfile::tempdir_in(shm)
        } else {
            tempfile::tempdir()
        }
        .unwrap();
        Bench {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            store: ObjectStore::Local(LocalStore::new(dir.path().to_path_buf()).unwrap()),
            images: ImagePool::new(64, 100),
            _dir: dir,
        }
    }

    /// Posts `body` through the handler's part loop and the upload pipeline: the stored bytes
    /// or the refusal's code. A refusal must leave nothing under the key.
    fn upload(&self, body: Vec<u8>) -> Result<Vec<u8>, &'static str> {
        self.runtime.block_on(async {
            let mut limits = Settings::default().uploads;
            limits.pdf_max_bytes = PDF_CAP;
            let expect = Expect {
                purpose: Purpose::MaterialScan,
                limits: &limits,
                images: &self.images,
                size: None,
                sha256: None,
            };
            let key = format!("fuzz/{}", uuid::Uuid::now_v7());
            let request = axum::http::Request::post("/documents")
                .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
                .body(axum::body::Body::from(body))
                .unwrap();
            let mut multipart = Multipart::from_request(request, &()).await.unwrap();
            let outcome = with_file_part(&mut multipart, async |field| {
                upload::receive(&mut FieldSource(field), &expect, &self.store, &key)
                    .await
                    .map_err(UploadError::into_api)
            })
            .await;
            match outcome {
                Ok(received) => {
                    let mut stored = Vec::new();
                    let mut reader = self.store.reader(&key).await.unwrap();
                    tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut stored)
                        .await
                        .unwrap();
                    assert_eq!(received.size, stored.len() as u64);
                    assert_eq!(received.sha256, hex::encode(Sha256::digest(&stored)));
                    Ok(stored)
                }
                Err(error) => {
                    assert_eq!(
                        self.store.size(&key).await.unwrap(),
                        None,
                        "a refused upload left its object"
                    );
                    Err(error.code)
                }
            }
        })
    }
}

/// Runs `property` on `cases` values of `strategy` with one runtime and store for all of them.
fn check<S: Strategy>(strategy: S, cases: u32, property: impl Fn(&Bench, S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let bench = Bench::new();
    let mut runner = proptest::test_runner::TestRunner::new(config(cases));
    if let Err(failure) = runner.run(&strategy, |value| property(&bench, value)) {
        panic!("{failure}");
    }
}

#[test]
fn well_formed_uploads_get_the_rules_answer() {
    check(proptest::collection::vec(part(), 0..22), 2000, |bench, parts| {
        prop_assert_eq!(bench.upload(body(&parts)), expected(&parts));
        Ok(())
    });
}

#[test]
fn cut_off_uploads_are_refused_or_whole() {
    let strategy = (proptest::collection::vec(part(), 0..8), 0.0f64..1.0);
    check(strategy, 2000, |bench, (parts, cut)| {
        let whole = body(&parts);
        let cut = (whole.len() as f64 * cut) as usize;
        match bench.upload(whole[..cut].to_vec()) {
            Ok(stored) => prop_assert_eq!(Ok(stored), expected(&parts)),
            Err(code) => prop_assert!(UPLOAD_CODES.contains(&code), "{}", code),
        }
        Ok(())
    });
}

#[test]
fn noise_is_refused() {
    let strategy = (proptest::collection::vec(any::<u8>(), 0..2000), any::<bool>());
    check(strategy, 2000, |bench, (noise, framed)| {
        let mut body = Vec::new();
        if framed {
            body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        }
        body.extend_from_slice(&noise);
        match bench.upload(body) {
            Ok(stored) => prop_assert!(stored.starts_with(b"%PDF-")),
            Err(code) => prop_assert!(UPLOAD_CODES.contains(&code), "{}", code),
        }
        Ok(())
    });
}
