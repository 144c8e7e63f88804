//! Matcher benchmarks (criterion): a 5,000-line GitHub Actions log against the bundled
//! catalog and against the bundled catalog plus the imported deadends.dev catalog
//! (~2,000 entries, imported into a temporary directory from ../shared/data/deadends
//! when present); throughput on a ~100 MB log; and the same patterns run naively (every
//! regex over every line) to measure what the literal prefilter buys.
//!
//! Three kinds of log. "dense": real CI output only, the golden logs under tests/golden
//! and, when present, the development set in ../shared/eval/dev, repeated with GitHub
//! timestamps; these are excerpts around failures, so about one line in eight is
//! error-like: a worst case. "job": a whole job as GitHub shows it, written by
//! benches/make_log.py (runner set-up, a long build and test run with ANSI colours and
//! warnings, then the failure): mostly passing output, as real failed jobs are.
//! "real": the seven whole GitHub Actions job logs in benches/logs (sources in
//! benches/logs/SOURCES.md), their lines in file-name order, repeated, kept as they are.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logdoc::catalog::{self, Catalog, validate};
use logdoc::matcher::{Matcher, Options};
use std::hint::black_box;
use std::path::Path;

/// The lines of every `*.log` in `dir`, in file-name order; none when `dir` is missing.
fn log_lines(dir: &str) -> Vec<String> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = read
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    paths.sort();
    paths
        .iter()
        .flat_map(|path| {
            let bytes = std::fs::read(path).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            text.lines().map(str::to_string).collect::<Vec<_>>()
        })
        .collect()
}

/// Real failure excerpts to build the dense logs from.
fn corpus() -> Vec<String> {
    let mut lines = log_lines("tests/golden");
    lines.extend(log_lines("../shared/eval/dev/cases"));
    assert!(!lines.is_empty(), "no log corpus found (tests/golden)");
    lines
}

/// A GitHub-Actions-shaped log of about `bytes` bytes (or `max_lines` lines).
fn log_of(corpus: &[String], bytes: usize, max_lines: usize) -> String {
    let mut out = String::with_capacity(bytes + 1024);
    let mut n = 0;
    while out.len() < bytes && n < max_lines {
        let line = &corpus[n % corpus.len()];
        out.push_str(&format!(
            "2024-01-20T10:{:02}:{:02}.{:07}Z {line}\n",
            (n / 60) % 60,
            n % 60,
            n
        ));
        n += 1;
    }
    out
}

/// A job-shaped log of about `bytes` bytes from benches/make_log.py, if python3 runs.
fn job_log(bytes: usize) -> Option<String> {
    let out = tempfile::NamedTempFile::new().ok()?;
    let status = std::process::Command::new("python3")
        .arg("benches/make_log.py")
        .arg(bytes.to_string())
        .arg(out.path())
        .status();
    if !status.is_ok_and(|s| s.success()) {
        eprintln!("skipping job-shaped logs: python3 benches/make_log.py did not run");
        return None;
    }
    std::fs::read_to_string(out.path()).ok()
}

/// The whole job logs' `lines` (benches/logs), repeated to about `bytes` bytes (or
/// `max_lines` lines).
fn real_log(lines: &[String], bytes: usize, max_lines: usize) -> String {
    let mut out = String::with_capacity(bytes + 1024);
    for line in lines.iter().cycle().take(max_lines) {
        if out.len() >= bytes {
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn bundled() -> Catalog {
    catalog::load(&["catalog"]).catalog
}

/// The bundled catalog plus deadends.dev imported into a temporary directory.
fn with_deadends() -> Option<(Catalog, tempfile::TempDir)> {
    let src = Path::new("../shared/data/deadends");
    if !src.is_dir() {
        eprintln!("skipping 2,000-entry benchmarks: ../shared/data/deadends is absent");
        return None;
    }
    let out = tempfile::tempdir().ok()?;
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_logdoc"))
        .args(["import", "deadends"])
        .arg(src)
        .arg("--out")
        .arg(out.path())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    if status.code() == Some(2) {
        return None;
    }
    let catalog = catalog::load(&[Path::new("catalog"), out.path()]).catalog;
    Some((catalog, out))
}

fn diagnose(m: &Matcher, log: &str) -> usize {
    let report = m.diagnose(
        "bench",
        std::io::Cursor::new(log.as_bytes().to_vec()),
        &Options::default(),
    );
    report.map(|r| r.diagnoses.len()).unwrap_or(0)
}

fn benches(c: &mut Criterion) {
    let corpus = corpus();
    let real = log_lines("benches/logs");
    assert!(!real.is_empty(), "no job logs in benches/logs");
    let mut small = vec![
        ("dense", log_of(&corpus, 500_000, 5_000)),
        ("real", real_log(&real, usize::MAX, 5_000)),
    ];
    let mut big = vec![
        ("dense", log_of(&corpus, 100 << 20, usize::MAX)),
        ("real", real_log(&real, 100 << 20, usize::MAX)),
    ];
    if let (Some(job_small), Some(job_big)) = (job_log(500_000), job_log(100 << 20)) {
        small.push(("job", job_small));
        big.push(("job", job_big));
    }
    let slice = log_of(&corpus, 2 << 20, usize::MAX);

    let catalog = bundled();
    let large = with_deadends();
    let mut group = c.benchmark_group("diagnose_5000_lines");
    for (kind, log) in &small {
        group.throughput(Throughput::Bytes(log.len() as u64));
        let m = Matcher::new(&catalog);
        group.bench_function(format!("{kind}_bundled_{}_entries", catalog.len()), |b| {
            b.iter(|| diagnose(&m, black_box(log)))
        });
        if let Some((catalog, _dir)) = &large {
            let m = Matcher::new(catalog);
            group.bench_function(
                format!("{kind}_with_deadends_{}_entries", catalog.len()),
                |b| b.iter(|| diagnose(&m, black_box(log))),
            );
        }
    }
    group.finish();

    let (catalog, label) = match &large {
        Some((catalog, _)) => (catalog, "with_deadends"),
        None => (&catalog, "bundled"),
    };
    let m = Matcher::new(catalog);
    let mut group = c.benchmark_group("throughput");
    group.sample_size(10);
    for (kind, log) in &big {
        group.throughput(Throughput::Bytes(log.len() as u64));
        group.bench_function(format!("{kind}_prefiltered_100mb_{label}"), |b| {
            b.iter(|| diagnose(&m, black_box(log)))
        });
    }
    group.throughput(Throughput::Bytes(slice.len() as u64));
    group.bench_function(format!("dense_prefiltered_2mb_{label}"), |b| {
        b.iter(|| diagnose(&m, black_box(&slice)))
    });
    let regexes: Vec<regex::Regex> = catalog
        .entries()
        .iter()
        .flat_map(|e| e.meta.patterns.iter())
        .filter_map(|p| validate::compile(&p.regex).ok())
        .collect();
    group.bench_function(format!("dense_naive_every_regex_2mb_{label}"), |b| {
        b.iter(|| {
            let mut hits = 0usize;
            for line in black_box(&slice).lines() {
                hits += regexes.iter().filter(|r| r.is_match(line)).count();
            }
            hits
        })
    });
    group.finish();
}

criterion_group!(matcher, benches);
criterion_main!(matcher);
