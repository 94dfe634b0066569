//! The HTTP surface: Leptos pages and server functions, static files, health and metrics, and
//! the middleware every response passes through.

pub mod agency_link;
mod captcha;
pub mod confirmation;
pub mod files;
mod language;
pub mod limits;
pub mod observability;
pub mod ocsp;
pub mod payments;
mod printouts;
pub mod security;

use app::platform::AppState;
use app::shell::shell;
use app::App;
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue},
    middleware,
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use leptos::prelude::provide_context;
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
use leptos_axum::{
    generate_route_list, handle_server_fns_with_context, AxumRouteListing, LeptosRoutes,
};
use std::sync::{Arc, OnceLock};
use tower_http::{
    compression::{
        predicate::{DefaultPredicate, NotForContentType, Predicate},
        CompressionLayer,
    },
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    services::ServeDir,
    set_header::SetResponseHeaderLayer,
    trace::{DefaultOnResponse, TraceLayer},
    CompressionLevel,
};

/// Builds the whole application; testable without a socket (`tower::ServiceExt::oneshot`).
pub fn router(
    state: AppState,
    verify: crate::verify::VerifyState,
    confirm: crate::confirm::ConfirmState,
    metrics: observability::MetricsEndpoint,
    printer: Arc<crate::papers::Printer>,
) -> Router {
    let options = state.leptos_options.clone();
    let routes = route_list();
    let public_origin: Arc<str> = state.settings.public_origin.as_str().into();
    let addressing = Arc::new(security::ClientAddressing::new(state.proxies.clone()));
    let https = state.settings.secure_cookies();

    // Built files carry a content hash in their names (cargo-leptos `hash-files`), so they
    // can be cached for a year; unhashed ones (a plain cargo build) must be revalidated.
    // br/gzip versions made at build time are served as they are.
    let pkg_dir = format!("{}/{}", options.site_root, options.site_pkg_dir);
    let pkg_cache = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let pkg = Router::new()
        .fallback_service(
            ServeDir::new(pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(pkg_cache),
        ));
    // The portal's font (scripts/make-font.sh) carries a hash of its content in its name too.
    let fonts = Router::new()
        .fallback_service(ServeDir::new(format!("{}/fonts", options.site_root)))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ));
    let assets = ServeDir::new(options.site_root.as_ref())
        .precompressed_br()
        .precompressed_gzip()
        .not_found_service(get(render_page).with_state(state.clone()));

    let mut router = Router::new();
    // Pages whose forms post to themselves; leptos_routes below adds their GET.
    for path in app::services::manifest::form_pages() {
        router = router.route(path, post(render_posted_page));
    }
    router
        .route("/captcha/{id}", get(captcha::image))
        .merge(agency_link_api(crate::link::LinkState::new(verify.clone())))
        .merge(verification_api(verify))
        .merge(agency_link::routes(files::FilesState {
            app: state.clone(),
            printer: printer.clone(),
        }))
        .merge(confirmation::routes(files::FilesState {
            app: state.clone(),
            printer: printer.clone(),
        }))
        .merge(printouts::routes(files::FilesState {
            app: state.clone(),
            printer,
        }))
        .route(
            "/integration/openapi.json",
            get(crate::verify::openapi::document),
        )
        .route(
            "/integration/agency/openapi.json",
            get(crate::link::openapi::document),
        )
        .route("/captcha/{id}/audio", get(captcha::audio))
        .merge(payments::routes(&state))
        .merge(ocsp::routes())
        .merge(crate::confirm::proxied_routes(confirm))
        .route("/livez", get(observability::livez))
        .route(
            "/healthz",
            get(observability::healthz).with_state(state.clone()),
        )
        .route(
            "/metrics",
            get(observability::metrics_endpoint).with_state(metrics),
        )
        .route("/lang/{tag}", get(language::switch).with_state(https))
        .route(
            "/api/{*fn_name}",
            get(server_fn_handler).post(server_fn_handler),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            move || shell(options.clone()),
        )
        .nest("/pkg", pkg)
        .nest("/fonts", fonts)
        .fallback_service(assets)
        .with_state(state)
        .layer(middleware::from_fn(settle_body))
        .layer(middleware::from_fn_with_state(
            public_origin,
            security::csrf_guard,
        ))
        .layer(middleware::from_fn(limits::body_limit))
        .layer(middleware::from_fn_with_state(
            addressing,
            security::client_address,
        ))
        .layer(middleware::from_fn(observability::record_metrics))
        // Pages are compressed as they are sent; brotli's default (quality 11) would cost more
        // CPU than the page itself. Built assets are precompressed at the highest level.
        // A WOFF2 font is compressed already.
        .layer(
            CompressionLayer::new()
                .quality(CompressionLevel::Precise(4))
                .compress_when(DefaultPredicate::new().and(NotForContentType::const_new("font/"))),
        )
        .layer(middleware::from_fn_with_state(
            https,
            security::security_headers,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// The span every line logged for `request` is in: its id, method and path, the path as
/// [`crate::logging::logged_path`] gives it; never the query, which may carry personal data.
fn request_span(request: &Request) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let path = crate::logging::logged_path(request.uri().path());
    tracing::info_span!("request", id, method = %request.method(), path = %path)
}

/// The verification API (issue 5): every endpoint behind the same middleware, which checks the
/// caller and records the call (`verify::authenticated`).
fn verification_api<S: Clone + Send + Sync + 'static>(
    verify: crate::verify::VerifyState,
) -> Router<S> {
    Router::new()
        .route("/integration/rwv2c2/", get(crate::verify::rwv2c2))
        .route(
            "/integration/rwv2c2/connection-test",
            get(crate::verify::connection_test),
        )
        .route_layer(middleware::from_fn_with_state(
            verify.clone(),
            crate::verify::authenticated,
        ))
        .with_state(verify)
}

/// The linked-agency API (issue 18 item 6): each endpoint checks its caller and records the
/// call itself (`link::serve`).
fn agency_link_api<S: Clone + Send + Sync + 'static>(link: crate::link::LinkState) -> Router<S> {
    Router::new()
        .route(
            crate::link::CONNECTION_TEST_PATH,
            post(crate::link::connection_test),
        )
        .route(
            crate::link::PERSON_QUERY_PATH,
            post(crate::link::person_query),
        )
        .with_state(link)
}

/// The app's routes, generated once per process. Generating runs the app with resource
/// loading suppressed process-wide (a global flag in leptos_server), and a page whose resource
/// is first polled on another thread at that moment waits forever (leptos issue #4773): that
/// happens whenever a router is built while another serves, as tests do in parallel.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

async fn server_fn_handler(
    State(state): State<AppState>,
    request: Request<Body>,
) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(state.clone()), request).await
}

/// Settles a response's body before the compression layer: a server function's error gets
/// its status ([`server_fn_status`]), a page goes whole ([`whole_page`]). One layer for both,
/// as each layer deepens every request's future.
async fn settle_body(request: Request<Body>, next: middleware::Next) -> Response {
    let server_fn = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if server_fn {
        server_fn_status(response).await
    } else {
        whole_page(response).await
    }
}

/// Leptos answers every error a server function (`/api/…`) returns with 500; the portal's
/// errors say whose the problem is, and the answer's status says it too
/// ([`app::error::PortalError::status`]). A status the function set itself (429) stands.
async fn server_fn_status(response: Response) -> Response {
    use axum::body::HttpBody;
    // server_fn marks every error it answers; an error is a few hundred bytes of JSON, and
    // anything not known to be within the limit is left as it is.
    let small = response
        .body()
        .size_hint()
        .upper()
        .is_some_and(|upper| upper <= limits::SERVER_FN_ERROR as u64);
    if response.status() != axum::http::StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
        || !small
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, limits::SERVER_FN_ERROR).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<app::error::PortalError>(&bytes) {
        parts.status = axum::http::StatusCode::from_u16(error.status()).unwrap_or(parts.status);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The most HTML a page may take; no page comes near it.
const PAGE_LIMIT: usize = 16 << 20;

/// A page's HTML in one piece, for the compression layer. Leptos renders a page as a stream
/// of pieces, and brotli's encoder, once written to a second time, grows its window to 4 MiB
/// (zeroed) for every page: three quarters of what a page cost the server. Read in one write,
/// a page of ours needs a buffer of its own size. Pages were compressed as a whole anyway, so
/// nothing reaches the browser later than it did.
async fn whole_page(response: Response) -> Response {
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/html"));
    if !html || response.headers().contains_key(header::CONTENT_ENCODING) {
        return response;
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, PAGE_LIMIT).await {
        Ok(bytes) => Response::from_parts(parts, Body::from(bytes)),
        Err(error) => {
            tracing::error!(%error, "a page could not be rendered whole");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Renders a page for a form posted to it, with the posted fields in context
/// (`app::posted_form`). Fully rendered before it is sent, as the outcome is part of the page.
async fn render_posted_page(State(state): State<AppState>, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let fields = if content_type.starts_with("application/x-www-form-urlencoded") {
        let Ok(bytes) = axum::body::to_bytes(body, limits::FORM).await else {
            return axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response();
        };
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .map_err(|_| axum::http::StatusCode::BAD_REQUEST)
    } else if let Ok(boundary) = multer::parse_boundary(content_type) {
        if parts.uri.path() == app::services::agency_link::APPLY_PATH {
            // Only a signed-in agency may send the large body: anyone else is refused before
            // it is read.
            match app::platform::auth::principal_of(&state, &parts.headers).await {
                Ok(Some(app::platform::auth::Principal::Agency { .. })) => {}
                _ => return axum::http::StatusCode::FORBIDDEN.into_response(),
            }
        }
        multipart_fields(body, boundary, limits::for_path(parts.uri.path())).await
    } else {
        Err(axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE)
    };
    let fields = match fields {
        Ok(fields) => fields,
        Err(status) => return status.into_response(),
    };
    let posted = app::posted_form::PostedForm(fields);
    let options = state.leptos_options.clone();
    let handler = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(state.clone());
            provide_context(posted.clone());
        },
        move || shell(options.clone()),
    );
    handler(Request::from_parts(parts, Body::empty()))
        .await
        .into_response()
}

/// The fields of a `multipart/form-data` form (one with a file), within `limit` bytes in
/// all. A file arrives as the Base64 of its bytes, so that every posted value is text, with
/// its file name as the field `<name>_name`.
async fn multipart_fields(
    body: Body,
    boundary: String,
    limit: usize,
) -> Result<Vec<(String, String)>, axum::http::StatusCode> {
    use axum::http::StatusCode;
    use base64::Engine;
    let constraints =
        multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(limit as u64));
    let mut multipart =
        multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    let mut fields = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(fields),
            Err(multer::Error::StreamSizeExceeded { .. }) => {
                return Err(StatusCode::PAYLOAD_TOO_LARGE)
            }
            Err(_) => return Err(StatusCode::BAD_REQUEST),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|error| match error {
            multer::Error::StreamSizeExceeded { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        })?;
        match file_name {
            Some(file_name) => {
                let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
                fields.push((format!("{name}_name"), file_name));
                fields.push((name, encoded));
            }
            None => fields.push((
                name,
                String::from_utf8(bytes.to_vec()).map_err(|_| StatusCode::BAD_REQUEST)?,
            )),
        }
    }
}

/// Renders the app for a path no route or file claims: the not-found page, with status 404.
async fn render_page(State(state): State<AppState>, request: Request<Body>) -> Response {
    let options = state.leptos_options.clone();
    let handler = leptos_axum::render_app_to_stream_with_context(
        move || provide_context(state.clone()),
        move || shell(options.clone()),
    );
    handler(request).await.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn f8_a_request_is_logged_with_the_id_number_in_its_path_masked_and_without_its_query() {
        #[derive(Clone, Default)]
        struct Lines(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Lines {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().expect("not poisoned").extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let lines = Lines::default();
        let written = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_writer(move || written.clone())
            .finish();
        let request = Request::builder()
            .uri("/q/%EF%BC%A1%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96%EF%BC%97%EF%BC%98%EF%BC%99?id=B287654321")
            .body(Body::empty())
            .expect("a request");
        tracing::subscriber::with_default(subscriber, || {
            request_span(&request).in_scope(|| tracing::info!("answered"));
        });
        let logged =
            String::from_utf8(lines.0.lock().expect("not poisoned").clone()).expect("UTF-8");
        assert!(
            logged.contains(r#""path":"/q/Ａ１*****７８９""#),
            "{logged}"
        );
        assert!(!logged.contains("B287654321"), "{logged}");
    }
}
