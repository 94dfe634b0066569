//! Strict response headers on everything, and the CSRF guard for every state-changing request.

use app::platform::client::{ClientAddr, TrustedProxies};
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The state-changing paths whose callers authenticate every request with a signature or a
/// client certificate rather than a cookie, so a forged cross-site request carries no authority
/// there. Exact paths, not prefixes: nothing else — above all no server function (`/api/{fn}`)
/// — is exempt.
const SIGNED_API_PATHS: [&str; 4] = [
    crate::link::CONNECTION_TEST_PATH,
    crate::link::PERSON_QUERY_PATH,
    crate::confirm::CONFIRM_PATH,
    // The payment provider's notices, signed with the key shared with it.
    app::services::certificate::renewal::payment::NOTIFY_PATH,
];

/// CSRF protection: a state-changing request must come from the portal's own pages (the OCSP
/// responder's POST changes nothing and answers the same to anyone, so it is not one). Browsers
/// say so in `Sec-Fetch-Site`; older ones send `Origin`, which must be the portal's origin.
/// Requests with neither (not from a browser) are refused too, so the rule never depends on a
/// header being absent.
pub async fn csrf_guard(
    State(public_origin): State<Arc<str>>,
    request: Request,
    next: Next,
) -> Response {
    if is_safe_method(request.method())
        || SIGNED_API_PATHS.contains(&request.uri().path())
        || request.uri().path() == super::ocsp::PATH
        || same_origin(request.headers(), &public_origin)
    {
        next.run(request).await
    } else {
        // The request's span holds the path, decoded for the log's masking.
        tracing::warn!("refused a cross-site state-changing request");
        (
            StatusCode::FORBIDDEN,
            "跨站請求已拒絕 / Cross-site request refused",
        )
            .into_response()
    }
}

fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// True when the request demonstrably comes from a page of `public_origin`.
pub fn same_origin(headers: &HeaderMap, public_origin: &str) -> bool {
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(site) => site == "same-origin" || site == "none",
        None => headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|origin| origin == public_origin),
    }
}

/// The proxies the server trusts, and whether it has warned of forwarding from others.
pub struct ClientAddressing {
    proxies: Arc<TrustedProxies>,
    warned: AtomicBool,
}

impl ClientAddressing {
    pub fn new(proxies: Arc<TrustedProxies>) -> ClientAddressing {
        ClientAddressing {
            proxies,
            warned: AtomicBool::new(false),
        }
    }
}

/// Finds the client's address once per request (the connection's peer, or through trusted
/// proxies the address they forward) and hands it on as [`ClientAddr`]. The first
/// `X-Forwarded-For` from a peer that is not a trusted proxy is logged once: behind a proxy
/// nobody told the server about, every client would look like the proxy.
pub async fn client_address(
    State(addressing): State<Arc<ClientAddressing>>,
    mut request: Request,
    next: Next,
) -> Response<Body> {
    let peer = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip());
    if let Some(peer) = peer {
        let forwarded = forwarded_for(request.headers());
        let proxies = &addressing.proxies;
        if !forwarded.is_empty()
            && !proxies.trusts(peer)
            && !addressing.warned.swap(true, Ordering::Relaxed)
        {
            tracing::warn!(
                %peer,
                "X-Forwarded-For came from {peer}, which is not a trusted proxy: it is ignored and \
                 the client is taken to be {peer}. If the server is behind a reverse proxy, set \
                 HUJI_TRUSTED_PROXIES to its address (logged once)"
            );
        }
        let client = proxies.client(peer, Some(&forwarded));
        request.extensions_mut().insert(ClientAddr(client));
    }
    next.run(request).await
}

/// The `X-Forwarded-For` list: a request may carry several lines, which together are one list.
/// A line is read byte by byte, so that bytes that are not UTF-8 — which a client can put at
/// the start of the line its proxy appends to — spoil only the entry they are in, not the
/// address the proxy added after them.
fn forwarded_for(headers: &HeaderMap) -> String {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|line| String::from_utf8_lossy(line.as_bytes()))
        .collect::<Vec<_>>()
        .join(",")
}

/// Security headers for every response. HTML pages set their own CSP with a per-response nonce
/// (see `app::shell`); everything else gets a policy that allows nothing.
pub async fn security_headers(
    State(https): State<bool>,
    request: Request,
    next: Next,
) -> Response<Body> {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let fixed: [(&str, &str); 6] = [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        ("cross-origin-opener-policy", "same-origin"),
        (
            "permissions-policy",
            "camera=(), microphone=(), geolocation=(), payment=()",
        ),
        ("x-permitted-cross-domain-policies", "none"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    // Pages and server-function answers are made for one person (an isskey, a case, a loss
    // report): never kept by the browser or a proxy, so that they cannot come back after
    // sign-out. Static files set their own caching.
    let dynamic = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/json"));
    if dynamic && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn security_21_8_bytes_that_are_not_utf8_spoil_only_their_own_entry() {
        let mut map = HeaderMap::new();
        map.append(
            "x-forwarded-for",
            HeaderValue::from_bytes(b"\xff\xfe, 198.51.100.7").expect("header"),
        );
        let proxies = TrustedProxies::parse("10.0.0.5").expect("proxies");
        let proxy = "10.0.0.5".parse().expect("address");
        let client = proxies.client(proxy, Some(&forwarded_for(&map)));
        assert_eq!(
            client,
            "198.51.100.7".parse::<std::net::IpAddr>().expect("address")
        );
        map.append("x-forwarded-for", HeaderValue::from_static("203.0.113.9"));
        let client = proxies.client(proxy, Some(&forwarded_for(&map)));
        assert_eq!(
            client,
            "203.0.113.9".parse::<std::net::IpAddr>().expect("address")
        );
    }

    #[test]
    fn same_origin_trusts_fetch_metadata_first() {
        let origin = "https://huji.example";
        assert!(same_origin(
            &headers(&[("sec-fetch-site", "same-origin")]),
            origin
        ));
        assert!(!same_origin(
            &headers(&[
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://huji.example")
            ]),
            origin
        ));
        assert!(!same_origin(
            &headers(&[("sec-fetch-site", "same-site")]),
            origin
        ));
    }

    #[test]
    fn without_fetch_metadata_the_origin_must_match() {
        let origin = "https://huji.example";
        assert!(same_origin(
            &headers(&[("origin", "https://huji.example")]),
            origin
        ));
        assert!(!same_origin(
            &headers(&[("origin", "https://evil.example")]),
            origin
        ));
        assert!(!same_origin(&headers(&[]), origin));
    }
}
