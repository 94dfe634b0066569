//! The CAPTCHA's picture and its spoken version (L4-1). Neither is cached anywhere: each id is
//! single-use and short-lived.

use app::platform::{captcha, AppState};
use axum::{
    extract::{Path, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

pub async fn image(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let now = state.clock.unix();
    serve("image/png", captcha::image(&state.db.pool, now, &id).await)
}

pub async fn audio(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let now = state.clock.unix();
    serve("audio/wav", captcha::audio(&state.db.pool, now, &id).await)
}

fn serve(content_type: &'static str, body: sqlx::Result<Option<Vec<u8>>>) -> Response {
    match body {
        Ok(Some(body)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            body,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::error!(%error, "reading a CAPTCHA failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
