//! Which web pages may call the helper: exact origins, CORS and Chromium's Private Network Access preflight, and the Host check against DNS rebinding.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

use super::commands::PageOrigin;
use super::routes::error_response;
use crate::protocol::HelperError;

const REQUEST_PRIVATE_NETWORK: &str = "access-control-request-private-network";
const ALLOW_PRIVATE_NETWORK: &str = "access-control-allow-private-network";

/// The portal origins configured with `--allow-origin`, compared exactly.
#[derive(Debug, Clone)]
pub struct AllowedOrigins(Vec<String>);

#[derive(Debug, thiserror::Error)]
pub enum OriginError {
    #[error("'{0}' is not an origin: expected scheme://host[:port] with no path, e.g. https://portal.example")]
    NotAnOrigin(String),
    /// Over plain HTTP anyone on the way could put script in the page, which could then have
    /// the card sign (issue 21 item 4): only a portal on this machine may use it.
    #[error("'{0}' is plain http:// on another machine: only a loopback portal (127.0.0.1, localhost, [::1]) may use http://")]
    PlainHttp(String),
}

impl AllowedOrigins {
    /// Accepts `http(s)://host[:port]` only, lower-cased as browsers send them.
    pub fn parse<I: IntoIterator<Item = S>, S: AsRef<str>>(
        origins: I,
    ) -> Result<AllowedOrigins, OriginError> {
        origins
            .into_iter()
            .map(|origin| {
                let origin = origin.as_ref().trim();
                let (rest, plain) = match origin.strip_prefix("https://") {
                    Some(rest) => (Some(rest), false),
                    None => (origin.strip_prefix("http://"), true),
                };
                match rest {
                    Some(authority)
                        if !authority.is_empty()
                            && authority.bytes().all(|b| {
                                b.is_ascii_alphanumeric()
                                    || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                            }) =>
                    {
                        if plain && !is_loopback(authority) {
                            return Err(OriginError::PlainHttp(origin.to_owned()));
                        }
                        Ok(origin.to_ascii_lowercase())
                    }
                    _ => Err(OriginError::NotAnOrigin(origin.to_owned())),
                }
            })
            .collect::<Result<Vec<_>, _>>()
            .map(AllowedOrigins)
    }

    pub fn allows(&self, origin: &str) -> bool {
        self.0.iter().any(|allowed| allowed == origin)
    }
}

/// A page on another site must not reach the helper through a DNS name pointing at 127.0.0.1.
/// Whether `authority` (`host[:port]`) names this machine.
fn is_loopback(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

fn host_is_loopback(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
    matches!(name, "127.0.0.1" | "localhost")
}

/// Refuses every request without an allowed `Origin`, answers preflights, and adds CORS
/// headers to the answers of allowed ones.
pub async fn guard(
    State(origins): State<Arc<AllowedOrigins>>,
    mut request: Request,
    next: Next,
) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
        .filter(|origin| origins.allows(origin))
        .and_then(|origin| HeaderValue::from_str(origin).ok());
    let origin = match origin {
        Some(origin) if host_is_loopback(request.headers()) => origin,
        _ => {
            tracing::warn!("refused a request from a page that is not allowed");
            return error_response(&HelperError::OriginNotAllowed);
        }
    };
    if let Ok(page) = origin.to_str() {
        // What the card signs names this origin (`protocol::signed_message`).
        let page = PageOrigin(page.to_ascii_lowercase());
        request.extensions_mut().insert(page);
    }
    let mut response = if request.method() == Method::OPTIONS {
        preflight(request.headers())
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    response
}

fn preflight(request_headers: &HeaderMap) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    let wants_private_network = request_headers
        .get(REQUEST_PRIVATE_NETWORK)
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"true"));
    if wants_private_network {
        headers.insert(ALLOW_PRIVATE_NETWORK, HeaderValue::from_static("true"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bare_origins_are_accepted() {
        let origins = AllowedOrigins::parse(["https://Portal.example", "http://127.0.0.1:3000"]);
        let origins = origins.expect("valid origins");
        assert!(origins.allows("https://portal.example"));
        assert!(origins.allows("http://127.0.0.1:3000"));
        assert!(!origins.allows("https://portal.example.evil"));
        assert!(!origins.allows("null"));
        assert!(AllowedOrigins::parse(["https://portal.example/path"]).is_err());
        assert!(AllowedOrigins::parse(["portal.example"]).is_err());
        assert!(AllowedOrigins::parse(["*"]).is_err());
    }

    #[test]
    fn security_21_4_plain_http_origins_are_loopback_only() {
        for loopback in [
            "http://127.0.0.1:3000",
            "http://localhost:3000",
            "http://[::1]:3000",
        ] {
            assert!(AllowedOrigins::parse([loopback]).is_ok(), "{loopback}");
        }
        for remote in [
            "http://portal.example",
            "http://10.0.0.5:3000",
            "http://[2001:db8::1]",
        ] {
            assert!(
                matches!(
                    AllowedOrigins::parse([remote]),
                    Err(OriginError::PlainHttp(_))
                ),
                "{remote}"
            );
        }
        assert!(AllowedOrigins::parse(["https://portal.example"]).is_ok());
    }
}
