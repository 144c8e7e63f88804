//! Counters behind `GET /metrics`, written in the Prometheus text format: requests
//! and latencies by route, method and status; diagnoses by entry; abstentions;
//! diagnoses in flight and refused.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Default)]
struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    /// Observations at most each bound of [`BUCKETS`] (not cumulative).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// The server's counters.
pub struct Metrics {
    started: Instant,
    routes: Mutex<BTreeMap<(String, &'static str), RouteStats>>,
    /// Per entry, in catalog order.
    diagnoses: Vec<AtomicU64>,
    logs: AtomicU64,
    abstentions: AtomicU64,
    refused: AtomicU64,
    in_flight: AtomicI64,
}

impl Metrics {
    /// Counters for a catalog of `entries` entries.
    pub fn new(entries: usize) -> Metrics {
        Metrics {
            started: Instant::now(),
            routes: Mutex::new(BTreeMap::new()),
            diagnoses: (0..entries).map(|_| AtomicU64::new(0)).collect(),
            logs: AtomicU64::new(0),
            abstentions: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            in_flight: AtomicI64::new(0),
        }
    }

    /// Records one answered request.
    pub fn request(&self, route: &str, method: &'static str, status: u16, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        let stats = match routes.get_mut(&(route.to_string(), method)) {
            Some(stats) => stats,
            None => routes.entry((route.to_string(), method)).or_default(),
        };
        *stats.by_status.entry(status).or_default() += 1;
        if let Some(i) = BUCKETS.iter().position(|&b| seconds <= b) {
            stats.buckets[i] += 1;
        }
        stats.count += 1;
        stats.sum += seconds;
    }

    /// Records one diagnosed log and the entries (by catalog index) it named.
    pub fn diagnosed(&self, entries: impl IntoIterator<Item = usize>) {
        self.logs.fetch_add(1, Ordering::Relaxed);
        let mut any = false;
        for i in entries {
            any = true;
            if let Some(counter) = self.diagnoses.get(i) {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
        if !any {
            self.abstentions.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts a diagnose request in unless `limit` are already in flight (then it
    /// counts a refusal); the guard counts it out when dropped.
    pub fn admit(&self, limit: usize) -> Option<InFlight<'_>> {
        let before = self.in_flight.fetch_add(1, Ordering::AcqRel);
        if before >= limit as i64 {
            self.in_flight.fetch_sub(1, Ordering::AcqRel);
            self.refused.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        Some(InFlight(self))
    }

    /// The Prometheus text exposition; `ids` are the entry ids in catalog order.
    pub fn render(&self, ids: &[&str]) -> String {
        let mut out = String::with_capacity(4096);
        let routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        out.push_str(
            "# HELP logdoc_http_requests_total HTTP requests answered, by route, method and status.\n\
             # TYPE logdoc_http_requests_total counter\n",
        );
        for ((route, method), stats) in routes.iter() {
            for (status, n) in &stats.by_status {
                let _ = writeln!(
                    out,
                    "logdoc_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str(
            "# HELP logdoc_http_request_duration_seconds Time to answer a request (response head), by route and method.\n\
             # TYPE logdoc_http_request_duration_seconds histogram\n",
        );
        for ((route, method), stats) in routes.iter() {
            let labels = format!("route=\"{}\",method=\"{method}\"", escape(route));
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(stats.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "logdoc_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "logdoc_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\n\
                 logdoc_http_request_duration_seconds_sum{{{labels}}} {}\n\
                 logdoc_http_request_duration_seconds_count{{{labels}}} {}",
                stats.count, stats.sum, stats.count
            );
        }
        drop(routes);
        out.push_str(
            "# HELP logdoc_diagnoses_total Diagnoses reported, by catalog entry.\n\
             # TYPE logdoc_diagnoses_total counter\n",
        );
        for (id, counter) in ids.iter().zip(&self.diagnoses) {
            let n = counter.load(Ordering::Relaxed);
            if n > 0 {
                let _ = writeln!(
                    out,
                    "logdoc_diagnoses_total{{entry=\"{}\"}} {n}",
                    escape(id)
                );
            }
        }
        let gauges = [
            (
                "logdoc_logs_diagnosed_total",
                "counter",
                "Logs diagnosed.",
                self.logs.load(Ordering::Relaxed) as i64,
            ),
            (
                "logdoc_abstentions_total",
                "counter",
                "Logs where no known error was recognised.",
                self.abstentions.load(Ordering::Relaxed) as i64,
            ),
            (
                "logdoc_diagnoses_refused_total",
                "counter",
                "Diagnose requests refused with 429 because every slot and queue place was taken.",
                self.refused.load(Ordering::Relaxed) as i64,
            ),
            (
                "logdoc_diagnose_requests_in_flight",
                "gauge",
                "Diagnose requests being received, waiting or matched.",
                self.in_flight.load(Ordering::Relaxed),
            ),
            (
                "logdoc_catalog_entries",
                "gauge",
                "Entries in the loaded catalog.",
                ids.len() as i64,
            ),
        ];
        for (name, kind, help, value) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP logdoc_uptime_seconds Seconds since the server started.\n\
             # TYPE logdoc_uptime_seconds gauge\nlogdoc_uptime_seconds {:.3}",
            self.started.elapsed().as_secs_f64()
        );
        out
    }
}

/// A diagnose request in flight; counted down when dropped.
pub struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Escapes a label value.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::new(2);
        m.request("/healthz", "GET", 200, Duration::from_millis(2));
        m.request("/healthz", "GET", 200, Duration::from_millis(200));
        m.diagnosed([1]);
        m.diagnosed([]);
        let text = m.render(&["a/x", "b/y"]);
        assert!(text.contains(
            "logdoc_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "logdoc_http_request_duration_seconds_bucket{route=\"/healthz\",method=\"GET\",le=\"0.0025\"} 1"
        ));
        assert!(text.contains(
            "logdoc_http_request_duration_seconds_bucket{route=\"/healthz\",method=\"GET\",le=\"+Inf\"} 2"
        ));
        assert!(text.contains("logdoc_diagnoses_total{entry=\"b/y\"} 1"));
        assert!(!text.contains("entry=\"a/x\""));
        assert!(text.contains("logdoc_abstentions_total 1"));
        assert!(text.contains("logdoc_logs_diagnosed_total 2"));
    }
}
