//! Request metrics in Prometheus text format: requests by route and status, and a latency
//! histogram per route. Kept per Rocket instance (not in a global recorder) so that tests
//! running many instances in one process see only their own figures.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Data, Request, Response};

const BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Default)]
struct Series {
    by_status: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, ([u64; BUCKETS.len()], u64, f64)>,
}

#[derive(Default)]
pub struct Metrics {
    series: Mutex<Series>,
}

struct Started(Instant);

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let Ok(mut s) = self.series.lock() else {
            return;
        };
        *s.by_status
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        let entry = s
            .latency
            .entry(route.to_string())
            .or_insert(([0; BUCKETS.len()], 0, 0.0));
        for (i, le) in BUCKETS.iter().enumerate() {
            if seconds <= *le {
                entry.0[i] += 1;
            }
        }
        entry.1 += 1;
        entry.2 += seconds;
    }

    pub fn render(&self) -> String {
        let Ok(s) = self.series.lock() else {
            return String::new();
        };
        let mut out = String::from(
            "# HELP duta_http_requests_total HTTP requests by method, route and status.\n\
             # TYPE duta_http_requests_total counter\n",
        );
        for ((method, route, status), n) in &s.by_status {
            out.push_str(&format!(
                "duta_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}\n",
                escape(route)
            ));
        }
        out.push_str(
            "# HELP duta_http_request_duration_seconds Time to answer a request.\n\
             # TYPE duta_http_request_duration_seconds histogram\n",
        );
        for (route, (buckets, count, sum)) in &s.latency {
            let r = escape(route);
            for (i, le) in BUCKETS.iter().enumerate() {
                out.push_str(&format!(
                    "duta_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{le}\"}} {}\n",
                    buckets[i]
                ));
            }
            out.push_str(&format!(
                "duta_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {count}\n"
            ));
            out.push_str(&format!(
                "duta_http_request_duration_seconds_sum{{route=\"{r}\"}} {sum}\n"
            ));
            out.push_str(&format!(
                "duta_http_request_duration_seconds_count{{route=\"{r}\"}} {count}\n"
            ));
        }
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

pub struct MetricsFairing;

#[rocket::async_trait]
impl Fairing for MetricsFairing {
    fn info(&self) -> Info {
        Info {
            name: "Request metrics",
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        req.local_cache(|| Started(Instant::now()));
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let Some(metrics) = crate::state::part::<Metrics>(req.rocket()) else {
            return;
        };
        let started = req.local_cache(|| Started(Instant::now())).0;
        // The route template, not the concrete path, so ids do not explode the series.
        let route = req
            .route()
            .map(|r| r.uri.as_str().to_string())
            .unwrap_or_else(|| "unmatched".into());
        metrics.observe(
            req.method().as_str(),
            &route,
            res.status().code,
            started.elapsed().as_secs_f64(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histogram() {
        let m = Metrics::default();
        m.observe("GET", "/healthz", 200, 0.002);
        m.observe("GET", "/healthz", 200, 0.2);
        let text = m.render();
        assert!(text.contains(
            "duta_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "duta_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.0025\"} 1"
        ));
        assert!(text.contains("duta_http_request_duration_seconds_count{route=\"/healthz\"} 2"));
    }
}
