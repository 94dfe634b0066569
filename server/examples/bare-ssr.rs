//! The yardstick of issue 23 item 5: a bare Leptos SSR page, rendered as leptos_axum renders
//! the portal's pages (a shell, a router, one route) but behind no middleware and with no
//! state, holding about as many bytes of HTML as it is told. `bench/ssr.sh` serves it beside
//! the portal and divides the portal's home page rate by this page's, with the same `wrk`.
//!
//! `cargo run --release -p server --example bare-ssr -- 127.0.0.1:3999 7666`

use leptos::config::LeptosOptions;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// The text of one list item, repeated until the page holds the bytes asked for.
const ITEM: &str = "申請、查詢與進度：一份與首頁同樣大小的頁面";

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(addr), Some(bytes)) = (args.next(), args.next().and_then(|b| b.parse().ok())) else {
        eprintln!("usage: bare-ssr ADDRESS BYTES");
        std::process::exit(2);
    };
    // Each item renders as `<li>ITEM</li>`; the shell and the list's own tags are the rest.
    let items = usize::saturating_sub(bytes, 200) / (ITEM.len() + "<li></li>".len());
    let options = LeptosOptions::builder().output_name("bare").build();
    let app = axum::Router::new()
        .leptos_routes(
            &options,
            generate_route_list(move || view! { <App items /> }),
            move || shell(items),
        )
        .with_state(options);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app).await
}

fn shell(items: usize) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="zh-TW">
            <head>
                <meta charset="utf-8" />
                <title>"Bare"</title>
            </head>
            <body>
                <App items />
            </body>
        </html>
    }
}

#[component]
fn App(items: usize) -> impl IntoView {
    view! {
        <Router>
            <main>
                <Routes fallback=|| "not found">
                    <Route path=path!("") view=move || view! { <Page items /> } />
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn Page(items: usize) -> impl IntoView {
    view! { <ul>{(0..items).map(|_| view! { <li>{ITEM}</li> }).collect_view()}</ul> }
}
