//! The frame around every page: the ministry's header with who is signed in (and 登出) and
//! the language switch, and the footer.

use crate::i18n::Lang;
use crate::services::sign_in::pages::SignOutButton;
use crate::services::sign_in::server::signed_in_party;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn SiteHeader() -> impl IntoView {
    let lang = current_lang();
    let location = use_location();
    // Blocking: the header is rendered in place, not streamed in later (which would need
    // JavaScript to show). Read only for a request with a session: a visitor without one is
    // signed in as nobody, and most requests are theirs.
    let party = carries_session().then(|| Resource::new_blocking(|| (), |()| signed_in_party()));
    // The switch is a plain link to a server route that sets the cookie and comes back here,
    // so it works with JavaScript off as well.
    let switch_href = move || {
        let other = lang.pick(Lang::English, Lang::ZhTw);
        // The router's `search` comes without its "?".
        let search = location.search.get();
        let here = match search.trim_start_matches('?') {
            "" => location.pathname.get(),
            query => format!("{}?{query}", location.pathname.get()),
        };
        format!("/lang/{}?next={}", other.tag(), encode_query_value(&here))
    };
    view! {
        <header class="site-header">
            <div class="brand">
                <a href="/">
                    <span class="ministry">{lang.pick("內政部戶政司", "Department of Household Registration, Ministry of the Interior")}</span>
                    <span class="service">{lang.pick("網路申辦服務", "Online Services")}</span>
                </a>
            </div>
            <div class="header-tools">
                {party.map(|party| view! {
                    <Suspense fallback=|| ()>
                        {move || party.get().and_then(Result::ok).flatten().map(|party| view! {
                            <div class="signed-in">
                                <span class="visually-hidden">{lang.pick("目前登入：", "Signed in as ")}</span>
                                <a href=party.kind.landing()>
                                    <span class="party-kind">{party.kind.party_label(lang)}</span>
                                    " "
                                    <span class="party-name">{party.name}</span>
                                </a>
                                <SignOutButton lang />
                            </div>
                        })}
                    </Suspense>
                })}
                <nav aria-label=lang.pick("語言", "Language")>
                    <a class="lang-switch" href=switch_href hreflang=lang.pick("en", "zh-Hant-TW")>
                        {lang.pick("English", "中文")}
                    </a>
                </nav>
            </div>
        </header>
    }
}

/// Whether this request carries a session token. The header is rendered on the server only
/// (it is no island), so the client's build never asks.
fn carries_session() -> bool {
    #[cfg(feature = "ssr")]
    return crate::platform::auth::carries_session();
    #[cfg(not(feature = "ssr"))]
    return true;
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    let lang = current_lang();
    view! {
        <footer class="site-footer">
            <nav aria-label=lang.pick("其他連結", "More links")>
                <a href="/card-helper">{lang.pick("跨平台網頁元件下載", "Card helper")}</a>
                " · "
                <a href="/company/sign-in">{lang.pick("公司憑證登入", "Company sign-in")}</a>
                " · "
                <a href="/admin">{lang.pick("後台作業（工作人員）", "Back office (staff)")}</a>
            </nav>
            <p>
                {lang.pick(
                    "戶政服務專線 1996 內政一指通 · 本系統為開源實作 Huji",
                    "Household registration hotline 1996 · Huji, an open-source implementation",
                )}
            </p>
        </footer>
    }
}

/// A `next` parameter that is safe to send the browser to: a path on this site, never
/// another site (`//evil.example`, `/\evil.example`) or a scheme.
pub fn local_path(next: &str) -> Option<&str> {
    let safe = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control());
    safe.then_some(next)
}

/// Percent-encodes a path for use as one query value.
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{encode_query_value, local_path};

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/company"), Some("/company"));
        assert_eq!(local_path("/admin/staff?x=1"), Some("/admin/staff?x=1"));
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "",
            "/a\nb",
        ] {
            assert_eq!(local_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(encode_query_value("/a?b=c&d"), "/a%3Fb%3Dc%26d");
        assert_eq!(encode_query_value("/查詢"), "/%E6%9F%A5%E8%A9%A2");
    }
}
