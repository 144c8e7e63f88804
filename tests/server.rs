//! `logdoc serve`: every route, every error status, body forms and limits, escaping,
//! concurrency, shutdown and the OpenAPI document, against real servers on
//! 127.0.0.1:0 with a real HTTP client (reqwest). Most tests run the server in the
//! test process (`logdoc::server::serve`); the SIGTERM test runs the binary.

mod common;

use flate2::{Compression, write::GzEncoder};
use logdoc::server::{self, App, Config};
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

const GOOD: &str = "tests/fixtures/catalog/good";
const HOSTILE: &str = "tests/fixtures/server/catalog";
const WIDGET: &str = "demo/widget-exploded";

use common::WIDGET_LOG as LOG;

fn path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A server running in this process.
struct Server {
    addr: SocketAddr,
    client: Client,
    app: Arc<App>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(tweak: impl FnOnce(&mut Config)) -> Server {
        Server::start_with(&[GOOD, HOSTILE], tweak).await
    }

    async fn start_with(catalogs: &[&str], tweak: impl FnOnce(&mut Config)) -> Server {
        let dirs: Vec<PathBuf> = catalogs.iter().map(|c| path(c)).collect();
        let loaded = logdoc::catalog::load(&dirs);
        assert!(!loaded.has_errors(), "{:?}", loaded.problems);
        let mut config = Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..Config::default()
        };
        tweak(&mut config);
        let app = Arc::new(App::new(loaded.catalog, config).unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(listener, app.clone(), async move {
            let _ = stopped.await;
        }));
        Server {
            addr,
            client: Client::new(),
            app,
            stop: Some(stop),
            task,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// A text/plain diagnose request declaring `encoding` as its content coding.
    async fn post_encoded(&self, encoding: &str, body: &'static str) -> Response {
        self.client
            .post(self.url("/api/v1/diagnose"))
            .header("content-type", "text/plain")
            .header("content-encoding", encoding)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    async fn post(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        self.client
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// The value of a metric line `name value`.
    async fn metric(&self, name: &str) -> f64 {
        let text = self.get("/metrics").await.text().await.unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or(0.0)
    }

    /// Waits until `n` diagnose requests are in flight.
    async fn wait_in_flight(&self, n: f64) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.metric("logdoc_diagnose_requests_in_flight").await != n {
            assert!(
                Instant::now() < deadline,
                "never saw {n} requests in flight"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(30), self.task)
            .await
            .expect("server did not stop")
            .unwrap()
            .unwrap();
    }
}

async fn json(response: Response) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}: {e}: {text}"))
}

/// Asserts a problem+json answer with `status` and problem type `slug`.
async fn problem(response: Response, status: u16, slug: &str) -> Value {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let v = json(response).await;
    assert_eq!(v["type"], format!("urn:logdoc:problem:{slug}"), "{v}");
    assert_eq!(v["status"], status);
    assert!(v["title"].is_string() && v["detail"].is_string(), "{v}");
    v
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn zip_archive(files: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .large_file(true);
    for (name, bytes) in files {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A request body the test sends piece by piece.
fn streamed() -> (mpsc::Sender<Vec<u8>>, reqwest::Body) {
    let (tx, rx) = mpsc::channel::<Vec<u8>>(4);
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, std::io::Error>(b), rx))
    });
    (tx, reqwest::Body::wrap_stream(stream))
}

fn first_id(report: &Value) -> &str {
    report["diagnoses"][0]["id"].as_str().unwrap_or("(none)")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_returns_the_cli_object_with_links() {
    let s = Server::start(|_| {}).await;
    for lang in ["en", "zh"] {
        let r = s
            .post(&format!("/api/v1/diagnose?lang={lang}"), "text/plain", LOG)
            .await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/json");
        let mut ours = json(r).await;
        let d = &ours["diagnoses"][0];
        assert_eq!(d["id"], WIDGET);
        assert_eq!(d["url"], format!("/{lang}/errors/{WIDGET}/"));
        let api_url = if lang == "en" {
            format!("/api/v1/errors/{WIDGET}")
        } else {
            format!("/api/v1/errors/{WIDGET}?lang={lang}")
        };
        assert_eq!(d["api_url"], api_url);
        // The links resolve.
        assert_eq!(s.get(d["url"].as_str().unwrap()).await.status(), 200);
        assert_eq!(s.get(d["api_url"].as_str().unwrap()).await.status(), 200);

        // Without the links, exactly what `logdoc diagnose --format json -` prints.
        for d in ours["diagnoses"].as_array_mut().unwrap() {
            let d = d.as_object_mut().unwrap();
            d.remove("url");
            d.remove("api_url");
        }
        let mut cli = Command::new(env!("CARGO_BIN_EXE_logdoc"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "diagnose",
                "--catalog",
                GOOD,
                "--catalog",
                HOSTILE,
                "--format",
                "json",
                "--lang",
                lang,
                "-",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        cli.stdin.take().unwrap().write_all(LOG.as_bytes()).unwrap();
        let out = cli.wait_with_output().unwrap();
        assert!(out.status.success());
        let mut theirs: Value = serde_json::from_slice(&out.stdout).unwrap();
        // Each diagnosis names the entry file; the path differs only by the catalog
        // directory as given (relative for the CLI, absolute here).
        for v in [&mut ours, &mut theirs] {
            for d in v["diagnoses"].as_array_mut().unwrap() {
                let p = d["path"].as_str().unwrap().to_string();
                let tail = p[p.find("demo/").unwrap()..].to_string();
                d["path"] = Value::String(tail);
            }
        }
        assert_eq!(ours, theirs);
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_matches_the_cli_on_every_golden_log() {
    let s = Server::start_with(&["catalog"], |_| {}).await;
    let mut logs: Vec<String> = std::fs::read_dir(path("tests/golden"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.ends_with(".log")
                .then(|| format!("tests/golden/{name}"))
        })
        .collect();
    logs.sort();
    assert!(logs.len() >= 10);
    let out = Command::new(env!("CARGO_BIN_EXE_logdoc"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["diagnose", "--format", "jsonl"])
        .args(&logs)
        .output()
        .unwrap();
    assert!(out.status.success());
    let cli: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(cli.len(), logs.len());
    let root = format!("{}/", env!("CARGO_MANIFEST_DIR"));
    let mut diagnosed = 0;
    for (log, theirs) in logs.iter().zip(cli) {
        let bytes = std::fs::read(path(log)).unwrap();
        let r = s
            .post(&format!("/api/v1/diagnose?file={log}"), "text/plain", bytes)
            .await;
        assert_eq!(r.status(), 200, "{log}");
        let mut ours = json(r).await;
        for d in ours["diagnoses"].as_array_mut().unwrap() {
            let d = d.as_object_mut().unwrap();
            assert!(d.remove("url").is_some() && d.remove("api_url").is_some());
            let p = d["path"]
                .as_str()
                .unwrap()
                .trim_start_matches(&root)
                .to_string();
            d.insert("path".into(), Value::String(p));
        }
        assert_eq!(ours, theirs, "{log}");
        diagnosed += usize::from(!ours["diagnoses"].as_array().unwrap().is_empty());
    }
    assert!(diagnosed > 0);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_accepts_every_body_form() {
    let s = Server::start(|_| {}).await;
    let zip = zip_archive(
        &[
            (
                "build/1_Set up job.txt",
                b"Current runner version: '2.311.0'\n",
            ),
            ("build/2_Run widget build.txt", LOG.as_bytes()),
        ],
        zip::CompressionMethod::Deflated,
    );
    let bodies: Vec<(&str, Option<&str>, Vec<u8>)> = vec![
        ("text/plain; charset=utf-8", None, LOG.into()),
        ("application/octet-stream", None, LOG.into()),
        ("application/gzip", None, gzip(LOG.as_bytes())),
        ("application/x-gzip", None, gzip(&gzip(LOG.as_bytes()))),
        ("text/plain", Some("gzip"), gzip(LOG.as_bytes())),
        ("application/zip", None, zip.clone()),
        ("application/octet-stream", None, zip),
        (
            "application/json",
            None,
            serde_json::to_vec(
                &serde_json::json!({"log": LOG, "lang": "zh", "top": 1, "file": "job.log"}),
            )
            .unwrap(),
        ),
        (
            "application/json",
            Some("gzip"),
            gzip(&serde_json::to_vec(&serde_json::json!({"log": LOG})).unwrap()),
        ),
    ];
    for (content_type, encoding, body) in bodies {
        let mut request = s
            .client
            .post(s.url("/api/v1/diagnose"))
            .header("content-type", content_type);
        if let Some(encoding) = encoding {
            request = request.header("content-encoding", encoding);
        }
        let r = request.body(body).send().await.unwrap();
        assert_eq!(r.status(), 200, "{content_type} {encoding:?}");
        let v = json(r).await;
        assert_eq!(first_id(&v), WIDGET, "{content_type} {encoding:?}: {v}");
        if content_type == "application/json" && encoding.is_none() {
            assert_eq!(v["lang"], "zh");
            assert_eq!(v["file"], "job.log");
            assert_eq!(v["diagnoses"].as_array().unwrap().len(), 1);
            assert_eq!(v["diagnoses"][0]["title"], "Widget 工具：widget 爆炸");
        }
        if content_type == "application/zip" {
            assert_eq!(v["diagnoses"][0]["evidence"][0]["step"], "Run widget build");
        }
    }
    // Accept-Language decides when there is no `lang`.
    let r = s
        .client
        .post(s.url("/api/v1/diagnose"))
        .header("content-type", "text/plain")
        .header("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")
        .body(LOG)
        .send()
        .await
        .unwrap();
    assert_eq!(json(r).await["lang"], "zh");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_status_is_a_problem() {
    let s = Server::start(|c| c.max_body = 1 << 20).await;
    // 400: bad JSON, JSON of the wrong shape, bad gzip, bad zip, bad parameters.
    problem(
        s.post("/api/v1/diagnose", "application/json", "{\"log\": ")
            .await,
        400,
        "invalid-json",
    )
    .await;
    problem(
        s.post("/api/v1/diagnose", "application/json", "{\"logs\": \"x\"}")
            .await,
        400,
        "invalid-json",
    )
    .await;
    problem(
        s.post(
            "/api/v1/diagnose",
            "application/json",
            vec![b'"', 0xff, b'"'],
        )
        .await,
        400,
        "invalid-json",
    )
    .await;
    problem(
        s.post("/api/v1/diagnose", "application/gzip", "not gzip")
            .await,
        400,
        "bad-encoding",
    )
    .await;
    problem(
        s.post(
            "/api/v1/diagnose",
            "text/plain",
            vec![0x1f, 0x8b, 8, 0, 1, 2, 3],
        )
        .await,
        400,
        "bad-encoding",
    )
    .await;
    problem(
        s.post("/api/v1/diagnose", "application/zip", "PK\u{3}\u{4}broken")
            .await,
        400,
        "bad-encoding",
    )
    .await;
    problem(
        s.post("/api/v1/diagnose", "application/zip", LOG).await,
        400,
        "bad-encoding",
    )
    .await;
    let r = s.post_encoded("gzip", LOG).await;
    problem(r, 400, "bad-encoding").await;
    let v = problem(
        s.post("/api/v1/diagnose?lang=fr", "text/plain", LOG).await,
        400,
        "unknown-language",
    )
    .await;
    assert_eq!(v["languages"][1], "zh");
    problem(
        s.post(
            "/api/v1/diagnose",
            "application/json",
            r#"{"log": "x", "lang": "xx"}"#,
        )
        .await,
        400,
        "unknown-language",
    )
    .await;
    problem(
        s.post("/api/v1/diagnose?top=500", "text/plain", LOG).await,
        400,
        "invalid-parameter",
    )
    .await;
    problem(
        s.post("/api/v1/diagnose?top=-1", "text/plain", LOG).await,
        400,
        "invalid-parameter",
    )
    .await;
    problem(
        s.get("/api/v1/errors?page=0").await,
        400,
        "invalid-parameter",
    )
    .await;
    problem(
        s.get("/api/v1/errors?per_page=x").await,
        400,
        "invalid-parameter",
    )
    .await;
    problem(s.get("/api/v1/search").await, 400, "invalid-parameter").await;
    problem(
        s.get("/api/v1/search?q=x&limit=0").await,
        400,
        "invalid-parameter",
    )
    .await;
    problem(
        s.get(&format!("/api/v1/errors/{WIDGET}?lang=klingon"))
            .await,
        400,
        "unknown-language",
    )
    .await;
    // 404: unknown ids (looked up, never used as paths), routes, languages.
    let v = problem(s.get("/api/v1/errors/demo/nope").await, 404, "not-found").await;
    assert_eq!(v["id"], "demo/nope");
    problem(
        s.get("/api/v1/errors/../../etc/passwd").await,
        404,
        "not-found",
    )
    .await;
    problem(
        s.get("/api/v1/errors/%2e%2e%2fCargo.toml").await,
        404,
        "not-found",
    )
    .await;
    problem(s.get("/errors/demo/nope.md").await, 404, "not-found").await;
    problem(
        s.get(&format!("/errors/{WIDGET}.html")).await,
        404,
        "not-found",
    )
    .await;
    problem(
        s.get(&format!("/fr/errors/{WIDGET}/")).await,
        404,
        "not-found",
    )
    .await;
    problem(s.get("/en/errors/demo/nope/").await, 404, "not-found").await;
    problem(s.get("/no/such/route").await, 404, "not-found").await;
    // 405 with Allow.
    let r = s.client.delete(s.url("/healthz")).send().await.unwrap();
    assert_eq!(r.headers()["allow"], "GET,HEAD");
    problem(r, 405, "method-not-allowed").await;
    problem(s.get("/api/v1/diagnose").await, 405, "method-not-allowed").await;
    // 413: over the limit as sent (declared length, or streamed without one).
    let big = "x".repeat((1 << 20) + 1);
    let r = s.post("/api/v1/diagnose", "text/plain", big.clone()).await;
    assert_eq!(r.headers()["connection"], "close");
    let v = problem(r, 413, "body-too-large").await;
    assert_eq!(v["limit_bytes"], 1 << 20);
    let (tx, body) = streamed();
    let pending = tokio::spawn({
        let request = s.client.post(s.url("/api/v1/diagnose")).body(body);
        async move { request.send().await }
    });
    for chunk in big.as_bytes().chunks(256 << 10) {
        if tx.send(chunk.to_vec()).await.is_err() {
            break;
        }
    }
    drop(tx);
    problem(pending.await.unwrap().unwrap(), 413, "body-too-large").await;
    // 415: type, charset, content coding.
    problem(
        s.post("/api/v1/diagnose", "image/png", LOG).await,
        415,
        "unsupported-media-type",
    )
    .await;
    problem(
        s.post("/api/v1/diagnose", "application/x-www-form-urlencoded", LOG)
            .await,
        415,
        "unsupported-media-type",
    )
    .await;
    problem(
        s.post("/api/v1/diagnose", "text/plain; charset=utf-16", LOG)
            .await,
        415,
        "unsupported-media-type",
    )
    .await;
    let r = s.post_encoded("br", LOG).await;
    problem(r, 415, "unsupported-media-type").await;
    // 422: empty in every form.
    problem(
        s.post("/api/v1/diagnose", "text/plain", "").await,
        422,
        "empty-log",
    )
    .await;
    problem(
        s.post("/api/v1/diagnose", "text/plain", " \n\r\n\t").await,
        422,
        "empty-log",
    )
    .await;
    problem(
        s.post("/api/v1/diagnose", "application/json", r#"{"log": ""}"#)
            .await,
        422,
        "empty-log",
    )
    .await;
    problem(
        s.post("/api/v1/diagnose", "application/gzip", gzip(b""))
            .await,
        422,
        "empty-log",
    )
    .await;
    let empty_zip = zip_archive(&[("1_x.txt", b"")], zip::CompressionMethod::Stored);
    problem(
        s.post("/api/v1/diagnose", "application/zip", empty_zip)
            .await,
        422,
        "empty-log",
    )
    .await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gzip_and_zip_bombs_are_refused_after_decompression() {
    let s = Server::start(|_| {}).await;
    assert_eq!(s.app.config.max_body, 32 << 20);
    // 40 MB of zeros: 40 KB as gzip, under the limit as sent, over it decompressed.
    let zeros = vec![0u8; 40 << 20];
    let bomb = gzip(&zeros);
    assert!(bomb.len() < 1 << 20);
    for (content_type, encoding) in [("application/gzip", None), ("text/plain", Some("gzip"))] {
        let mut request = s
            .client
            .post(s.url("/api/v1/diagnose"))
            .header("content-type", content_type);
        if let Some(e) = encoding {
            request = request.header("content-encoding", e);
        }
        let v = problem(
            request.body(bomb.clone()).send().await.unwrap(),
            413,
            "body-too-large",
        )
        .await;
        assert!(
            v["detail"].as_str().unwrap().contains("decompressed"),
            "{v}"
        );
    }
    // Gzip inside gzip inside gzip.
    let nested = gzip(&gzip(&bomb));
    problem(
        s.post("/api/v1/diagnose", "application/gzip", nested).await,
        413,
        "body-too-large",
    )
    .await;
    // A zip archive whose files add up to more than the limit.
    let zip = zip_archive(
        &[
            ("job/1_a.txt", &zeros[..20 << 20]),
            ("job/2_b.txt", &zeros[..20 << 20]),
        ],
        zip::CompressionMethod::Deflated,
    );
    assert!(zip.len() < 1 << 20);
    problem(
        s.post("/api/v1/diagnose", "application/zip", zip).await,
        413,
        "body-too-large",
    )
    .await;
    // The server is fine afterwards.
    assert_eq!(
        s.post("/api/v1/diagnose", "text/plain", LOG).await.status(),
        200
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnoses_a_30_mb_log() {
    let s = Server::start(|_| {}).await;
    let filler = "2024-01-20T10:00:00.1234567Z   added 1 package, audited 1042 packages in 3s; 0 vulnerabilities found\n";
    let mut log = String::with_capacity(31 << 20);
    log.push_str("2024-01-20T10:00:00.1234567Z ##[group]Run widget build\n");
    while log.len() < 30 << 20 {
        log.push_str(filler);
    }
    log.push_str("2024-01-20T10:00:01.1234567Z widget: unknown gear \"sprocket\"\n");
    log.push_str("2024-01-20T10:00:01.1234567Z ##[error]fatal: widget exploded (code 42)\n");
    let lines = log.lines().count() as u64;
    let r = s.post("/api/v1/diagnose", "text/plain", log).await;
    assert_eq!(r.status(), 200);
    let v = json(r).await;
    assert_eq!(first_id(&v), WIDGET);
    assert_eq!(v["lines"], lines);
    let evidence = v["diagnoses"][0]["evidence"].as_array().unwrap();
    assert!(evidence.iter().any(|e| e["line"] == lines), "{evidence:?}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_utf8_is_read_lossily() {
    let s = Server::start(|_| {}).await;
    let mut log = b"\xff\xfe binary \xc3\x28 junk\n".to_vec();
    log.extend_from_slice(LOG.as_bytes());
    log.extend_from_slice(b"##[error]fatal: widget exploded (code 42) \xf0\x28\x8c\x28\n");
    for content_type in ["text/plain", "application/octet-stream"] {
        let r = s.post("/api/v1/diagnose", content_type, log.clone()).await;
        assert_eq!(r.status(), 200);
        let v = json(r).await;
        assert_eq!(first_id(&v), WIDGET);
        let texts: Vec<&str> = v["error_lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|l| l["text"].as_str())
            .collect();
        assert!(texts.iter().any(|t| t.contains('\u{fffd}')), "{texts:?}");
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_log_text_comes_back_escaped_and_unevaluated() {
    let s = Server::start(|_| {}).await;
    let gear = "</script><script>alert(1)</script>{{ 7*7 }}{% if x %}${{ secrets.TOKEN }}";
    let log = format!(
        "widget: unknown gear \"{gear}\"\n##[error]fatal: widget exploded (code 42) </script><script>alert('x')</script> {{{{ 7*7 }}}} {{% raw %}}\n"
    );
    let r = s.post("/api/v1/diagnose", "text/plain", log.clone()).await;
    assert_eq!(r.status(), 200);
    let raw = r.text().await.unwrap();
    assert!(
        !raw.contains("<script") && !raw.contains("</script"),
        "{raw}"
    );
    assert!(!raw.contains('<') && !raw.contains('>'), "{raw}");
    let v: Value = serde_json::from_str(&raw).unwrap();
    let d = &v["diagnoses"][0];
    assert_eq!(d["id"], WIDGET);
    assert_eq!(d["captures"]["gear"], gear);
    assert_eq!(
        d["fixes"][0]["action"],
        format!("Remove gear {gear} from widget.toml")
    );
    let evidence: Vec<&str> = d["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert!(
        evidence.contains(&"fatal: widget exploded (code 42) </script><script>alert('x')</script> {{ 7*7 }} {% raw %}"),
        "{evidence:?}"
    );
    assert!(!raw.contains("49"));
    // The same log as JSON in, the same text out.
    let body = serde_json::to_vec(&serde_json::json!({ "log": log })).unwrap();
    let v = json(s.post("/api/v1/diagnose", "application/json", body).await).await;
    assert_eq!(v["diagnoses"][0]["captures"]["gear"], gear);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entry_page_escapes_and_sanitizes_hostile_catalog_text() {
    let s = Server::start(|_| {}).await;
    let r = s.get("/en/errors/demo/hostile-page/").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let html = r.text().await.unwrap();
    for bad in [
        "<script",
        "</script",
        "<iframe",
        "<marquee",
        "<i>here",
        "<b>tag",
        "onerror=\"",
        "onerror=alert(2)>",
        "onclick",
        "javascript:",
    ] {
        assert!(!html.contains(bad), "{bad} in page:\n{html}");
    }
    // Plain text is escaped, not dropped; template syntax is shown, not evaluated.
    assert!(
        html.contains("Gadget &#60;script&#62;") || html.contains("Gadget &lt;script&gt;"),
        "{html}"
    );
    assert!(html.contains("{{ 7*7 }}"));
    assert!(html.contains("${{ secrets.TOKEN }}"));
    assert!(html.contains("{% if true %}"));
    assert!(!html.contains(">49<"));
    // Markdown bodies are rendered (code block kept) and sanitized.
    assert!(html.contains("<pre><code"), "{html}");
    assert!(html.contains("Body with {{ 7*7 }}"));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entry_json_is_localized_with_per_field_fallback() {
    let s = Server::start(|_| {}).await;
    let v = json(s.get(&format!("/api/v1/errors/{WIDGET}?lang=zh")).await).await;
    assert_eq!(v["id"], WIDGET);
    assert_eq!(v["lang"], "zh");
    assert_eq!(v["title"], "Widget 工具：widget 爆炸");
    assert_eq!(v["fixes"][0]["action"], "从 widget.toml 删除齿轮 {gear}");
    assert_eq!(v["dead_ends"][0]["action"], "Re-run the job");
    let fallback: BTreeSet<&str> = v["fallback_fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(fallback.contains("fixes.remove-gear.how"), "{fallback:?}");
    assert!(fallback.contains("dead_ends.rerun.action"), "{fallback:?}");
    assert!(!fallback.contains("title"));
    assert_eq!(v["languages"], serde_json::json!(["en", "zh"]));
    assert!(v["patterns"][0]["regex"].is_string());
    assert!(v["examples"][0]["log"].is_string());
    assert_eq!(v["url"], format!("/zh/errors/{WIDGET}/"));
    assert_eq!(v["md_url"], format!("/errors/{WIDGET}.md?lang=zh"));

    // Accept-Language, and `?lang=` winning over it.
    let r = s
        .client
        .get(s.url(&format!("/api/v1/errors/{WIDGET}")))
        .header("accept-language", "zh-TW, en;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["vary"], "accept-language");
    assert_eq!(json(r).await["lang"], "zh");
    let r = s
        .client
        .get(s.url(&format!("/api/v1/errors/{WIDGET}?lang=en")))
        .header("accept-language", "zh")
        .send()
        .await
        .unwrap();
    let v = json(r).await;
    assert_eq!(v["lang"], "en");
    assert_eq!(v["fallback_fields"], serde_json::json!([]));

    // No translation at all: English, and every text field listed.
    let v = json(s.get("/api/v1/errors/demo/hostile-page?lang=de").await).await;
    assert_eq!(v["lang"], "en");
    let fallback = v["fallback_fields"].as_array().unwrap();
    assert!(fallback.iter().any(|f| f == "title") && fallback.iter().any(|f| f == "root_cause"));

    // /errors/{id}.json is the same document.
    let same = json(s.get(&format!("/errors/{WIDGET}.json?lang=zh")).await).await;
    let api = json(s.get(&format!("/api/v1/errors/{WIDGET}?lang=zh")).await).await;
    assert_eq!(same, api);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markdown_and_html_show_the_same_content() {
    let s = Server::start(|_| {}).await;
    for lang in ["en", "zh"] {
        let r = s.get(&format!("/errors/{WIDGET}.md?lang={lang}")).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "text/markdown; charset=utf-8");
        let md = r.text().await.unwrap();
        let html = s
            .get(&format!("/{lang}/errors/{WIDGET}/"))
            .await
            .text()
            .await
            .unwrap();
        let expected: &[&str] = if lang == "en" {
            &[
                "Widget tool: the widget exploded",
                "fatal: widget exploded (code 42)",
                "The widget tool refuses to run when its config names an unknown gear.",
                "Remove gear {gear} from widget.toml",
                "90%",
                "Re-run the job",
                "100%",
                "The config is read the same way every time.",
                "Widget docs",
                "https://example.com/widget/docs",
                "2.x",
                "2024-06-01",
                "https://example.com/widget/issues/1",
                "Root cause",
                "Dead ends",
                "Provenance",
            ]
        } else {
            &[
                "Widget 工具：widget 爆炸",
                "配置中出现未知齿轮时 widget 工具拒绝运行。",
                "从 widget.toml 删除齿轮 {gear}",
                "每次读取配置的方式都一样。",
                "根本原因",
                "修复方法",
                "尚未翻译，以英文显示",
            ]
        };
        for text in expected {
            assert!(md.contains(text), "{lang} md lacks {text}:\n{md}");
            assert!(html.contains(text), "{lang} html lacks {text}:\n{html}");
        }
    }
    // The page without its final slash redirects to it.
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .get(s.url(&format!("/zh/errors/{WIDGET}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(r.headers()["location"], format!("/zh/errors/{WIDGET}/"));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_filters_and_pages() {
    let s = Server::start_with(&["catalog"], |_| {}).await;
    let all = json(s.get("/api/v1/errors?per_page=500").await).await;
    let total = all["total"].as_u64().unwrap();
    assert_eq!(total as usize, s.app.catalog.len());
    assert_eq!(all["items"].as_array().unwrap().len() as u64, total);
    let p1 = json(s.get("/api/v1/errors?per_page=5").await).await;
    let p2 = json(s.get("/api/v1/errors?per_page=5&page=2").await).await;
    assert_eq!(p1["pages"], total.div_ceil(5));
    assert_eq!(p2["items"][0]["id"], all["items"][5]["id"]);
    let far = json(s.get("/api/v1/errors?page=1000").await).await;
    assert_eq!(far["items"], serde_json::json!([]));

    let aws = json(s.get("/api/v1/errors?domain=aws&per_page=500").await).await;
    assert!(aws["total"].as_u64().unwrap() > 0);
    assert!(
        aws["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["domain"] == "aws")
    );
    let cat = json(
        s.get("/api/v1/errors?category=auth_error&per_page=500")
            .await,
    )
    .await;
    assert!(
        cat["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["category"] == "auth_error")
    );
    let tag = json(s.get("/api/v1/errors?tag=oidc&per_page=500").await).await;
    assert!(tag["total"].as_u64().unwrap() > 0);
    assert!(
        tag["items"].as_array().unwrap().iter().all(|i| i["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "oidc"))
    );
    let ko = json(s.get("/api/v1/errors?lang=ko&per_page=500").await).await;
    let n = ko["total"].as_u64().unwrap();
    assert!(n > 0 && n < total, "{n} of {total}");
    assert!(
        ko["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["languages"].as_array().unwrap().iter().any(|l| l == "ko"))
    );
    assert!(
        ko["items"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("/ko/errors/")
    );
    let none = json(s.get("/api/v1/errors?domain=aws&tag=no-such-tag").await).await;
    assert_eq!(none["total"], 0);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_stats_llms_and_ndjson() {
    let s = Server::start_with(&["catalog"], |_| {}).await;
    let v = json(s.get("/api/v1/search?q=OIDC%20token%20403&limit=3").await).await;
    let hits = v["hits"].as_array().unwrap();
    assert!(!hits.is_empty() && hits.len() <= 3);
    assert_eq!(
        hits[0]["id"],
        "policy/github-actions-oidc-token-permission-denied"
    );
    assert!(hits[0]["snippet_html"].as_str().unwrap().contains("<b>"));
    assert!(hits[0]["url"].as_str().unwrap().starts_with("/en/errors/"));
    let zh = json(s.get("/api/v1/search?q=%E4%BB%A4%E7%89%8C&lang=zh").await).await;
    assert_eq!(zh["lang"], "zh");
    assert!(
        zh["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["lang"] == "zh")
    );
    assert!(!zh["hits"].as_array().unwrap().is_empty());
    // Query syntax errors are searched as words, never a 500.
    assert_eq!(
        s.get("/api/v1/search?q=%22unbalanced%20(AND")
            .await
            .status(),
        200
    );

    let stats = json(s.get("/api/v1/stats").await).await;
    let n = s.app.catalog.len() as u64;
    assert_eq!(stats["entries"], n);
    assert_eq!(stats["by_language"]["en"], n);
    let sum: u64 = stats["by_domain"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(Value::as_u64)
        .sum();
    assert_eq!(sum, n);
    assert!(stats["by_language"]["zh"].as_u64().unwrap() > 0);
    assert!(stats["by_category"]["auth_error"].as_u64().unwrap() > 0);

    let r = s.get("/llms.txt").await;
    assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
    let llms = r.text().await.unwrap();
    assert!(llms.starts_with("# logdoc\n\n> "));
    for e in s.app.catalog.entries() {
        assert!(
            llms.contains(&format!("(/errors/{}.md)", e.meta.id)),
            "{}",
            e.meta.id
        );
    }

    let r = s.get("/api/v1/errors.ndjson?lang=de").await;
    assert_eq!(r.headers()["content-type"], "application/x-ndjson");
    let text = r.text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, n);
    let ids: Vec<&str> = lines.iter().filter_map(|l| l["id"].as_str()).collect();
    let catalog_ids: Vec<&str> = s
        .app
        .catalog
        .entries()
        .iter()
        .map(|e| e.meta.id.as_str())
        .collect();
    assert_eq!(ids, catalog_ids);
    assert!(lines.iter().any(|l| l["lang"] == "de"));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_metrics_and_compression() {
    let s = Server::start(|_| {}).await;
    let v = json(s.get("/healthz").await).await;
    assert_eq!(v["status"], "ok");
    assert_eq!(
        s.post("/api/v1/diagnose", "text/plain", LOG).await.status(),
        200
    );
    assert_eq!(
        s.post("/api/v1/diagnose", "text/plain", "all good\n")
            .await
            .status(),
        200
    );
    problem(s.get("/api/v1/errors/demo/nope").await, 404, "not-found").await;
    let r = s.get("/metrics").await;
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = r.text().await.unwrap();
    for expected in [
        "logdoc_http_requests_total{route=\"/api/v1/diagnose\",method=\"POST\",status=\"200\"} 2",
        "logdoc_http_requests_total{route=\"/api/v1/errors/{*id}\",method=\"GET\",status=\"404\"} 1",
        "logdoc_http_request_duration_seconds_count{route=\"/api/v1/diagnose\",method=\"POST\"} 2",
        "logdoc_diagnoses_total{entry=\"demo/widget-exploded\"} 1",
        "logdoc_logs_diagnosed_total 2",
        "logdoc_abstentions_total 1",
        "logdoc_diagnose_requests_in_flight 0",
        "logdoc_catalog_entries 2",
    ] {
        assert!(text.contains(expected), "{expected} missing:\n{text}");
    }
    // Responses are compressed for clients that ask.
    let r = s
        .client
        .get(s.url("/api/v1/errors.ndjson"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let bytes = r.bytes().await.unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
        .unwrap();
    assert_eq!(text.lines().count(), 2);
    let r = s.get("/api/v1/errors.ndjson").await;
    assert!(r.headers().get("content-encoding").is_none());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_all_answer() {
    let s = Arc::new(Server::start(|c| c.max_diagnoses = 2).await);
    let mut tasks = Vec::new();
    for i in 0..96 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            match i % 3 {
                0 | 1 => {
                    let v = json(s.post("/api/v1/diagnose", "text/plain", LOG).await).await;
                    assert_eq!(first_id(&v), WIDGET);
                }
                _ => {
                    let r = s.get(&format!("/api/v1/errors/{WIDGET}")).await;
                    assert_eq!(r.status(), 200);
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(s.metric("logdoc_logs_diagnosed_total").await, 64.0);
    assert_eq!(s.metric("logdoc_diagnose_requests_in_flight").await, 0.0);
    Arc::into_inner(s).unwrap().stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_diagnoses_get_429() {
    let s = Server::start(|c| {
        c.max_diagnoses = 1;
        c.diagnose_queue = 0;
    })
    .await;
    let (tx, body) = streamed();
    let slow = tokio::spawn({
        let request = s
            .client
            .post(s.url("/api/v1/diagnose"))
            .header("content-type", "text/plain")
            .body(body);
        async move { request.send().await.unwrap() }
    });
    tx.send(LOG.as_bytes()[..40].to_vec()).await.unwrap();
    s.wait_in_flight(1.0).await;
    let r = s.post("/api/v1/diagnose", "text/plain", LOG).await;
    assert_eq!(r.headers()["retry-after"], "1");
    problem(r, 429, "too-many-requests").await;
    assert_eq!(s.metric("logdoc_diagnoses_refused_total").await, 1.0);
    // Other routes are not limited.
    assert_eq!(s.get("/healthz").await.status(), 200);
    tx.send(LOG.as_bytes()[40..].to_vec()).await.unwrap();
    drop(tx);
    let v = json(slow.await.unwrap()).await;
    assert_eq!(first_id(&v), WIDGET);
    assert_eq!(
        s.post("/api/v1/diagnose", "text/plain", LOG).await.status(),
        200
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_requests_time_out_with_503() {
    let s = Server::start(|c| c.request_timeout = Duration::from_millis(300)).await;
    let (tx, body) = streamed();
    let pending = tokio::spawn({
        let request = s
            .client
            .post(s.url("/api/v1/diagnose"))
            .header("content-type", "text/plain")
            .body(body);
        async move { request.send().await.unwrap() }
    });
    tx.send(b"widget: unknown gear".to_vec()).await.unwrap();
    let r = pending.await.unwrap();
    assert_eq!(r.headers()["retry-after"], "1");
    problem(r, 503, "timeout").await;
    drop(tx);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_request_heads_get_431() {
    let s = Server::start(|c| c.max_header_bytes = 16 << 10).await;
    let r = s
        .client
        .get(s.url("/healthz"))
        .header("x-big", "a".repeat(32 << 10))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    let r = s
        .client
        .get(s.url("/healthz"))
        .header("x-ok", "a".repeat(4 << 10))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut request = s.client.get(s.url("/healthz"));
    for i in 0..150 {
        request = request.header(format!("x-h{i}"), "1");
    }
    assert_eq!(
        request.send().await.unwrap().status(),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_in_flight_requests_and_refuses_new_ones() {
    let mut s = Server::start(|c| c.shutdown_delay = Duration::from_secs(3)).await;
    let (tx, body) = streamed();
    let in_flight = tokio::spawn({
        let request = s
            .client
            .post(s.url("/api/v1/diagnose"))
            .header("content-type", "text/plain")
            .body(body);
        async move { request.send().await.unwrap() }
    });
    tx.send(LOG.as_bytes()[..100].to_vec()).await.unwrap();
    s.wait_in_flight(1.0).await;
    let _ = s.stop.take().unwrap().send(());
    // New requests (new connections, while the port stays open) get 503.
    let fresh = Client::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = fresh.get(s.url("/healthz")).send().await.unwrap();
        if r.status() == 503 {
            assert_eq!(r.headers()["connection"], "close");
            problem(r, 503, "shutting-down").await;
            break;
        }
        assert!(Instant::now() < deadline, "never refused");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    problem(
        fresh
            .post(s.url("/api/v1/diagnose"))
            .body(LOG)
            .send()
            .await
            .unwrap(),
        503,
        "shutting-down",
    )
    .await;
    // The request in flight completes.
    tx.send(LOG.as_bytes()[100..].to_vec()).await.unwrap();
    drop(tx);
    let r = in_flight.await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(first_id(&json(r).await), WIDGET);
    // Then the server stops and the port closes.
    let healthz = s.url("/healthz");
    tokio::time::timeout(Duration::from_secs(30), s.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(fresh.get(healthz).send().await.is_err());
}

/// Resolves a `$ref` of the document.
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v["$ref"].as_str() {
        Some(r) => {
            let mut at = doc;
            for part in r.trim_start_matches("#/").split('/') {
                at = &at[part];
            }
            resolve(doc, at)
        }
        None => v,
    }
}

/// Checks `value` against the parts of `schema` the document uses: type, required
/// properties, properties and array items (recursively).
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str) {
    let schema = resolve(doc, schema);
    if let Some(t) = schema["type"].as_str() {
        let ok = match t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_u64() || value.is_i64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            _ => true,
        };
        assert!(ok, "{at}: expected {t}, got {value}");
    }
    for required in schema["required"].as_array().into_iter().flatten() {
        let key = required.as_str().unwrap();
        assert!(
            value.get(key).is_some(),
            "{at}: missing required `{key}` in {value}"
        );
    }
    if let (Some(props), Some(object)) = (schema["properties"].as_object(), value.as_object()) {
        for (key, sub) in props {
            if let Some(v) = object.get(key) {
                conforms(doc, sub, v, &format!("{at}.{key}"));
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, v) in array.iter().enumerate() {
            conforms(doc, items, v, &format!("{at}[{i}]"));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_describes_every_route_truly() {
    let s = Server::start(|_| {}).await;
    let r = s.get("/openapi.json").await;
    assert_eq!(r.status(), 200);
    let doc = json(r).await;
    assert_eq!(doc["openapi"], "3.1.0");

    // The router's table and the document name the same operations.
    let routed: BTreeSet<(String, String)> = server::routes()
        .iter()
        .flat_map(|r| {
            r.documented
                .iter()
                .map(move |p| (r.method.as_str().to_lowercase(), p.to_string()))
        })
        .collect();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(p, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.clone(), p.clone()))
        })
        .collect();
    assert_eq!(routed, documented);
    // Every route's path pattern serves its documented paths (with the braces filled).
    for r in server::routes() {
        for p in r.documented {
            let prefix = p.split('{').next().unwrap();
            assert!(
                r.path.starts_with(prefix.trim_end_matches('/')) || r.path.starts_with("/{"),
                "{} does not serve {p}",
                r.path
            );
        }
    }

    // Each operation, called for real, answers a documented status with a documented
    // content type, and its JSON fits the documented schema.
    let fill = |p: &str| p.replace("{id}", WIDGET).replace("{lang}", "zh");
    let mut called = 0;
    for (method, p) in &documented {
        let op = &doc["paths"][p][method];
        let mut cases: Vec<(reqwest::RequestBuilder, &str)> = Vec::new();
        let url = s.url(&fill(p));
        match (method.as_str(), p.as_str()) {
            ("post", "/api/v1/diagnose") => {
                cases.push((
                    s.client
                        .post(&url)
                        .header("content-type", "text/plain")
                        .body(LOG),
                    "200",
                ));
                cases.push((
                    s.client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body("{"),
                    "400",
                ));
                cases.push((
                    s.client
                        .post(&url)
                        .header("content-type", "image/png")
                        .body("x"),
                    "415",
                ));
                cases.push((
                    s.client
                        .post(&url)
                        .header("content-type", "text/plain")
                        .body(""),
                    "422",
                ));
            }
            ("get", "/api/v1/search") => {
                cases.push((s.client.get(format!("{url}?q=widget")), "200"));
                cases.push((s.client.get(&url), "400"));
            }
            ("get", path) if path.contains("{id}") => {
                cases.push((s.client.get(&url), "200"));
                cases.push((
                    s.client
                        .get(s.url(&p.replace("{id}", "demo/nope").replace("{lang}", "en"))),
                    "404",
                ));
            }
            _ => cases.push((s.client.get(&url), "200")),
        }
        for (request, expected) in cases {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16().to_string();
            assert_eq!(status, expected, "{method} {p}");
            let documented = resolve(&doc, &op["responses"][&status]);
            assert!(
                documented.is_object(),
                "{method} {p}: {status} is not documented"
            );
            let content_type = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_string();
            let essence = content_type.split(';').next().unwrap().trim().to_string();
            let content = &documented["content"];
            assert!(
                content.get(&essence).is_some(),
                "{method} {p} {status}: {essence} not among {content}"
            );
            if essence == "application/json" || essence.ends_with("+json") {
                let v = json(response).await;
                conforms(
                    &doc,
                    &content[&essence]["schema"],
                    &v,
                    &format!("{method} {p} {status}"),
                );
            }
            called += 1;
        }
    }
    assert!(called >= documented.len());
    s.stop().await;
}

#[tokio::test]
async fn the_router_works_without_a_socket() {
    use tower::ServiceExt;
    let loaded = logdoc::catalog::load(&[path(GOOD)]);
    let app = Arc::new(App::new(loaded.catalog, Config::default()).unwrap());
    let response = server::app(app)
        .oneshot(
            axum::http::Request::post("/api/v1/diagnose")
                .header("content-type", "text/plain")
                .body(axum::body::Body::from(LOG))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(first_id(&v), WIDGET);
}

/// The binary: SIGTERM while a request is in flight; JSON request logs that never
/// hold the log body.
#[test]
fn sigterm_drains_and_logs_never_hold_the_body() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_logdoc"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--catalog",
            GOOD,
            "--log-format",
            "json",
            "--shutdown-delay",
            "1s",
            "--database",
            "postgres://u:hunter2@db/logdoc",
        ])
        .env("LOGDOC_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut log = String::new();
    let addr = loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "server exited:\n{log}"
        );
        log.push_str(&line);
        if let Some(rest) = line.split("listening on http://").nth(1) {
            let addr: String = rest
                .chars()
                .take_while(|c| !matches!(c, '"' | ' ' | '\n'))
                .collect();
            break addr.parse::<SocketAddr>().unwrap();
        }
    };
    let collector = std::thread::spawn(move || {
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
        rest
    });

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let secret = "SECRET-LOG-BODY-MARKER-6d1f";
    let body_text = format!("{secret}\n{LOG}");
    let (status, report) = runtime.block_on(async {
        let client = Client::new();
        let url = |p: &str| format!("http://{addr}{p}");
        let (tx, body) = streamed();
        let in_flight = tokio::spawn(
            client
                .post(url("/api/v1/diagnose?file=job.log"))
                .header("content-type", "text/plain")
                .body(body)
                .send(),
        );
        tx.send(body_text.as_bytes()[..60].to_vec()).await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = client
                .get(url("/metrics"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if text.contains("logdoc_diagnose_requests_in_flight 1") {
                break;
            }
            assert!(Instant::now() < deadline);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let killed = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        loop {
            let r = client.get(url("/healthz")).send().await.unwrap();
            if r.status() == 503 {
                break;
            }
            assert!(Instant::now() < deadline);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tx.send(body_text.as_bytes()[60..].to_vec()).await.unwrap();
        drop(tx);
        let r = in_flight.await.unwrap().unwrap();
        (r.status(), r.text().await.unwrap())
    });
    assert_eq!(status, 200, "{report}");
    let v: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(first_id(&v), WIDGET);
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    log.push_str(&collector.join().unwrap());

    assert!(
        !log.contains(secret),
        "the log body leaked into the server log:\n{log}"
    );
    assert!(!log.contains("hunter2"), "a password leaked:\n{log}");
    let events: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let answered: Vec<&Value> = events
        .iter()
        .filter(|e| e["target"] == "logdoc::request")
        .collect();
    let diagnose = answered
        .iter()
        .find(|e| e["path"] == "/api/v1/diagnose")
        .unwrap_or_else(|| panic!("no request event:\n{log}"));
    assert_eq!(diagnose["status"], 200);
    assert!(diagnose["latency_ms"].as_f64().unwrap() > 0.0);
    assert!(answered.iter().any(|e| e["status"] == 503));
    assert!(
        events
            .iter()
            .any(|e| e["message"].as_str().is_some_and(|m| m.contains("SIGTERM")))
    );
    assert!(events.iter().any(|e| {
        e["message"]
            .as_str()
            .is_some_and(|m| m.contains("--database"))
    }));
}
