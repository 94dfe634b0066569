//! The HTML document, the router and the frame every page shares (header, language switch,
//! footer).

use crate::components::layout::{SiteFooter, SiteHeader};
use crate::i18n::Lang;
use crate::pages::{
    card_helper::CardHelperPage, design::DesignPage, home::HomePage, not_found::NotFound,
};
use crate::services::agency::AgencySignInPage;
use crate::services::agency_link::AgencyLinkRoutes;
use crate::services::api_service::ApiServiceRoutes;
use crate::services::certificate::CertificateRoutes;
use crate::services::company::{CompanyHomePage, CompanySignInPage};
use crate::services::confirmation::ConfirmationRoutes;
use crate::services::id_card_loss::IdCardLossRoutes;
use crate::services::id_usage::IdUsageRoutes;
use crate::services::staff::StaffRoutes;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Html, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The whole document, rendered on the server. The CSP nonce is created here so that the
/// hydration scripts and the `Content-Security-Policy` header carry the same value.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos_meta::MetaTags;
    leptos::nonce::provide_nonce();
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        if let Ok(value) = http::HeaderValue::from_str(&content_security_policy(&nonce)) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <ClientStylesheet options=options.clone() />
                <IslandScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The client's stylesheet, linked as Leptos's `HashedStylesheet` links it (`id="leptos"`),
/// with its file name found once per process: `HashedStylesheet` looks for the hash file and
/// reads it for every page it renders, a sixteenth of the home page's time (issue 23 item 5).
#[cfg(feature = "ssr")]
#[component]
fn ClientStylesheet(options: LeptosOptions) -> impl IntoView {
    use std::sync::OnceLock;
    static HREF: OnceLock<String> = OnceLock::new();
    let href = HREF.get_or_init(|| stylesheet_href(&options));
    view! { <link id="leptos" rel="stylesheet" href=href.as_str() /> }
}

/// Where the client's stylesheet is: its hashed name when the build hashes file names.
#[cfg(feature = "ssr")]
fn stylesheet_href(options: &LeptosOptions) -> String {
    let hashes = options.hash_files.then(|| build_hashes(options)).flatten();
    let hash = hashes.as_ref().and_then(|hashes| hashes.get("css"));
    let suffix = hash.map(|hash| format!(".{hash}")).unwrap_or_default();
    format!(
        "/{}/{}{suffix}.css",
        options.site_pkg_dir, options.output_name
    )
}

/// This build's hashes of the client's files by kind (`css`, `manifest`, `split`…), as
/// cargo-leptos wrote them in the hash file beside the binary, which Leptos reads too.
#[cfg(feature = "ssr")]
fn build_hashes(options: &LeptosOptions) -> Option<std::collections::HashMap<String, String>> {
    let hash_file = std::env::current_exe()
        .ok()?
        .parent()?
        .join(options.hash_file.as_ref());
    let hashes = std::fs::read_to_string(hash_file).ok()?;
    Some(
        hashes
            .lines()
            .filter_map(|line| {
                let (kind, hash) = line.split_once(':')?;
                Some((kind.trim().to_owned(), hash.trim().to_owned()))
            })
            .collect(),
    )
}

/// The hydration scripts, run only where there is something to hydrate (issue 23 item 1).
/// Leptos's `HydrationScripts` preloads and compiles the whole WebAssembly client on every
/// page, though a page without islands needs none of it. Each page gets one small inline
/// module instead. Module scripts run once the document is parsed (streamed parts included).
/// If the document holds an island, the module adds Leptos's own resource hints and runs its
/// island loader; otherwise it marks the page interactive (`data-hydrated`, as the client
/// does after hydrating) and nothing more is fetched.
#[cfg(feature = "ssr")]
#[component]
fn IslandScripts(options: LeptosOptions) -> impl IntoView {
    use std::sync::OnceLock;
    static LOADER: OnceLock<String> = OnceLock::new();
    // As `HydrationScripts` does in islands mode before the body renders: markup outside the
    // islands is never hydrated, so it carries no hydration keys.
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    let loader = LOADER.get_or_init(|| island_loader(options));
    view! { <script type="module" nonce=leptos::nonce::use_nonce()>{loader.as_str()}</script> }
}

/// Where Leptos's island loader starts hydrating the islands, and what it becomes here.
#[cfg(feature = "ssr")]
const HYDRATE_ISLANDS: &str = "hydrateIslands(document.body, mod);";
#[cfg(feature = "ssr")]
const HYDRATE_ISLANDS_THEN_MARK: &str =
    "chunksPreloaded.then(()=>hydrateIslands(document.body, mod))\
     .then(()=>{document.body.dataset.hydrated=\"true\";});";

/// What the island loader waits for when the build is not split: nothing.
#[cfg(feature = "ssr")]
const NO_CHUNKS_TO_PRELOAD: &str = "const chunksPreloaded=Promise.resolve();";

/// Leptos's own hydration scripts for this build, rendered once and taken apart: its resource
/// hints (inserted by script, only on pages with islands) and its island loader (run only
/// there). Rendered under a root owner of its own, so that no page's context (its nonce) is
/// kept in what every page then shares.
#[cfg(feature = "ssr")]
fn island_loader(options: LeptosOptions) -> String {
    /// Sets the page's owner back when dropped: a root owner makes itself the current one.
    struct PageOwner(Option<Owner>);
    impl Drop for PageOwner {
        fn drop(&mut self) {
            if let Some(page) = &self.0 {
                page.set();
            }
        }
    }
    let pkg = format!("/{}/", options.site_pkg_dir);
    let preload = split_build_files(&options)
        .map(|(manifest, loader)| chunk_preloader(&pkg, &manifest, &loader))
        .unwrap_or_else(|| NO_CHUNKS_TO_PRELOAD.to_owned());
    let _page = PageOwner(Owner::current());
    let html = Owner::new_root(None)
        .with(|| view! { <HydrationScripts options islands=true /> }.to_html());
    let (hints, script) = html
        .split_once("<script")
        .and_then(|(hints, rest)| Some((hints, rest.split_once('>')?.1)))
        .and_then(|(hints, rest)| Some((hints, rest.strip_suffix("</script>")?)))
        .unwrap_or_else(|| panic!("Leptos's hydration scripts changed shape: {html}"));
    // The islands are hydrated once the chunk preloads are in the document, so that a lazy
    // island's loader finds its chunks already on their way, not fetched a second time beside
    // them: the manifest is small and fetched beside the far larger client, so this costs no
    // time. Lazy islands hydrate once their chunks have arrived, so the page is interactive
    // (`data-hydrated`, for people's tools and the end-to-end tests) only when all have. The
    // controls that need the client (`.js-only`) are shown then too: an island whose chunk
    // never arrives leaves its controls hidden rather than shown and dead.
    let script = script
        .split_once(HYDRATE_ISLANDS)
        .map(|(before, after)| format!("{before}{HYDRATE_ISLANDS_THEN_MARK}{after}"))
        .unwrap_or_else(|| panic!("Leptos's island loader changed shape: {script}"));
    let hints = js_string(hints);
    format!(
        "if(document.querySelector(\"leptos-island\")){{\
         document.head.insertAdjacentHTML(\"beforeend\",{hints});{preload}{script}\
         }}else{{document.body.dataset.hydrated=\"true\";}}"
    )
}

/// `text` as a JavaScript string inside `<script>`: no `<` left to end it or open a comment.
#[cfg(feature = "ssr")]
fn js_string(text: &str) -> String {
    serde_json::to_string(text)
        .unwrap_or_default()
        .replace('<', "\\u003c")
}

/// The file names of this build's split manifest (which names, for each lazy island's loader,
/// the chunks it fetches) and split loader: `None` for a build without `--split`. With hashed
/// file names they are this build's, as cargo-leptos wrote them in the hash file Leptos reads
/// (`manifest:` and `split:`), not an older build's left beside them in the directory.
#[cfg(feature = "ssr")]
fn split_build_files(options: &LeptosOptions) -> Option<(String, String)> {
    if !options.hash_files {
        let pkg =
            std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
        return pkg.join("__wasm_split_manifest.json").is_file().then(|| {
            (
                "__wasm_split_manifest.json".to_string(),
                "__wasm_split.______________________.js".to_string(),
            )
        });
    }
    let hashes = build_hashes(options)?;
    Some((
        format!("__wasm_split_manifest.{}.json", hashes.get("manifest")?),
        format!("__wasm_split.{}.js", hashes.get("split")?),
    ))
}

/// A script that preloads, at once and side by side, every chunk the page's islands need.
/// Leptos hydrates the islands one after another, each fetching its chunks only when its turn
/// comes: one round trip per kind of island, seconds each on a slow network. The manifest
/// (fetched beside the client) names each lazy island's chunks: the island `CardSignIn_123` is
/// hydrated by the loader `card_sign_in_loader_…` (compared without case and underscores, as
/// Leptos's snake case also splits digits and acronyms). The preloads are fetched as the loader later
/// fetches them (same URL, CORS mode, same-origin credentials), so the browser reuses them:
/// `chunksPreloaded` settles once they are in the document, and hydration waits for it (a
/// preload added after the loader's own fetch began would fetch the chunk twice). The split
/// loader, which the client's script imports, is preloaded with it.
#[cfg(feature = "ssr")]
fn chunk_preloader(pkg: &str, manifest: &str, loader: &str) -> String {
    let manifest = js_string(&format!("{pkg}{manifest}"));
    let loader = js_string(&format!("{pkg}{loader}"));
    let pkg = js_string(pkg);
    format!(
        "{{const l=document.createElement(\"link\");l.rel=\"modulepreload\";l.href={loader};\
         document.head.append(l);}}\
         const chunksPreloaded=fetch({manifest}).then(r=>r.json()).then(m=>{{const w=new Set();\
         for(const e of document.querySelectorAll(\"leptos-island\")){{\
         const n=(e.dataset.component||\"\").replace(/_[0-9]+$/,\"\").toLowerCase();\
         for(const k in m)if(k.replace(/_loader_[0-9]+$/,\"\").replaceAll(\"_\",\"\")===n)\
         m[k].forEach(f=>w.add(f));}}\
         for(const f of w){{const l=document.createElement(\"link\");l.rel=\"preload\";\
         l.as=\"fetch\";l.crossOrigin=\"anonymous\";l.href={pkg}+f+\".wasm\";\
         document.head.append(l);}}}}).catch(()=>{{}});"
    )
}

/// The page's Content-Security-Policy: only our own scripts, the nonce'd hydration script and
/// WebAssembly compilation; no framing; the card helper on loopback is the one other origin
/// pages may call.
#[cfg(feature = "ssr")]
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self' http://127.0.0.1:*; \
         font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The language of this request: the cookie set by the language switch, else zh-TW.
pub fn current_lang() -> Lang {
    if let Some(lang) = use_context::<Lang>() {
        return lang;
    }
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .map(|parts| lang_of(&parts.headers))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        lang_from_document_cookie()
    }
}

/// The language a request's cookie chose, else zh-TW: for routes outside the app's pages.
#[cfg(feature = "ssr")]
pub fn lang_of(headers: &http::HeaderMap) -> Lang {
    headers
        .get(http::header::COOKIE)
        .and_then(|header| header.to_str().ok())
        .and_then(|header| crate::platform::session::cookie_value(header, crate::i18n::LANG_COOKIE))
        .map(Lang::from_tag)
        .unwrap_or_default()
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn lang_from_document_cookie() -> Lang {
    use wasm_bindgen::JsCast;
    let cookies = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        .and_then(|d| d.cookie().ok())
        .unwrap_or_default();
    cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == crate::i18n::LANG_COOKIE)
        .map(|(_, value)| Lang::from_tag(value))
        .unwrap_or_default()
}

#[cfg(not(any(feature = "hydrate", feature = "ssr")))]
fn lang_from_document_cookie() -> Lang {
    Lang::default()
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = current_lang();
    provide_context(lang);
    view! {
        <Html attr:lang=lang.tag() />
        <Title
            formatter=move |page: String| {
                let site = lang.pick("內政部戶政司 網路申辦服務", "Household Registration Online Services");
                if page.is_empty() { site.to_owned() } else { format!("{page} | {site}") }
            }
        />
        <Router>
            <a class="skip-link" href="#main">{lang.pick("跳到主要內容", "Skip to main content")}</a>
            <SiteHeader />
            <main id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("") view=HomePage />
                    <Route path=path!("/card-helper") view=CardHelperPage />
                    <Route path=path!("/design") view=DesignPage />
                    <Route path=path!("/company/sign-in") view=CompanySignInPage />
                    <Route path=path!("/company") view=CompanyHomePage ssr=SsrMode::Async />
                    <Route path=path!("/agency/sign-in") view=AgencySignInPage />
                    // Each service's pages, declared beside its manifest.
                    <StaffRoutes />
                    <IdCardLossRoutes />
                    <ApiServiceRoutes />
                    <CertificateRoutes />
                    <AgencyLinkRoutes />
                    <ConfirmationRoutes />
                    <IdUsageRoutes />
                </Routes>
            </main>
            <SiteFooter />
        </Router>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::island_loader;
    use leptos::prelude::{LeptosOptions, Owner};

    #[test]
    fn issue_23_the_client_is_named_only_in_the_branch_for_a_page_with_islands() {
        let options = LeptosOptions::builder().output_name("huji").build();
        // Made while a page's nonce is in context, as on the first page served: kept by every
        // page after, so it must not carry that nonce.
        let owner = Owner::new();
        let loader = owner.with(|| {
            leptos::nonce::provide_nonce();
            let nonce = leptos::nonce::use_nonce().expect("a nonce").to_string();
            let loader = island_loader(options);
            assert!(!loader.contains(&nonce), "{loader}");
            // The page goes on rendering under its own owner, its nonce in context.
            assert_eq!(
                leptos::nonce::use_nonce().map(|nonce| nonce.to_string()),
                Some(nonce)
            );
            loader
        });
        let (with_islands, without) = loader
            .strip_prefix("if(document.querySelector(\"leptos-island\")){")
            .and_then(|rest| rest.split_once("}else{"))
            .expect("a test for islands first");
        assert!(
            with_islands.contains("rel=\\\"preload\\\""),
            "{with_islands}"
        );
        assert!(with_islands.contains("huji_bg.wasm") || with_islands.contains("huji.wasm"));
        assert!(with_islands.contains("hydrate"), "{with_islands}");
        // Interactive only once every lazy island is hydrated, not when the client starts.
        assert!(
            with_islands.contains(super::HYDRATE_ISLANDS_THEN_MARK),
            "{with_islands}"
        );
        assert!(!with_islands.contains("nonce"), "{with_islands}");
        // Without a split build there is no chunk to wait for.
        assert!(
            with_islands.contains(super::NO_CHUNKS_TO_PRELOAD),
            "{with_islands}"
        );
        assert_eq!(without, "document.body.dataset.hydrated=\"true\";}");
    }

    #[test]
    fn issue_23_a_split_build_preloads_the_chunks_of_the_pages_islands_at_once() {
        let site = std::env::temp_dir().join(format!("huji-split-{}", std::process::id()));
        std::fs::create_dir_all(site.join("pkg")).expect("a site");
        std::fs::write(site.join("pkg/__wasm_split_manifest.json"), "{}").expect("written");
        let options = LeptosOptions::builder()
            .output_name("huji")
            .site_root(site.to_string_lossy().to_string())
            .build();
        let loader = Owner::new().with(|| island_loader(options));
        std::fs::remove_dir_all(&site).expect("removed");
        let with_islands = loader.split_once("}else{").expect("two branches").0;
        assert!(
            with_islands.contains("fetch(\"/pkg/__wasm_split_manifest.json\")"),
            "{with_islands}"
        );
        assert!(
            with_islands.contains("l.href=\"/pkg/__wasm_split.______________________.js\""),
            "{with_islands}"
        );
        // Leptos's loader starts hydrating only once the preloads are in the document: a
        // preload added after the island's own fetch began would fetch its chunk twice.
        let preloads = with_islands
            .find("const chunksPreloaded=fetch(\"/pkg/__wasm_split_manifest.json\")")
            .expect("the preloads, as a promise");
        let preload = with_islands.find("l.rel=\"preload\"").expect("a preload");
        let hydrate = with_islands
            .find("hydrateIslands(document.body")
            .expect("the loader");
        assert!(preloads < preload && preload < hydrate, "{with_islands}");
        assert!(
            with_islands.contains("chunksPreloaded.then(()=>hydrateIslands(document.body, mod))"),
            "{with_islands}"
        );
    }

    #[test]
    fn issue_23_5_the_stylesheet_is_linked_where_leptos_links_it() {
        use leptos::prelude::*;
        let name = format!("huji-css-hash-{}.txt", std::process::id());
        let exe = std::env::current_exe().expect("the test binary");
        let hash_file = exe.parent().expect("its directory").join(&name);
        std::fs::write(&hash_file, "js: a\nwasm: b\ncss: C55\n").expect("written");
        for hashed in [false, true] {
            let options = LeptosOptions::builder()
                .output_name("huji")
                .hash_files(hashed)
                .hash_file(name.clone().into())
                .build();
            let href = super::stylesheet_href(&options);
            let leptos = Owner::new()
                .with(|| view! { <leptos_meta::HashedStylesheet options id="leptos" /> }.to_html());
            assert!(
                leptos.contains(&format!("href=\"{href}\"")),
                "{leptos} {href}"
            );
            assert_eq!(href.contains(".C55.css"), hashed, "{href}");
        }
        std::fs::remove_file(&hash_file).expect("removed");
    }

    #[test]
    fn issue_23_with_hashed_names_the_preloads_are_this_builds_from_the_hash_file() {
        // As cargo-leptos writes it beside the binary; an older build's files may be left in
        // the client's directory, and are not looked at.
        let name = format!("huji-hash-{}.txt", std::process::id());
        let exe = std::env::current_exe().expect("the test binary");
        let hash_file = exe.parent().expect("its directory").join(&name);
        std::fs::write(&hash_file, "js: a\nwasm: b\nmanifest: M4n1\nsplit: Spl1\n")
            .expect("written");
        let options = LeptosOptions::builder()
            .output_name("huji")
            .hash_files(true)
            .hash_file(name.into())
            .build();
        let loader = Owner::new().with(|| island_loader(options));
        std::fs::remove_file(&hash_file).expect("removed");
        assert!(
            loader.contains("fetch(\"/pkg/__wasm_split_manifest.M4n1.json\")"),
            "{loader}"
        );
        assert!(
            loader.contains("l.href=\"/pkg/__wasm_split.Spl1.js\""),
            "{loader}"
        );
    }
}
