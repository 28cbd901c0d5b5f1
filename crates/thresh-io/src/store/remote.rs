//! Object storage: `s3://bucket/key` (also `s3a://`), `gs://bucket/key` and `az://container/key`
//! paths, through the `object_store` crate; and, read-only, files on a web server
//! (`https://host/path`, `http://`: GET, ranged GET and HEAD, no listing), for inputs named by
//! URL.
//!
//! Credentials, region and endpoint come from the provider's usual environment variables
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`,
//! `AWS_ENDPOINT_URL`; `GOOGLE_SERVICE_ACCOUNT`; `AZURE_STORAGE_ACCOUNT_NAME`, …). Failed
//! connections, requests cut off and busy servers are retried with exponential back-off (for
//! about seven seconds, see [`RETRIES`]); a read that breaks off mid-object continues from the
//! byte it reached. Uploads become visible only when complete (one PUT, or a
//! multipart upload that is completed or aborted), so nothing half-written ever carries its
//! final name. Every error names the object's URL.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures_util::StreamExt;
use object_store::path::Path as Key;
use object_store::{
    BackoffConfig, GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig,
    WriteMultipart,
};

/// How many more rounds of attempts a failed request (or a read that broke off) gets, after
/// pauses of 0.2, 0.4, 0.8, 1.6 and 3.2 s, before thresh gives up on it.
pub const RETRIES: usize = 5;

/// Objects up to this size are uploaded with one PUT; larger ones in parts of this size.
const PART_BYTES: usize = 16 << 20;

/// True when `path` names an object (`s3://`, `s3a://`, `gs://`, `az://`, `abfs://`, or a
/// web server's `https://`, `http://`) rather than a local file.
pub fn is_remote(path: &str) -> bool {
    scheme(path).is_some()
}

fn scheme(path: &str) -> Option<&str> {
    let (scheme, rest) = path.split_once("://")?;
    let known = ["s3", "s3a", "gs", "az", "abfs", "abfss", "http", "https"].contains(&scheme);
    (known && !rest.is_empty()).then_some(scheme)
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("thresh-object-store")
            .enable_all()
            .build()
            .expect("an I/O runtime starts")
    })
}

/// `object_store`'s own retries, quick ones (within a second); [`retrying`] waits longer
/// between its rounds of them.
fn retry_config() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            base: 2.0,
        },
        max_retries: 2,
        retry_timeout: Duration::from_secs(60),
    }
}

/// A bucket (or container) of an object store, shared by everything that uses it.
#[derive(Clone)]
pub struct Bucket {
    store: Arc<dyn ObjectStore>,
    /// `scheme://bucket`.
    root: String,
}

/// An object's location: its bucket and key.
#[derive(Clone)]
pub struct Object {
    /// The bucket.
    pub bucket: Bucket,
    /// The key inside it (no leading `/`).
    pub key: String,
}

fn error(url: &str, e: impl std::fmt::Display) -> io::Error {
    let message = e.to_string();
    let has = |needles: &[&str]| needles.iter().any(|n| message.contains(n));
    let cause = if has(&["NoSuchBucket"]) {
        "the bucket does not exist: "
    } else if has(&[
        "169.254.169.254",
        "169.254.170.2",
        "/latest/api/token",
        "/latest/meta-data",
    ]) {
        "no credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; the instance-metadata service tried next did not give any): "
    } else if has(&[
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "AccessDenied",
    ]) {
        "access denied (check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the bucket's permissions): "
    } else if has(&["error sending request", "connection", "Connection"]) {
        "the object store cannot be reached or dropped the connection: "
    } else {
        ""
    };
    // The provider's XML error body adds nothing the code above has not said.
    let detail = message.split(": <?xml").next().unwrap_or(&message);
    let detail: String = detail.chars().take(400).collect();
    io::Error::other(format!("`{url}`: {cause}{detail}"))
}

/// Whether a failure may pass on its own: the connection could not be made or broke off, or
/// the server is busy. (`object_store` retries those quickly itself, except requests cut off
/// after they were sent; every request thresh makes may be repeated: reads, listings, deletes,
/// and uploads of the same bytes to the same key.)
fn transient(message: &str) -> bool {
    [
        "status code: 5",
        "status code: 429",
        "SlowDown",
        "error sending request",
        "onnection",
        "timed out",
        "broken pipe",
        "reset by peer",
        "unexpected EOF",
        "IncompleteMessage",
    ]
    .iter()
    .any(|m| message.contains(m))
}

/// The pause before retry number `failures`: 200 ms, doubling, at most 6.4 s.
fn backoff(failures: usize) -> Duration {
    Duration::from_millis(100 << failures.clamp(1, 6))
}

/// Runs `attempt` until it succeeds, fails for good, or has failed transiently [`RETRIES`]
/// times more.
fn retrying<T, E: std::fmt::Display>(mut attempt: impl FnMut() -> Result<T, E>) -> Result<T, E> {
    let mut failures = 0;
    loop {
        match attempt() {
            Err(e) if failures < RETRIES && transient(&e.to_string()) => {
                failures += 1;
                std::thread::sleep(backoff(failures));
            }
            done => return done,
        }
    }
}

fn not_found(e: &object_store::Error) -> bool {
    matches!(e, object_store::Error::NotFound { .. })
}

impl Object {
    /// Parses `url` (`s3://bucket/key…`), connecting to its bucket with credentials from the
    /// environment (one client per bucket and process).
    pub fn parse(url: &str) -> io::Result<Object> {
        let scheme = scheme(url).ok_or_else(|| error(url, "not an object-store URL"))?;
        let rest = &url[scheme.len() + 3..];
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(error(url, "no bucket in the URL"));
        }
        let root = format!("{scheme}://{bucket}");
        static BUCKETS: OnceLock<Mutex<HashMap<String, Arc<dyn ObjectStore>>>> = OnceLock::new();
        let mut buckets = BUCKETS
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let store = match buckets.get(&root) {
            Some(store) => store.clone(),
            None => {
                let store = connect(scheme, &root).map_err(|e| error(url, e))?;
                buckets.insert(root.clone(), store.clone());
                store
            }
        };
        Ok(Object {
            bucket: Bucket { store, root },
            key: key.trim_matches('/').to_owned(),
        })
    }

    /// The object's URL.
    pub fn url(&self) -> String {
        format!("{}/{}", self.bucket.root, self.key)
    }

    /// The object at `relative` below this one's key (`prefix/relative`).
    pub fn child(&self, relative: &str) -> Object {
        let key = if self.key.is_empty() {
            relative.trim_matches('/').to_owned()
        } else {
            format!("{}/{}", self.key, relative.trim_matches('/'))
        };
        Object {
            bucket: self.bucket.clone(),
            key,
        }
    }

    fn location(&self) -> Key {
        Key::from(self.key.as_str())
    }

    /// Every object below this key taken as a directory (`key/…`), as (key relative to it,
    /// size), sorted by key.
    pub fn list(&self) -> io::Result<Vec<(String, u64)>> {
        let prefix = (!self.key.is_empty()).then(|| self.location());
        let mut found = retrying(|| {
            let store = self.bucket.store.clone();
            let prefix = prefix.clone();
            runtime().block_on(async move {
                let mut listing = store.list(prefix.as_ref());
                let mut found = Vec::new();
                while let Some(meta) = listing.next().await {
                    let meta = meta?;
                    found.push((meta.location.to_string(), meta.size));
                }
                Ok::<_, object_store::Error>(found)
            })
        });
        if let Err(e) = &found {
            if not_found(e) {
                found = Ok(Vec::new());
            }
        }
        let strip = if self.key.is_empty() {
            0
        } else {
            self.key.len() + 1
        };
        let mut found: Vec<(String, u64)> = found
            .map_err(|e| error(&self.url(), e))?
            .into_iter()
            .filter(|(key, _)| key.len() > strip)
            .map(|(key, size)| (key[strip..].to_owned(), size))
            .collect();
        found.sort();
        Ok(found)
    }

    /// The object's size, or `None` when there is no such object.
    pub fn size(&self) -> io::Result<Option<u64>> {
        match retrying(|| runtime().block_on(self.bucket.store.head(&self.location()))) {
            Ok(meta) => Ok(Some(meta.size)),
            Err(e) if not_found(&e) => Ok(None),
            Err(e) => Err(error(&self.url(), e)),
        }
    }

    /// Streams the object (`size` bytes long, from a listing).
    pub fn reader(&self, size: u64) -> ObjectReader {
        ObjectReader {
            object: self.clone(),
            size,
            offset: 0,
            stream: None,
            chunk: bytes::Bytes::new(),
            failures: 0,
        }
    }

    /// Starts streaming the object (one GET, its size from the response); `None` when there is
    /// no such object.
    fn open(&self) -> io::Result<Option<ObjectReader>> {
        let got = retrying(|| runtime().block_on(self.bucket.store.get(&self.location())));
        match got {
            Ok(got) => {
                let mut reader = self.reader(got.meta.size);
                reader.stream = Some(got.into_stream());
                Ok(Some(reader))
            }
            Err(e) if not_found(&e) => Ok(None),
            Err(e) => Err(error(&self.url(), e)),
        }
    }

    /// Downloads the object to `local` (written under a temporary name, then renamed); `false`
    /// when there is no such object.
    pub fn download(&self, local: &Path) -> io::Result<bool> {
        let Some(mut reader) = self.open()? else {
            return Ok(false);
        };
        if let Some(dir) = local.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = crate::store::atomic::private_temp_path(local);
        let copied = File::create(&tmp).and_then(|mut out| {
            io::copy(&mut reader, &mut out)?;
            out.sync_all()
        });
        match copied {
            Ok(()) => std::fs::rename(&tmp, local).map(|_| true),
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(e)
            }
        }
    }

    /// The whole object (for small ones: stats, markers).
    pub fn read(&self) -> io::Result<Vec<u8>> {
        let mut reader = self.open()?.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("`{}` does not exist", self.url()),
            )
        })?;
        let mut bytes = Vec::with_capacity(reader.size as usize);
        reader.read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    /// Uploads `bytes` as the object, atomically.
    pub fn put(&self, bytes: Vec<u8>) -> io::Result<()> {
        let payload = PutPayload::from(bytes);
        retrying(|| runtime().block_on(self.bucket.store.put(&self.location(), payload.clone())))
            .map(|_| ())
            .map_err(|e| error(&self.url(), e))
    }

    /// Uploads the local file `local` as the object: one PUT up to 16 MB, else a multipart
    /// upload, which is aborted on failure. Readers never see part of it.
    pub fn upload(&self, local: &Path) -> io::Result<()> {
        retrying(|| self.upload_once(local))
    }

    fn upload_once(&self, local: &Path) -> io::Result<()> {
        let mut file = File::open(local)?;
        let size = file.metadata()?.len();
        if size <= PART_BYTES as u64 {
            let mut bytes = Vec::with_capacity(size as usize);
            file.read_to_end(&mut bytes)?;
            return self.put(bytes);
        }
        let store = self.bucket.store.clone();
        let location = self.location();
        let url = self.url();
        runtime().block_on(async move {
            let upload = store
                .put_multipart(&location)
                .await
                .map_err(|e| error(&url, e))?;
            let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
            let mut buffer = vec![0u8; 1 << 20];
            let written: io::Result<()> = async {
                loop {
                    writer
                        .wait_for_capacity(4)
                        .await
                        .map_err(|e| error(&url, e))?;
                    let n = file.read(&mut buffer)?;
                    if n == 0 {
                        return Ok(());
                    }
                    writer.write(&buffer[..n]);
                }
            }
            .await;
            match written {
                Ok(()) => writer
                    .finish()
                    .await
                    .map(|_| ())
                    .map_err(|e| error(&url, e)),
                Err(e) => {
                    let _ = writer.abort().await;
                    Err(e)
                }
            }
        })
    }

    /// Downloads the objects below this key named by `relative` (keys relative to it, as
    /// [`Object::list`] gives them) into `dir` at the same relative paths, 16 at a time; each
    /// file is written under a temporary name and renamed.
    pub fn download_all(&self, relative: &[String], dir: &Path) -> io::Result<()> {
        use futures_util::stream::{self, TryStreamExt};
        let fetch = |name: String| {
            let object = self.child(&name);
            let local = dir.join(&name);
            async move {
                let bytes = object
                    .bucket
                    .store
                    .get(&object.location())
                    .await
                    .map_err(|e| error(&object.url(), e))?
                    .bytes()
                    .await
                    .map_err(|e| error(&object.url(), e))?;
                crate::store::atomic::write_atomic(&local, &bytes)
            }
        };
        for chunk in relative.chunks(256) {
            retrying(|| {
                let pending: Vec<_> = chunk
                    .iter()
                    .filter(|name| !dir.join(name).exists())
                    .map(|name| fetch(name.clone()))
                    .collect();
                runtime().block_on(
                    stream::iter(pending.into_iter().map(Ok::<_, io::Error>))
                        .try_for_each_concurrent(16, |f| f),
                )
            })?;
        }
        Ok(())
    }

    /// Deletes every object below this key named by `relative` (keys relative to it), in
    /// batches (S3's DeleteObjects); missing ones are not an error.
    pub fn delete_all(&self, relative: &[String]) -> io::Result<()> {
        let keys: Vec<Key> = relative
            .iter()
            .map(|name| self.child(name).location())
            .collect();
        retrying(|| {
            let store = self.bucket.store.clone();
            let keys = keys.clone();
            runtime().block_on(async move {
                let locations = futures_util::stream::iter(keys.into_iter().map(Ok)).boxed();
                let mut deleted = store.delete_stream(locations);
                while let Some(result) = deleted.next().await {
                    match result {
                        Err(e) if !not_found(&e) => return Err(e),
                        _ => {}
                    }
                }
                Ok(())
            })
        })
        .map_err(|e| error(&self.url(), e))
    }

    /// The names directly below this key taken as a directory: objects and "sub-directories".
    pub fn entries(&self) -> io::Result<Vec<String>> {
        let prefix = (!self.key.is_empty()).then(|| self.location());
        let listed =
            retrying(|| runtime().block_on(self.bucket.store.list_with_delimiter(prefix.as_ref())))
                .map_err(|e| error(&self.url(), e))?;
        let name = |key: &Key| key.filename().unwrap_or_default().to_owned();
        Ok(listed
            .common_prefixes
            .iter()
            .map(name)
            .chain(listed.objects.iter().map(|o| name(&o.location)))
            .collect())
    }
}

fn connect(scheme: &str, root: &str) -> object_store::Result<Arc<dyn ObjectStore>> {
    Ok(match scheme {
        "gs" => Arc::new(
            object_store::gcp::GoogleCloudStorageBuilder::from_env()
                .with_url(root)
                .with_retry(retry_config())
                .build()?,
        ),
        // A web server: read-only (GET, ranged GET, HEAD), for inputs named by URL.
        "http" | "https" => Arc::new(
            object_store::http::HttpBuilder::new()
                .with_url(root)
                .with_client_options(object_store::ClientOptions::new().with_allow_http(true))
                .with_retry(retry_config())
                .build()?,
        ),
        "az" | "abfs" | "abfss" => Arc::new(
            object_store::azure::MicrosoftAzureBuilder::from_env()
                .with_url(root)
                .with_retry(retry_config())
                .build()?,
        ),
        _ => {
            let mut builder = object_store::aws::AmazonS3Builder::from_env()
                .with_url(root)
                .with_retry(retry_config());
            // A plain-HTTP endpoint (a test server, MinIO on a private network) is meant.
            let endpoint = std::env::var("AWS_ENDPOINT_URL")
                .or_else(|_| std::env::var("AWS_ENDPOINT"))
                .unwrap_or_default();
            if endpoint.starts_with("http://") {
                builder = builder.with_allow_http(true);
            }
            Arc::new(builder.build()?)
        }
    })
}

/// A streamed object: reads continue from the byte reached when a response breaks off,
/// retrying [`RETRIES`] times in a row.
pub struct ObjectReader {
    object: Object,
    size: u64,
    offset: u64,
    stream: Option<futures_util::stream::BoxStream<'static, object_store::Result<bytes::Bytes>>>,
    chunk: bytes::Bytes,
    failures: usize,
}

impl ObjectReader {
    fn fail(&mut self, e: impl std::fmt::Display) -> io::Result<()> {
        self.stream = None;
        self.failures += 1;
        if self.failures > RETRIES {
            return Err(error(
                &self.object.url(),
                format!("reading at byte {}: {e}", self.offset),
            ));
        }
        std::thread::sleep(backoff(self.failures));
        Ok(())
    }
}

impl Read for ObjectReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if !self.chunk.is_empty() {
                let n = buf.len().min(self.chunk.len());
                buf[..n].copy_from_slice(&self.chunk[..n]);
                self.chunk = self.chunk.slice(n..);
                self.offset += n as u64;
                return Ok(n);
            }
            if self.offset >= self.size || buf.is_empty() {
                return Ok(0);
            }
            let stream = match &mut self.stream {
                Some(stream) => stream,
                None => {
                    let options = GetOptions {
                        range: Some(GetRange::Offset(self.offset)),
                        ..GetOptions::default()
                    };
                    let location = self.object.location();
                    match runtime().block_on(self.object.bucket.store.get_opts(&location, options))
                    {
                        Ok(result) => self.stream.insert(result.into_stream()),
                        Err(e) if not_found(&e) => return Err(error(&self.object.url(), e)),
                        Err(e) => {
                            self.fail(e)?;
                            continue;
                        }
                    }
                }
            };
            match runtime().block_on(stream.next()) {
                Some(Ok(chunk)) => {
                    self.failures = 0;
                    self.chunk = chunk;
                }
                Some(Err(e)) => self.fail(e)?,
                None => self.fail(format!(
                    "the response ended {} bytes early",
                    self.size - self.offset
                ))?,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_object_urls() {
        assert!(is_remote("s3://bucket/prefix/a.jsonl.zst"));
        assert!(is_remote("gs://b/x"));
        assert!(is_remote("az://container/x"));
        assert!(!is_remote("data/a.jsonl"));
        assert!(!is_remote("/abs/s3://x"));
        assert!(!is_remote("s3://"));
        // Web servers are read as objects too (inputs named by URL, Common Crawl over https).
        assert!(is_remote("http://example.com/a"));
        assert!(is_remote(
            "https://data.commoncrawl.org/crawl-data/x.warc.gz"
        ));
        assert!(!is_remote("ftp://example.com/a"));
        assert!(!is_remote("https://"));
    }

    #[test]
    fn urls_split_into_bucket_and_key() {
        let prefix = Object::parse("s3://bucket/crawl/2024/").unwrap();
        assert_eq!(prefix.key, "crawl/2024");
        assert_eq!(prefix.url(), "s3://bucket/crawl/2024");
        assert_eq!(
            prefix.child("kept/00000-0000.jsonl.zst").url(),
            "s3://bucket/crawl/2024/kept/00000-0000.jsonl.zst"
        );
        let root = Object::parse("s3://bucket").unwrap();
        assert_eq!(root.key, "");
        assert_eq!(root.child("a/b").url(), "s3://bucket/a/b");
        let err = Object::parse("s3:///key").err().unwrap().to_string();
        assert!(err.contains("no bucket"), "{err}");
    }

    #[test]
    fn connection_failures_and_busy_servers_are_transient_missing_things_are_not() {
        assert!(transient("HTTP error: error sending request"));
        assert!(transient(
            "Server returned non-2xx status code: 503 Service Unavailable"
        ));
        assert!(transient("status code: 429 Too Many Requests"));
        assert!(transient("connection closed before message completed"));
        assert!(!transient("Object at location x not found"));
        assert!(!transient(
            "Server returned non-2xx status code: 404 Not Found: NoSuchBucket"
        ));
        assert!(!transient(
            "Server returned non-2xx status code: 403 Forbidden: AccessDenied"
        ));
        let pauses: Vec<u128> = (1..=RETRIES).map(|f| backoff(f).as_millis()).collect();
        assert_eq!(pauses, [200, 400, 800, 1600, 3200]);
    }
}
