//! Request ids, per-request tracing spans, Prometheus metrics and the health check.

use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, HeaderMap, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// The process-wide metrics recorder, installed on first use.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Only fails if another recorder is already installed; then ours just stays unused.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Counts requests and their latency by route template (never by raw path, which could carry
/// personal data and would explode the number of series).
pub async fn record_metrics(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = method_label(request.method());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method, "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// A request's method as a metric label: the standard methods by name, any other as `other`,
/// so that a client inventing methods cannot add series without bound.
fn method_label(method: &Method) -> &'static str {
    const STANDARD: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
    ];
    STANDARD
        .into_iter()
        .find(|name| *name == method.as_str())
        .unwrap_or("other")
}

/// `/metrics` and the bearer token its scraper must present (issue 21 item 12): the metrics
/// name routes, volumes and error rates, which are nobody else's business.
#[derive(Clone)]
pub struct MetricsEndpoint {
    handle: PrometheusHandle,
    /// SHA-256 of the token, so that comparing a presented one takes the same time whatever
    /// it shares with the real one.
    token_digest: Arc<[u8]>,
}

impl MetricsEndpoint {
    /// The endpoint rendering `handle`, for a scraper presenting `token` (the bytes of the
    /// token file's hexadecimal digits).
    pub fn new(handle: PrometheusHandle, token: &[u8]) -> MetricsEndpoint {
        MetricsEndpoint {
            handle,
            token_digest: digest(token).into(),
        }
    }

    fn admits(&self, headers: &HeaderMap) -> bool {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .and_then(|token| hex::decode(token.trim()).ok())
            .is_some_and(|token| digest(&token) == *self.token_digest)
    }
}

fn digest(bytes: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .to_vec()
}

/// `/metrics`: Prometheus text for a scraper with the token, 401 for anyone else.
pub async fn metrics_endpoint(
    State(endpoint): State<MetricsEndpoint>,
    headers: HeaderMap,
) -> Response {
    if !endpoint.admits(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "需要指標權杖 / A metrics token is required",
        )
            .into_response();
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        endpoint.handle.render(),
    )
        .into_response()
}

/// `/livez`: 200 while the process serves requests, whatever the database does (a liveness
/// probe: restart the server only when this fails).
pub async fn livez() -> &'static str {
    "ok"
}

/// `/healthz`: 200 when the database answers and the holiday table lists every year through
/// this one (F-3: a server running into a new year the table lacks stops passing, rather than
/// counting that year's holidays as working days), 503 otherwise (for load balancers).
pub async fn healthz(State(state): State<app::platform::AppState>) -> Response {
    if let Err(error) = sqlx::query("SELECT 1").execute(&state.db.pool).await {
        tracing::error!(%error, "health check: database unavailable");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
    }
    match state
        .calendar
        .require_years(chrono::Datelike::year(&state.clock.today_taipei()))
    {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(missing) => {
            tracing::error!(%missing, "health check: the holiday table is incomplete");
            (StatusCode::SERVICE_UNAVAILABLE, missing.to_string()).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_21_12_invented_methods_share_one_metric_label() {
        assert_eq!(method_label(&Method::POST), "POST");
        for invented in ["AAAA1", "AAAA2", "get"] {
            let method = Method::from_bytes(invented.as_bytes()).expect("a token");
            assert_eq!(method_label(&method), "other");
        }
    }
}
