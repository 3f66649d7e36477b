//! Objects in an S3-compatible bucket (Garage, MinIO, Ceph RGW, COS, OSS, AWS) through
//! aws-sdk-s3, over rustls with ring. Objects smaller than one part go up in one PutObject;
//! larger ones as a multipart upload, one part in flight while the next is read.

use std::time::Duration;

use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
    StalledStreamProtectionConfig,
};
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use aws_sdk_s3::Client;
use bytes::{Bytes, BytesMut};
use tokio::io::AsyncRead;
use tokio::task::JoinHandle;

use super::{Listed, StoreError, StoreResult};
use crate::platform::config::ObjectSettings;

pub struct S3Store {
    client: Client,
    bucket: String,
    part_size: usize,
}

fn unavailable<E: std::error::Error + 'static>(e: E) -> StoreError {
    StoreError::Unavailable(DisplayErrorContext(e).to_string())
}

impl S3Store {
    pub fn new(settings: &ObjectSettings) -> S3Store {
        use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .build_https();
        let timeouts = aws_sdk_s3::config::timeout::TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .build();
        let config = aws_sdk_s3::config::Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(settings.s3_region.clone()))
            .endpoint_url(&settings.s3_endpoint)
            .credentials_provider(Credentials::new(
                &settings.s3_access_key,
                &settings.s3_secret_key,
                None,
                None,
                "zhujian-settings",
            ))
            .force_path_style(settings.s3_path_style)
            .http_client(http)
            .timeout_config(timeouts)
            .retry_config(aws_sdk_s3::config::retry::RetryConfig::standard().with_max_attempts(2))
            // We hash every upload ourselves (SHA-256); the SDK's extra CRC32 pass is not needed.
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
            // A slow mobile client can pause an upload for a while; that is not a stall to abort.
            .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
            .build();
        S3Store {
            client: Client::from_conf(config),
            bucket: settings.s3_bucket.clone(),
            part_size: settings.s3_part_size_bytes,
        }
    }

    pub fn writer(&self, key: &str) -> S3Writer {
        S3Writer {
            client: self.client.clone(),
            bucket: self.bucket.clone(),
            key: key.to_owned(),
            part_size: self.part_size,
            buffer: BytesMut::new(),
            upload_id: None,
            parts: Vec::new(),
            in_flight: None,
        }
    }

    pub async fn reader(&self, key: &str) -> StoreResult<Box<dyn AsyncRead + Send + Unpin>> {
        match self.client.get_object().bucket(&self.bucket).key(key).send().await {
            Ok(output) => Ok(Box::new(output.body.into_async_read())),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => Err(StoreError::NotFound),
            Err(e) => Err(unavailable(e)),
        }
    }

    pub async fn size(&self, key: &str) -> StoreResult<Option<u64>> {
        match self.client.head_object().bucket(&self.bucket).key(key).send().await {
            Ok(output) => Ok(Some(output.content_length().unwrap_or(0).max(0) as u64)),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    pub async fn delete(&self, key: &str) -> StoreResult<()> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    pub async fn list(&self, prefix: &str) -> StoreResult<Vec<Listed>> {
        let mut found = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(prefix)
                .set_continuation_token(token)
                .send()
                .await
                .map_err(unavailable)?;
            for object in page.contents() {
                if let Some(key) = object.key() {
                    let modified_ms = object.last_modified().and_then(|t| t.to_millis().ok()).unwrap_or(0);
                    found.push(Listed {
                        key: key.to_owned(),
                        modified_ms,
                    });
                }
            }
            token = page.next_continuation_token().map(str::to_owned);
            if token.is_none() {
                return Ok(found);
            }
        }
    }

    pub async fn presign_put(&self, key: &str, size: u64, ttl: Duration) -> StoreResult<String> {
        let config = PresigningConfig::expires_in(ttl).map_err(unavailable)?;
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_length(size as i64)
            .presigned(config)
            .await
            .map_err(unavailable)?;
        Ok(request.uri().to_owned())
    }

    pub async fn presign_get(
        &self,
        key: &str,
        ttl: Duration,
        content_type: &str,
        file_name: &str,
    ) -> StoreResult<String> {
        let config = PresigningConfig::expires_in(ttl).map_err(unavailable)?;
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .response_content_type(content_type)
            .response_content_disposition(super::content_disposition(file_name))
            .presigned(config)
            .await
            .map_err(unavailable)?;
        Ok(request.uri().to_owned())
    }

    pub async fn check(&self) -> StoreResult<()> {
        self.client
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .map_err(|e| {
                let code = e.code().unwrap_or("unknown").to_owned();
                StoreError::Unavailable(format!(
                    "bucket {} not reachable ({code}): {}",
                    self.bucket,
                    DisplayErrorContext(e)
                ))
            })?;
        Ok(())
    }
}

pub struct S3Writer {
    client: Client,
    bucket: String,
    key: String,
    part_size: usize,
    buffer: BytesMut,
    upload_id: Option<String>,
    parts: Vec<CompletedPart>,
    in_flight: Option<JoinHandle<StoreResult<CompletedPart>>>,
}

impl S3Writer {
    /// Fills one part-sized buffer at a time and hands each full one to `send_part`, so a
    /// writer holds at most the part being filled and the part in flight.
    pub async fn write(&mut self, mut chunk: Bytes) -> StoreResult<()> {
        while !chunk.is_empty() {
            let take = (self.part_size - self.buffer.len()).min(chunk.len());
            self.buffer.extend_from_slice(&chunk.split_to(take));
            if self.buffer.len() == self.part_size {
                let part = std::mem::replace(&mut self.buffer, BytesMut::with_capacity(self.part_size)).freeze();
                self.send_part(part).await?;
            }
        }
        Ok(())
    }

    /// Starts uploading `part` after the previous part has finished, so at most one part is in
    /// flight while the next one is read.
    async fn send_part(&mut self, part: Bytes) -> StoreResult<()> {
        if self.upload_id.is_none() {
            let created = self
                .client
                .create_multipart_upload()
                .bucket(&self.bucket)
                .key(&self.key)
                .send()
                .await
                .map_err(unavailable)?;
            self.upload_id = created.upload_id().map(str::to_owned);
        }
        self.wait_in_flight().await?;
        let number = self.parts.len() as i32 + 1;
        let request = self
            .client
            .upload_part()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(self.upload_id.clone().unwrap_or_default())
            .part_number(number)
            .content_length(part.len() as i64)
            .body(ByteStream::from(part));
        self.in_flight = Some(tokio::spawn(async move {
            let output = request.send().await.map_err(unavailable)?;
            Ok(CompletedPart::builder()
                .part_number(number)
                .set_e_tag(output.e_tag().map(str::to_owned))
                .build())
        }));
        Ok(())
    }

    async fn wait_in_flight(&mut self) -> StoreResult<()> {
        if let Some(handle) = self.in_flight.take() {
            let part = handle.await.map_err(|e| StoreError::Unavailable(e.to_string()))??;
            self.parts.push(part);
        }
        Ok(())
    }

    pub async fn finish(mut self) -> StoreResult<()> {
        let result = self.complete().await;
        if result.is_err() {
            self.abort_upload().await;
        }
        result
    }

    async fn complete(&mut self) -> StoreResult<()> {
        let rest = std::mem::take(&mut self.buffer).freeze();
        let Some(upload_id) = self.upload_id.clone() else {
            self.client
                .put_object()
                .bucket(&self.bucket)
                .key(&self.key)
                .content_length(rest.len() as i64)
                .body(ByteStream::from(rest))
                .send()
                .await
                .map_err(unavailable)?;
            return Ok(());
        };
        if !rest.is_empty() {
            self.send_part(rest).await?;
        }
        self.wait_in_flight().await?;
        let parts = CompletedMultipartUpload::builder()
            .set_parts(Some(std::mem::take(&mut self.parts)))
            .build();
        self.client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(upload_id)
            .multipart_upload(parts)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn abort_upload(&mut self) {
        if let Some(handle) = self.in_flight.take() {
            handle.abort();
        }
        if let Some(upload_id) = self.upload_id.take() {
            let aborted = self
                .client
                .abort_multipart_upload()
                .bucket(&self.bucket)
                .key(&self.key)
                .upload_id(upload_id)
                .send()
                .await;
            if let Err(e) = aborted {
                tracing::warn!(error = %DisplayErrorContext(e), "could not abort a multipart upload; the bucket's lifecycle rule must clean it");
            }
        }
    }

    pub async fn abort(mut self) {
        self.abort_upload().await;
    }
}
