//! The papers printed outside a case's files (issue 20 items 5 and 11): for anyone, the blank
//! 自然人憑證申請表 and the API's operation manual (操作文件下載); for a registrar, an
//! application's 憑證申請書 and an issued card's face. What each says, and the audit of the
//! registrar's prints, is the app's; this module only speaks HTTP. A signed-out visitor or an
//! account that issues no cards gets 403; an application or card the registrar may not print
//! gets the same 404 as one that does not exist.

use super::files::{
    cross_site_refusal, not_found, pdf, print, printed, refusal, source_ip, unavailable, FilesState,
};
use app::i18n::Lang;
use app::platform::clock::roc_date;
use app::platform::paper::Sheet;
use app::services::certificate::counter::{self, lookup, ISSUING_ROLES};
use app::services::certificate::{application::BLANK_FORM_PATH, papers};
use app::services::staff::{access::staff_on, StaffMember};
use axum::{
    body::Bytes,
    extract::{FromRequestParts, Path, Request, State},
    http::{request::Parts, StatusCode},
    response::Response,
    routing::get,
    Router,
};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Mutex;

pub fn routes<S: Clone + Send + Sync + 'static>(files: FilesState) -> Router<S> {
    let state = PrintoutState {
        files,
        public: Arc::default(),
    };
    Router::new()
        .route(BLANK_FORM_PATH, get(blank_form))
        .route(app::services::api_service::MANUAL_PDF_PATH, get(manual))
        .route(
            &format!("{}/{{reference}}/application.pdf", counter::PATH),
            get(application_paper),
        )
        .route(
            &format!("{}/{{card}}/face.pdf", counter::CARDS_PATH),
            get(card_face),
        )
        .with_state(state)
}

/// Each public paper in each language, with the day it was printed.
type Printed = HashMap<(Public, Lang), (String, Bytes)>;

#[derive(Clone)]
struct PrintoutState {
    files: FilesState,
    /// The papers anyone may download, as printed today: the same for every reader, so each
    /// is printed once a day per language rather than once per request, and a burst of
    /// downloads costs no printing. The lock is held while a missing paper prints, so that
    /// a burst at midnight or after a start prints it once, not once per request.
    public: Arc<Mutex<Printed>>,
}

/// A paper anyone may download.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Public {
    BlankForm,
    Manual,
}

impl PrintoutState {
    /// Today, as the papers print it.
    fn today(&self) -> String {
        roc_date(self.files.app.clock.unix())
    }

    /// Public paper `which` in `lang`, printed today by `sheet` unless it already was.
    async fn public(
        &self,
        which: Public,
        lang: Lang,
        sheet: impl FnOnce(&str) -> Sheet,
    ) -> Result<Bytes, Response> {
        let today = self.today();
        let key = (which, lang);
        let mut public = self.public.lock().await;
        if let Some((_, bytes)) = public.get(&key).filter(|(day, _)| *day == today) {
            return Ok(bytes.clone());
        }
        let bytes = Bytes::from(printed(&self.files.printer, sheet(&today)).await?);
        public.insert(key, (today, bytes.clone()));
        Ok(bytes)
    }
}

async fn blank_form(State(state): State<PrintoutState>) -> Response {
    // The form is in Chinese whatever the reader's language, as the ministry's is.
    match state
        .public(Public::BlankForm, Lang::ZhTw, papers::blank_form)
        .await
    {
        Ok(bytes) => pdf("moica-application-form.pdf", "自然人憑證申請表.pdf", bytes),
        Err(refused) => refused,
    }
}

async fn manual(State(state): State<PrintoutState>, request: Request) -> Response {
    let lang = app::shell::lang_of(request.headers());
    let sheet = |today: &str| app::services::api_service::manual::sheet(lang, today);
    let name = lang.pick(
        "國民身分證領補換資料查驗API操作文件.pdf",
        "id-card-verification-api-manual.pdf",
    );
    match state.public(Public::Manual, lang, sheet).await {
        Ok(bytes) => pdf("verification-api-manual.pdf", name, bytes),
        Err(refused) => refused,
    }
}

/// The registrar asking, with the address the audit records: what every registrar's print
/// starts from. Anyone else, and a download another site started, is answered 403.
struct Registrar {
    member: StaffMember,
    source_ip: String,
}

impl FromRequestParts<PrintoutState> for Registrar {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &PrintoutState,
    ) -> Result<Registrar, Response> {
        if let Some(refused) = cross_site_refusal(&parts.headers) {
            return Err(refused);
        }
        match staff_on(&state.files.app, &parts.headers, &ISSUING_ROLES).await {
            Ok(Some(member)) => Ok(Registrar {
                member,
                source_ip: source_ip(&parts.extensions),
            }),
            Ok(None) => Err(refusal(
                StatusCode::FORBIDDEN,
                "請先以戶政事務所登記人員之工作人員憑證登入。 Sign in as a household registrar first.",
            )),
            Err(error) => Err(unavailable(&error)),
        }
    }
}

async fn application_paper(
    State(state): State<PrintoutState>,
    Registrar { member, source_ip }: Registrar,
    Path(reference): Path<String>,
) -> Response {
    let found = lookup::for_paper(&state.files.app, &member, source_ip, &reference).await;
    let application = match found {
        Ok(Some(application)) => application,
        Ok(None) => return not_found(),
        Err(error) => return unavailable(&error),
    };
    let sheet = papers::application_paper(&application, &state.today());
    print(
        &state.files.printer,
        sheet,
        &format!("{}-application.pdf", application.reference),
        &format!("自然人憑證申請書-{}.pdf", application.reference),
    )
    .await
}

async fn card_face(
    State(state): State<PrintoutState>,
    Registrar { member, source_ip }: Registrar,
    Path(card): Path<String>,
) -> Response {
    let face = match lookup::card_face(&state.files.app, &member, source_ip, &card).await {
        Ok(Some(face)) => face,
        Ok(None) => return not_found(),
        Err(error) => return unavailable(&error),
    };
    let name = format!("card-face-{}.pdf", face.card_number);
    print(&state.files.printer, papers::card_face(&face), &name, &name).await
}
