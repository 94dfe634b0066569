//! The language switch: remembers the choice in a cookie and returns to the page it came from.

use app::i18n::{Lang, LANG_COOKIE};
use axum::{
    extract::{Path, Query, State},
    http::{header, StatusCode},
    response::IntoResponse,
};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

pub async fn switch(
    State(https): State<bool>,
    Path(tag): Path<String>,
    Query(query): Query<Next>,
) -> impl IntoResponse {
    let lang = Lang::from_tag(&tag);
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{}",
        lang.tag(),
        if https { "; Secure" } else { "" }
    );
    let target = local_path(query.next.as_deref());
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, cookie),
            (header::LOCATION, target.to_owned()),
        ],
    )
}

/// Only a path on this site; anything else (`//evil`, `https://…`, `/\evil`) goes home,
/// so the switch cannot be used as an open redirect.
fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(
            local_path(Some("/id-verification/apply?x=1")),
            "/id-verification/apply?x=1"
        );
        assert_eq!(local_path(Some("//evil.example")), "/");
        assert_eq!(local_path(Some("https://evil.example")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(Some("/a\r\nSet-Cookie: x")), "/");
        assert_eq!(local_path(None), "/");
    }
}
