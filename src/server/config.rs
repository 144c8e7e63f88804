//! Server configuration: read once at start (flags and `LOGDOC_*` variables in
//! `main.rs`), immutable afterwards. Every limit has a default fit for one small
//! machine; [`Config::default`] states them.

use std::net::SocketAddr;
use std::time::Duration;

/// Limits and addresses of one server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen. Default `127.0.0.1:8080`.
    pub addr: SocketAddr,
    /// Prefix of the `url` and `api_url` links in responses, e.g.
    /// `https://logdoc.example.org`; empty (the default) gives root-relative links.
    pub public_url: String,
    /// Largest request body in bytes, checked on the bytes received and again on the
    /// bytes after gzip or zip decompression. Default 32 MiB.
    pub max_body: usize,
    /// Longest time a request may take, body upload included. Default 30 s.
    pub request_timeout: Duration,
    /// Diagnoses running at once on the blocking pool. Default: the number of CPUs.
    pub max_diagnoses: usize,
    /// Diagnose requests admitted beyond the running ones (uploading their body or
    /// waiting for a slot); one more is refused with 429. Default 128.
    pub diagnose_queue: usize,
    /// Most bytes of a request head (request line and headers); a larger head gets 431.
    /// At least 8192. Default 64 KiB.
    pub max_header_bytes: usize,
    /// Most headers in a request. Default 100.
    pub max_headers: usize,
    /// Time a client has to send the request head. Default 10 s.
    pub header_timeout: Duration,
    /// After SIGTERM/SIGINT: how long to keep accepting connections, answering every
    /// new request with 503, so a load balancer notices. Default 0 s.
    pub shutdown_delay: Duration,
    /// After SIGTERM/SIGINT: longest wait for in-flight requests. Default 30 s.
    pub shutdown_timeout: Duration,
}

/// Smallest head buffer hyper accepts.
pub const MIN_HEADER_BYTES: usize = 8192;

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: String::new(),
            max_body: 32 << 20,
            request_timeout: Duration::from_secs(30),
            max_diagnoses: std::thread::available_parallelism().map_or(2, |n| n.get()),
            diagnose_queue: 128,
            max_header_bytes: 64 << 10,
            max_headers: 100,
            header_timeout: Duration::from_secs(10),
            shutdown_delay: Duration::ZERO,
            shutdown_timeout: Duration::from_secs(30),
        }
    }
}

/// Parses a byte size such as `32M`, `512k`, `1G` or `1048576` (powers of 1024).
pub fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let (number, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, ""),
    };
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        other => return Err(format!("unknown size unit `{other}` (use K, M or G)")),
    };
    let n: usize = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size such as 32M"))?;
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// Parses a duration in seconds (`30`, `1.5`) or with a unit (`500ms`, `2s`, `1m`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (number, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    let n: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as 30s or 500ms"))?;
    if !n.is_finite() || n < 0.0 {
        return Err(format!("`{text}` is not a duration such as 30s or 500ms"));
    }
    Duration::try_from_secs_f64(n * scale).map_err(|e| format!("`{text}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("32M"), Ok(32 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("3X").is_err());
        assert!(parse_size("").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert!(parse_duration("-1").is_err());
        assert!(parse_duration("soon").is_err());
    }
}
