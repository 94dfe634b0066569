//! A case's files over HTTP (L-1, issue 18 item 1): the documents the agency filed and its
//! paper forms as PDF, for every party on the case and nobody else. Who may have which file,
//! and the audit of each download, is `app::services::agency_link::files`; this module only
//! speaks HTTP: signed-out visitors and accounts that work no linking case get 403, a case
//! that is not the viewer's gets the same 404 as one that does not exist.

use crate::papers::Printer;
use app::platform::AppState;
use app::services::agency_link::files;
use app::services::agency_link::papers::Paper;
use app::services::agency_link::progress::Viewer;
use axum::{
    extract::{Path, Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::sync::Arc;

/// What the routes need: the app's state and the printer of the paper forms.
#[derive(Clone)]
pub struct FilesState {
    pub app: AppState,
    pub printer: Arc<Printer>,
}

/// The routes, under the agency's case path (the same for the agency and the back office:
/// the session says who is asking).
pub fn routes<S: Clone + Send + Sync + 'static>(state: FilesState) -> Router<S> {
    let case = app::services::agency_link::AGENCY_CASE_PATH;
    Router::new()
        .route(
            &format!("{case}/{{case}}/documents/{{document}}"),
            get(document),
        )
        .route(&format!("{case}/{{case}}/papers/{{paper}}"), get(paper))
        .with_state(state)
}

async fn document(
    State(state): State<FilesState>,
    Path((case, document)): Path<(String, String)>,
    request: Request,
) -> Response {
    let viewer = match viewer(&state.app, request.headers()).await {
        Ok(viewer) => viewer,
        Err(refused) => return refused,
    };
    let source_ip = source_ip(&request);
    match files::document(&state.app, &viewer, source_ip, &case, &document).await {
        Ok(Some(file)) => {
            let fallback = format!("{case}-{}.pdf", app::cases::Code::code(file.document.kind));
            pdf(&fallback, &file.document.file_name, file.bytes)
        }
        Ok(None) => not_found(),
        Err(error) => unavailable(&error),
    }
}

async fn paper(
    State(state): State<FilesState>,
    Path((case, paper)): Path<(String, String)>,
    request: Request,
) -> Response {
    let viewer = match viewer(&state.app, request.headers()).await {
        Ok(viewer) => viewer,
        Err(refused) => return refused,
    };
    let Some(paper) = <Paper as app::cases::Code>::from_code(&paper) else {
        return not_found();
    };
    let source_ip = source_ip(&request);
    let sheet = match files::paper(&state.app, &viewer, source_ip, &case, paper).await {
        Ok(Some(sheet)) => sheet,
        Ok(None) => return not_found(),
        Err(error) => return unavailable(&error),
    };
    let code = app::cases::Code::code(paper);
    let label = app::cases::Code::label(paper, app::i18n::Lang::ZhTw);
    print(
        &state.printer,
        sheet,
        &format!("{case}-{code}.pdf"),
        &format!("{case}-{label}.pdf"),
    )
    .await
}

/// `sheet` printed as a PDF attachment named `name` (`fallback` in ASCII), or 503.
pub(super) async fn print(
    printer: &Arc<Printer>,
    sheet: app::services::agency_link::papers::sheet::Sheet,
    fallback: &str,
    name: &str,
) -> Response {
    let printer = printer.clone();
    match tokio::task::spawn_blocking(move || printer.print(&sheet)).await {
        Ok(Ok(bytes)) => pdf(fallback, name, bytes),
        Ok(Err(error)) => {
            tracing::error!(%error, title = %name, "printing a paper failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
        Err(error) => {
            tracing::error!(%error, "the printing task failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// Who is asking, if it is someone who works linking cases at all; otherwise the 403 answer.
async fn viewer(state: &AppState, headers: &HeaderMap) -> Result<Viewer, Response> {
    let principal = app::platform::auth::principal_of(state, headers)
        .await
        .map_err(|error| unavailable(&error))?;
    let viewer = match principal {
        Some(principal) => Viewer::of(state, &principal)
            .await
            .map_err(|error| unavailable(&error))?,
        None => None,
    };
    viewer.ok_or_else(|| {
        refusal(
            StatusCode::FORBIDDEN,
            "請先以機關憑證或工作人員憑證登入。 Sign in with your agency or staff certificate first.",
        )
    })
}

pub(super) fn source_ip(request: &Request) -> String {
    app::platform::client::client_address(request.extensions())
        .map_or_else(|| "unknown".to_owned(), |address| address.to_string())
}

pub(super) fn not_found() -> Response {
    refusal(StatusCode::NOT_FOUND, "查無此檔案。 There is no such file.")
}

pub(super) fn unavailable(error: &app::error::PortalError) -> Response {
    tracing::error!(?error, "serving an agency link file failed");
    StatusCode::SERVICE_UNAVAILABLE.into_response()
}

pub(super) fn refusal(status: StatusCode, text: &'static str) -> Response {
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
fn pdf(fallback: &str, name: &str, bytes: Vec<u8>) -> Response {
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
        bytes,
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
