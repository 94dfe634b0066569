//! A case's files over HTTP (L-1, issue 18 item 1): the documents the agency filed and its
//! paper forms as PDF, for every party on the case and nobody else. Who may have which file,
//! and the audit of each download, is `app::services::agency_link::files`; this module only
//! speaks HTTP: signed-out visitors and accounts that work no linking case get 403, a case
//! that is not the viewer's gets the same 404 as one that does not exist.

use super::files::{
    cross_site_refusal, not_found, pdf, print, refusal, source_ip, unavailable, FilesState,
};
use app::platform::AppState;
use app::services::agency_link::files;
use app::services::agency_link::papers::Paper;
use app::services::agency_link::progress::Viewer;
use axum::{
    extract::{Path, Request, State},
    http::{HeaderMap, StatusCode},
    response::Response,
    routing::get,
    Router,
};

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
    let source_ip = source_ip(request.extensions());
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
    let source_ip = source_ip(request.extensions());
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

/// Who is asking, if it is someone who works linking cases at all; otherwise the 403 answer.
async fn viewer(state: &AppState, headers: &HeaderMap) -> Result<Viewer, Response> {
    if let Some(refused) = cross_site_refusal(headers) {
        return Err(refused);
    }
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
