//! The CAPTCHA's picture and its spoken version (L4-1), as kept with the challenge. Browsers
//! and proxies are told not to keep them: each id is single-use and short-lived. Speech costs
//! more to make and keep, so each client may ask for only so much of it
//! (`captcha::AUDIO_LIMIT`), and all together for `captcha::STORED_SOUNDS` kept at once.

use app::platform::{captcha, client, AppState};
use axum::{
    extract::{Path, Request, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

pub async fn image(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let now = state.clock.unix();
    serve("image/png", captcha::image(&state.db.pool, now, &id).await)
}

pub async fn audio(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let now = state.clock.unix();
    let client = client::limit_buckets(client::client_address(request.extensions()));
    match captcha::AUDIO_LIMIT
        .hit_client(&state.db.pool, "captcha-audio", &client, now)
        .await
    {
        Ok(Ok(())) => match captcha::audio(
            &state.db.pool,
            now,
            &id,
            app::shell::lang_of(request.headers()),
        )
        .await
        {
            Ok(captcha::Audio::Sound(sound)) => serve("audio/wav", Ok(Some(sound))),
            Ok(captcha::Audio::Unknown) => serve("audio/wav", Ok(None)),
            // The picture still serves; the sounds kept expire within the challenges' life.
            Ok(captcha::Audio::Busy) => (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "60")],
            )
                .into_response(),
            Err(error) => serve("audio/wav", Err(error)),
        },
        Ok(Err(retry_after)) => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, retry_after.to_string())],
        )
            .into_response(),
        Err(error) => serve("audio/wav", Err(error)),
    }
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
