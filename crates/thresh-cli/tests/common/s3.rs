//! A real S3-compatible server for tests: moto's server (`scripts/s3_local.sh` installs it and
//! prints its path; tests find it through `THRESH_MOTO_SERVER`), started on a free loopback
//! port and stopped when dropped, plus a loopback proxy in front of it that can delay or drop
//! connections. Requests the tests make themselves are plain HTTP/1.0 (moto does not check
//! signatures: they carry a dummy one), so the code under test is the only S3 client involved.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A running moto server.
pub struct S3 {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// moto does not check signatures, but treats a request without one as anonymous (and refuses
/// it private objects).
const AUTHORIZATION: &str = "Authorization: AWS4-HMAC-SHA256 Credential=thresh-test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0";

/// One HTTP/1.0 request to `port`: (status, body), or `None` when nothing answers.
pub fn http(port: u16, method: &str, target: &str, body: &[u8]) -> Option<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    let head = format!(
        "{method} {target} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n{AUTHORIZATION}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(body).ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    let split = response.windows(4).position(|w| w == b"\r\n\r\n")?;
    let status = std::str::from_utf8(&response[..split])
        .ok()?
        .split(' ')
        .nth(1)?
        .parse()
        .ok()?;
    Some((status, response[split + 4..].to_vec()))
}

impl S3 {
    /// Starts the server, or says why the test skips and returns `None` (fails instead where
    /// `THRESH_REQUIRE` lists `s3`).
    pub fn start() -> Option<S3> {
        let Some(server) = std::env::var_os("THRESH_MOTO_SERVER") else {
            assert!(
                !super::required("s3"),
                "THRESH_MOTO_SERVER is not set, and THRESH_REQUIRE says the S3 tests must run"
            );
            eprintln!(
                "SKIPPED: no S3 server; run `export THRESH_MOTO_SERVER=$(bash scripts/s3_local.sh)` (CI does)"
            );
            return None;
        };
        let port = free_port();
        let child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", server.to_string_lossy()));
        let s3 = S3 { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while http(port, "GET", "/", b"").is_none() {
            assert!(Instant::now() < deadline, "moto_server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(s3)
    }

    /// Creates bucket `name`.
    pub fn bucket(&self, name: &str) {
        let (status, _) = http(self.port, "PUT", &format!("/{name}"), b"").unwrap();
        assert_eq!(status, 200, "creating bucket {name}");
    }

    /// Stores `bytes` as `bucket/key`.
    pub fn put(&self, path: &str, bytes: &[u8]) {
        let (status, _) = http(self.port, "PUT", &format!("/{path}"), bytes).unwrap();
        assert_eq!(status, 200, "PUT {path}");
    }

    /// The object `bucket/key`, if there is one.
    pub fn get(&self, path: &str) -> Option<Vec<u8>> {
        match http(self.port, "GET", &format!("/{path}"), b"").unwrap() {
            (200, body) => Some(body),
            _ => None,
        }
    }

    /// The keys in `bucket` starting with `prefix`, sorted.
    pub fn keys(&self, bucket: &str, prefix: &str) -> Vec<String> {
        let mut keys = Vec::new();
        let mut after = String::new();
        loop {
            let target = format!("/{bucket}?list-type=2&prefix={prefix}&start-after={after}");
            let (status, body) = http(self.port, "GET", &target, b"").unwrap();
            assert_eq!(status, 200, "listing {bucket}/{prefix}");
            let body = String::from_utf8(body).unwrap();
            let page: Vec<String> = body
                .split("<Key>")
                .skip(1)
                .map(|s| s.split("</Key>").next().unwrap().to_owned())
                .collect();
            let truncated = body.contains("<IsTruncated>true");
            let last = page.last().cloned();
            keys.extend(page);
            match (truncated, last) {
                (true, Some(last)) => after = last,
                _ => break,
            }
        }
        keys.sort();
        keys
    }

    /// `thresh` with credentials and the endpoint `http://127.0.0.1:port` in its environment.
    pub fn thresh_via(&self, port: u16) -> Command {
        let mut command = super::thresh();
        command
            .env("AWS_ACCESS_KEY_ID", "thresh-test")
            .env("AWS_SECRET_ACCESS_KEY", "thresh-test")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE");
        command
    }

    /// `thresh` talking to this server directly.
    pub fn thresh(&self) -> Command {
        self.thresh_via(self.port)
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback TCP proxy in front of a server: it can hold every response chunk back, close
/// connections as soon as they are accepted, or cut one off in the middle of a response.
pub struct Proxy {
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Milliseconds each chunk of a response is held back.
    pub delay_ms: Arc<AtomicU64>,
    /// Close this many of the next connections at once.
    pub drop_next: Arc<AtomicUsize>,
    /// Close every connection at once.
    pub drop_all: Arc<AtomicBool>,
    /// Connections closed so far.
    pub dropped: Arc<AtomicUsize>,
    /// Once: cut the first connection whose responses pass this many bytes, there (0: never).
    pub cut_after: Arc<AtomicU64>,
    /// Connections cut mid-response so far.
    pub cut: Arc<AtomicUsize>,
}

impl Proxy {
    /// A proxy to `127.0.0.1:upstream`, serving until the test process ends.
    pub fn start(upstream: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let proxy = Proxy {
            port: listener.local_addr().unwrap().port(),
            delay_ms: Arc::default(),
            drop_next: Arc::default(),
            drop_all: Arc::default(),
            dropped: Arc::default(),
            cut_after: Arc::default(),
            cut: Arc::default(),
        };
        let (cut_after, cut) = (proxy.cut_after.clone(), proxy.cut.clone());
        let (delay, drop_next, drop_all, dropped) = (
            proxy.delay_ms.clone(),
            proxy.drop_next.clone(),
            proxy.drop_all.clone(),
            proxy.dropped.clone(),
        );
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let take = drop_next
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                if take || drop_all.load(Ordering::SeqCst) {
                    dropped.fetch_add(1, Ordering::SeqCst);
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                // Requests go through as they are; responses may be held back or cut.
                let (mut from, mut to) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut from, &mut to);
                    let _ = to.shutdown(Shutdown::Write);
                });
                let (delay, cut_after, cut) = (delay.clone(), cut_after.clone(), cut.clone());
                let (mut from, mut to) = (server, client);
                std::thread::spawn(move || {
                    let mut buffer = vec![0u8; 1 << 14];
                    let mut passed = 0u64;
                    while let Ok(n) = from.read(&mut buffer) {
                        if n == 0 {
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(delay.load(Ordering::Relaxed)));
                        passed += n as u64;
                        let limit = cut_after.load(Ordering::SeqCst);
                        if limit > 0
                            && passed > limit
                            && cut_after
                                .compare_exchange(limit, 0, Ordering::SeqCst, Ordering::SeqCst)
                                .is_ok()
                        {
                            let keep = n - (passed - limit) as usize;
                            let _ = to.write_all(&buffer[..keep]);
                            cut.fetch_add(1, Ordering::SeqCst);
                            let _ = to.shutdown(Shutdown::Both);
                            let _ = from.shutdown(Shutdown::Both);
                            return;
                        }
                        if to.write_all(&buffer[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = to.shutdown(Shutdown::Write);
                });
            }
        });
        proxy
    }
}
