//! The ministry's letter answering an identity confirmation request, as PDF (I-2): for the
//! request's applicant and the ministry's reviewers (`app::services::confirmation::letter`
//! decides and audits); anyone else, and a request with no answer yet, gets 404.

use super::files::{
    cross_site_refusal, not_found, print, refusal, source_ip, unavailable, FilesState,
};
use axum::{
    extract::{Path, Request, State},
    http::StatusCode,
    response::Response,
    routing::get,
    Router,
};

/// The route, under the applicant's request path.
pub fn routes<S: Clone + Send + Sync + 'static>(state: FilesState) -> Router<S> {
    Router::new()
        .route(
            &format!(
                "{}/{{id}}/letter",
                app::services::confirmation::REQUEST_PATH
            ),
            get(letter),
        )
        .with_state(state)
}

async fn letter(
    State(state): State<FilesState>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    if let Some(refused) = cross_site_refusal(request.headers()) {
        return refused;
    }
    let principal = match app::platform::auth::principal_of(&state.app, request.headers()).await {
        Ok(Some(principal)) => principal,
        Ok(None) => return refusal(StatusCode::FORBIDDEN, "請先登入。 Sign in first."),
        Err(error) => return unavailable(&error),
    };
    let Ok(id) = id.parse::<i64>() else {
        return not_found();
    };
    let source_ip = source_ip(request.extensions());
    let sheet =
        match app::services::confirmation::letter::letter(&state.app, &principal, source_ip, id)
            .await
        {
            Ok(Some(sheet)) => sheet,
            Ok(None) => return not_found(),
            Err(error) => return unavailable(&error),
        };
    print(
        &state.printer,
        sheet,
        &format!("confirmation-{id}-letter.pdf"),
        &format!("身分確認服務申請審核結果-{id}.pdf"),
    )
    .await
}
