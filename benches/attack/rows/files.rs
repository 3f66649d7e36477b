//! The rows that attack connections and uploads.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{person, statuses, FIXTURES};
use crate::{client_from, rss_mb, send, Row, World};

pub(super) async fn slow_headers(w: &World) -> Row {
    let address = w.server.base.trim_start_matches("http://").to_owned();
    let started = Instant::now();
    let mut open = Vec::new();
    for _ in 0..300 {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        if let Ok(Ok(mut stream)) =
            tokio::time::timeout(Duration::from_secs(2), socket.connect(address.parse().unwrap())).await
        {
            let _ = stream.write_all(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n").await;
            open.push(stream);
        }
    }
    let connected = open.len();
    let watchers = open.into_iter().map(|mut stream| async move {
        let mut buf = [0u8; 64];
        let read = tokio::time::timeout(Duration::from_secs(15), stream.read(&mut buf)).await;
        (matches!(read, Ok(Ok(0)) | Ok(Err(_)) | Ok(Ok(_))), Instant::now())
    });
    // /readyz from another loopback address while the slow connections are held.
    let prober = client_from([127, 0, 0, 2]);
    let url = format!("{}/readyz", w.server.base);
    let probes = async {
        let mut ok = 0;
        let mut total = 0;
        while started.elapsed() < Duration::from_secs(8) {
            total += 1;
            if let Ok(Ok(r)) = tokio::time::timeout(Duration::from_secs(2), prober.get(&url).send()).await {
                if r.status().is_success() {
                    ok += 1;
                }
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        (ok, total)
    };
    let (closed, (ok, total)) = tokio::join!(join_all(watchers), probes);
    let closed_in_time = closed.iter().filter(|(c, _)| *c).count();
    let last = closed
        .iter()
        .map(|(_, t)| t.duration_since(started))
        .max()
        .unwrap_or_default();
    Row {
        tried: "300 connections that never finish their headers (header timeout 3 s, at most 256 per address)".into(),
        happened: format!("{connected} connected; {closed_in_time} closed by the server, the last after {:.1} s; /readyz from 127.0.0.2 answered {ok} of {total} probes meanwhile", last.as_secs_f64()),
        held: Some(closed_in_time == connected && ok == total && last < Duration::from_secs(14)),
    }
}

/// A 6300×6300 JPEG (39.7 MP, under the 40 MP cap) of soft gradients.
fn huge_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(6300, 6300, |x, y| {
        image::Rgb([(x / 25) as u8, (y / 25) as u8, ((x + y) / 50) as u8])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 70))
        .unwrap();
    out
}

pub(super) async fn huge_selfies(w: &World) -> Row {
    let token = person(w, "attacker-selfies").await;
    let jpeg = tokio::task::spawn_blocking(huge_jpeg).await.unwrap();
    let (before, _) = rss_mb(w.server.pid);
    let pid = w.server.pid;
    let sampling = tokio::spawn(async move {
        let mut peak: f64 = 0.0;
        for _ in 0..1200 {
            peak = peak.max(rss_mb(pid).0);
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        peak
    });
    let started = Instant::now();
    let answers = join_all((0..6).map(|_| w.upload(&token, "selfie", "big.jpg", jpeg.clone()))).await;
    let elapsed = started.elapsed();
    sampling.abort();
    let (_, hwm) = rss_mb(w.server.pid);
    let busy_ok = answers
        .iter()
        .all(|a| a.status == 201 || (a.status == 503 && a.retry_after.is_some()));
    let growth = hwm - before;
    Row {
        tried: format!(
            "6 parallel selfie uploads of a 6300×6300 JPEG ({:.1} MB; decode budget 512 MB, 8 bytes a pixel)",
            jpeg.len() as f64 / 1e6
        ),
        happened: format!(
            "{}; in {:.1} s; server RSS {:.0} MB before, peak {:.0} MB (+{:.0} MB); 503s carry Retry-After: {}",
            statuses(&answers),
            elapsed.as_secs_f64(),
            before,
            hwm,
            growth,
            busy_ok
        ),
        held: Some(busy_ok && growth < 900.0),
    }
}

pub(super) async fn truncated_portrait(w: &World) -> Row {
    let token = person(w, "attacker-portrait").await;
    let whole = std::fs::read(format!("{FIXTURES}/person-a-portrait.jpg")).unwrap();
    let cut = whole[..whole.len() * 3 / 10].to_vec();
    let answer = w.upload(&token, "id_portrait", "portrait.jpg", cut).await;
    Row {
        tried: "the first 30 % of a JPEG as an ID portrait".into(),
        happened: format!("{} {}", answer.status, answer.code()),
        held: Some(answer.status == 422),
    }
}

pub(super) async fn pdf_as_html(w: &World, e3: &str) -> Row {
    let pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".to_vec();
    let uploaded = w.upload(e3, "material_scan", "poly.html", pdf).await;
    let id = uploaded.body["id"].as_str().unwrap_or_default().to_owned();
    let link = w.get(&format!("/documents/{id}/link"), e3).await;
    let url = link.body["url"].as_str().unwrap_or_default().to_owned();
    let content = send(w.http.get(&url)).await;
    let disposition = content.disposition.clone().unwrap_or_default();
    Row {
        tried: "a PDF uploaded under the name poly.html".into(),
        happened: format!(
            "upload {} named {}; download {} with Content-Disposition: {disposition}",
            uploaded.status, uploaded.body["file_name"], content.status
        ),
        held: Some(content.status == 200 && disposition.contains("poly.pdf") && !disposition.contains(".html")),
    }
}

fn multipart_body(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, content) in parts {
        out.extend_from_slice(b"--attackboundary\r\n");
        let filename = if *name == "file" { "; filename=\"a.pdf\"" } else { "" };
        out.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"{filename}\r\n\r\n").as_bytes());
        out.extend_from_slice(content);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"--attackboundary--\r\n");
    out
}

pub(super) async fn multipart_floods(w: &World, e3: &str) -> Row {
    let pdf = b"%PDF-1.4\n%%EOF\n".to_vec();
    let post = |body: Vec<u8>| {
        send(
            w.http
                .post(w.url("/documents?purpose=material_scan"))
                .bearer_auth(e3)
                .header("content-type", "multipart/form-data; boundary=attackboundary")
                .body(body),
        )
    };
    let names: Vec<String> = (0..5000).map(|i| format!("note{i}")).collect();
    let mut parts: Vec<(&str, Vec<u8>)> = names.iter().map(|n| (n.as_str(), b"x".to_vec())).collect();
    parts.push(("file", pdf.clone()));
    let (before, _) = rss_mb(w.server.pid);
    let pid = w.server.pid;
    let peak = std::sync::Arc::new(std::sync::Mutex::new(before));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                let now = rss_mb(pid).0;
                {
                    let mut p = peak.lock().unwrap();
                    *p = p.max(now);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let many = post(multipart_body(&parts)).await;
    let big = post(multipart_body(&[("note", vec![b'a'; 50 * 1024 * 1024]), ("file", pdf)])).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    sampler.abort();
    let peak = *peak.lock().unwrap();
    let refused = |a: &crate::Answer| a.status == 413 || a.status == 0;
    Row {
        tried: "5,000 multipart parts before the file; one 50 MB part not named file".into(),
        happened: format!(
            "5,000 parts: {} {}; 50 MB part: {}; server RSS {before:.0} MB before, at most {peak:.0} MB meanwhile",
            many.status,
            many.code(),
            if big.status == 0 {
                format!(
                    "the server stopped reading and closed the connection (client: {})",
                    big.text
                )
            } else {
                format!("{} {}", big.status, big.code())
            }
        ),
        held: Some(refused(&many) && refused(&big) && many.status == 413 && peak - before < 40.0),
    }
}
