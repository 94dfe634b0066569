//! What every route serving a file shares: the state with the printer, a sheet printed as a
//! PDF attachment, and the plain refusals (403, 404, 503) such a route answers with.

use crate::papers::Printer;
use app::platform::AppState;
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::sync::Arc;

/// What the routes need: the app's state and the printer of the paper forms.
#[derive(Clone)]
pub struct FilesState {
    pub app: AppState,
    pub printer: Arc<Printer>,
}

/// `sheet` printed as a PDF attachment named `name` (`fallback` in ASCII), or 503.
pub async fn print(
    printer: &Arc<Printer>,
    sheet: app::platform::paper::Sheet,
    fallback: &str,
    name: &str,
) -> Response {
    match printed(printer, sheet).await {
        Ok(bytes) => pdf(fallback, name, bytes),
        Err(refused) => refused,
    }
}

/// `sheet` printed as a PDF, off the async workers; the 503 answer if it cannot be.
pub async fn printed(
    printer: &Arc<Printer>,
    sheet: app::platform::paper::Sheet,
) -> Result<Vec<u8>, Response> {
    let printer = printer.clone();
    let title = sheet.title.clone();
    match tokio::task::spawn_blocking(move || printer.print(&sheet)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(error)) => {
            tracing::error!(%error, %title, "printing a paper failed");
            Err(StatusCode::SERVICE_UNAVAILABLE.into_response())
        }
        Err(error) => {
            tracing::error!(%error, "the printing task failed");
            Err(StatusCode::SERVICE_UNAVAILABLE.into_response())
        }
    }
}

/// The 403 answer to a download of personal data that another site started (fetch metadata,
/// `Sec-Fetch-Site` other than `same-origin` or `none`): such a GET is audited as the signed-in
/// person's read, so a link elsewhere must not be able to make their browser read a record
/// in their name. A request without the header (an older browser, a script) passes: it is
/// not a browser following another site's link.
pub fn cross_site_refusal(headers: &axum::http::HeaderMap) -> Option<Response> {
    match headers.get("sec-fetch-site").map(HeaderValue::as_bytes) {
        None | Some(b"same-origin" | b"none") => None,
        Some(_) => Some(refusal(
            StatusCode::FORBIDDEN,
            "請由本入口網站之頁面下載。 Download it from the portal's own pages.",
        )),
    }
}

/// The client's address as the audit log records it (a request's extensions).
pub fn source_ip(extensions: &axum::http::Extensions) -> String {
    app::platform::client::client_address(extensions)
        .map_or_else(|| "unknown".to_owned(), |address| address.to_string())
}

pub fn not_found() -> Response {
    refusal(StatusCode::NOT_FOUND, "查無此檔案。 There is no such file.")
}

pub fn unavailable(error: &app::error::PortalError) -> Response {
    tracing::error!(?error, "serving a file failed");
    StatusCode::SERVICE_UNAVAILABLE.into_response()
}

pub fn refusal(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        text,
    )
        .into_response()
}

/// A PDF sent as an attachment named `name` (`fallback` for clients without RFC 6266's
/// `filename*`), kept by no cache: a case's files are for its parties only.
pub fn pdf(fallback: &str, name: &str, bytes: impl Into<axum::body::Body>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (header::CONTENT_DISPOSITION, attachment(fallback, name)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        bytes.into(),
    )
        .into_response()
}

/// RFC 5987 `attr-char`: what `filename*` may carry as it is.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `Content-Disposition: attachment` (RFC 6266) with `fallback` reduced to safe ASCII as
/// `filename` and `name` in UTF-8 as `filename*`.
fn attachment(fallback: &str, name: &str) -> HeaderValue {
    let ascii: String = fallback
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let value = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8_percent_encode(name, ATTR_CHAR)
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l_1_downloads_are_attachments_with_a_safe_and_a_chinese_name() {
        assert_eq!(
            attachment("A1151120-000001-item_table.pdf", "項目表 v2.pdf"),
            "attachment; filename=\"A1151120-000001-item_table.pdf\"; \
             filename*=UTF-8''%E9%A0%85%E7%9B%AE%E8%A1%A8%20v2.pdf"
        );
        assert_eq!(
            attachment("a\"b\\c;\r\n.pdf", "x\";y.pdf"),
            "attachment; filename=\"a_b_c___.pdf\"; filename*=UTF-8''x%22%3By.pdf"
        );
    }
}
