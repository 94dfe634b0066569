//! Step 1 in the browser (L-1): the signed-in agency files one application per interface —
//! the 申請表's fields, the data items, the 資通安全長 review for household data, the GSN VPN
//! 申請書 for a first VPN link — with its documents (PDF). The form posts to its own page
//! (`multipart/form-data`); the server parses everything again and files the case.

use super::cases::{DataKind, Interface};
use super::documents::{self, DocumentKind};
use super::form::fields::{
    CISO_FIELDS, COUNTY, DATA_KIND, FIELDS, FIRST_VPN, INTERFACE, ITEMS, VPN_BLANK, VPN_FIELDS,
    VPN_FIXED,
};
use super::items::Item;
use super::{AGENCY_CASE_PATH, AGENCY_PATH, APPLY_PATH};
use crate::cases::Code;
use crate::components::refusal::{ErrorSummary, Refusal};
use crate::domain::county::County;
use crate::error::PortalError;
use crate::forms::{error_of, value};
use crate::i18n::Lang;
use crate::posted_form::posted_form;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// The form page: the agency, and what became of a posted application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyPage {
    pub agency_name: String,
    pub agency_code: String,
    /// The 直轄市/縣(市) the agency lies in, whose unit receives its applications.
    pub agency_county: String,
    /// The case number filed, or every field that must be corrected.
    pub outcome: Option<Result<String, Vec<PortalError>>>,
}

#[server(endpoint = "agency_link_apply", input = server_fn::codec::Json)]
pub async fn agency_link_apply(
    posted: Option<Vec<(String, String)>>,
) -> Result<ApplyPage, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let agency = crate::services::agency::require_agency(&state).await?;
    let outcome = match posted {
        Some(posted) => Some(ssr::file(&state, &agency, &posted).await),
        None => None,
    };
    Ok(ApplyPage {
        agency_name: agency.name,
        agency_code: agency.code,
        agency_county: agency.county,
        outcome,
    })
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::super::documents::Upload;
    use super::super::form::Application;
    use crate::cases::actor::Actor;
    use crate::cases::work::Work;
    use crate::domain::county::County;
    use crate::error::PortalError;
    use crate::platform::{auth, AppState};
    use crate::services::agency::AgencySession;

    /// Parses and files the posted application; every bad field at once.
    pub async fn file(
        state: &AppState,
        agency: &AgencySession,
        posted: &[(String, String)],
    ) -> Result<String, Vec<PortalError>> {
        let agency_code = agency.code.as_str();
        let application = Application::parse(posted);
        let uploads = Upload::from_posted(posted);
        // The county unit of the agency's own county receives its applications.
        let posted_county = County::parse(crate::forms::value(posted, super::COUNTY.name));
        let elsewhere = posted_county.is_ok_and(|county| county.name() != agency.county);
        let (application, uploads) = match (application, uploads) {
            (Ok(application), Ok(uploads)) if !elsewhere => {
                application
                    .host_address
                    .refuse_loopback(state.settings.development())
                    .map_err(|error| {
                        vec![PortalError::field(
                            super::super::form::fields::HOST_ADDRESS.name,
                            &error,
                        )]
                    })?;
                super::documents::check_complete(&application, &uploads)?;
                (application, uploads)
            }
            (application, uploads) => {
                let mut errors = application.err().unwrap_or_default();
                errors.extend(match uploads {
                    Ok(uploads) => {
                        super::super::documents::missing_from_every_application(&uploads)
                    }
                    Err(errors) => errors,
                });
                if elsewhere {
                    errors.push(PortalError::Field {
                        field: super::COUNTY.name.into(),
                        zh_tw: format!("受理之直轄市、縣(市)須為貴機關所在之{}。", agency.county),
                        english: format!(
                            "Applications go to the unit of the agency's own county or city, {}.",
                            agency.county
                        ),
                    });
                }
                return Err(errors);
            }
        };
        let actor = Actor::agency(agency_code, auth::source_ip());
        async {
            let mut work = Work::begin(&state.db, &actor, state.clock.unix()).await?;
            let id =
                super::super::store::file(&mut work, agency_code, &application, uploads).await?;
            let (case, _) = super::super::progress::load(work.conn(), &id)
                .await?
                .ok_or_else(|| PortalError::unavailable(format!("agency link {id} vanished")))?;
            super::super::notices::tell_ready(&mut work, &state.settings.public_origin, &case, &[])
                .await?;
            work.commit().await?;
            Ok(id)
        }
        .await
        .map_err(|error: PortalError| vec![error])
    }
}

/// `/agency-link/apply`.
#[component]
pub fn AgencyApplyPage() -> impl IntoView {
    let lang = current_lang();
    let posted = posted_form().map(|form| form.0);
    let page = Resource::new(|| (), {
        let posted = posted.clone();
        move |()| agency_link_apply(posted.clone())
    });
    let title = lang.pick("機關連結申請", "Apply to link to the registry");
    view! {
        <Title text=title />
        <p class="breadcrumb"><a href=AGENCY_PATH>{lang.pick("機關連結申請 案件辦理", "Agency linking: cases")}</a></p>
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || page.get().map(|result| match result {
                Ok(ApplyPage { outcome: Some(Ok(id)), .. }) => {
                    let link = format!("{AGENCY_CASE_PATH}?id={id}");
                    view! {
                        <div class="notice" role="status">
                            <p>{lang.pick("已送出申請，案件編號：", "Filed. Case number: ")}<a href=link>{id}</a></p>
                        </div>
                    }.into_any()
                }
                Ok(page) => {
                    let errors = match page.outcome {
                        Some(Err(errors)) => errors,
                        _ => Vec::new(),
                    };
                    view! { <ApplyForm page_agency=(page.agency_name, page.agency_code, page.agency_county) posted=posted.clone() errors lang /> }.into_any()
                }
                Err(error) => view! { <Refusal error lang /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn ApplyForm(
    /// The agency's name, code and county.
    page_agency: (String, String, String),
    posted: Option<Vec<(String, String)>>,
    errors: Vec<PortalError>,
    lang: Lang,
) -> impl IntoView {
    let shown = |name: &str| {
        posted
            .as_deref()
            .map(|p| value(p, name).to_owned())
            .unwrap_or_default()
    };
    let chosen = |name: &str, code: &str| {
        posted
            .as_deref()
            .is_some_and(|p| p.iter().any(|(n, v)| n == name && v == code))
    };
    let notice = view! { <ErrorSummary errors=errors.clone() lang /> };
    let general = errors
        .iter()
        .filter(|error| !matches!(error, PortalError::Field { .. }))
        .map(|error| view! { <p class="error">{error.message(lang)}</p> })
        .collect_view();
    let select = |field: super::form::fields::ChoiceField,
                  options: Vec<(&'static str, &'static str)>| {
        let error = error_of(&errors, field.name, lang);
        let current = shown(field.name);
        view! {
            <div class="field">
                <label for=field.name><span class="required" aria-hidden="true">"*"</span>{field.label(lang)}</label>
                {field.hint(lang).map(|hint| view! { <span class="hint" id=format!("{}-hint", field.name)>{hint}</span> })}
                <select id=field.name name=field.name required
                    aria-describedby=format!("{0}-hint {0}-error", field.name)
                    aria-invalid=if error.is_some() { "true" } else { "false" }>
                    {options.into_iter().map(|(code, label)| view! {
                        <option value=code selected=current == code>{label}</option>
                    }).collect_view()}
                </select>
                <span class="error" id=format!("{}-error", field.name)>{error}</span>
            </div>
        }
    };
    let interfaces = Interface::ALL
        .iter()
        .map(|i| (i.code(), i.label(lang)))
        .collect();
    let kinds = DataKind::ALL
        .iter()
        .map(|k| (k.code(), k.label(lang)))
        .collect();
    let counties = County::all().map(|c| (c.name(), c.label(lang))).collect();
    let items_error = error_of(&errors, ITEMS.name, lang);
    let first_vpn_error = error_of(&errors, FIRST_VPN.name, lang);
    let document = |kind: DocumentKind| {
        let error = error_of(&errors, kind.field(), lang);
        view! {
            <div class="field">
                <label for=kind.field()>{kind.label(lang)}</label>
                <input type="file" id=kind.field() name=kind.field() accept=".pdf,application/pdf"
                    aria-describedby=format!("documents-hint {}-error", kind.field())
                    aria-invalid=if error.is_some() { "true" } else { "false" } />
                <span class="error" id=format!("{}-error", kind.field())>{error}</span>
            </div>
        }
    };
    view! {
        {notice}
        {general}
        <form method="post" action=APPLY_PATH enctype="multipart/form-data" class="card-form" novalidate>
            <p class="hint">{lang.pick("標註星號(*)表示此欄位必須填寫", "Fields marked * are required.")}</p>
            <h2>{lang.pick("1. 申請表", "1. Application form")}</h2>
            <dl class="facts">
                <dt>{lang.pick("申請機關", "Agency")}</dt><dd>{page_agency.0}</dd>
                <dt>{lang.pick("機關代號", "Agency code")}</dt><dd>{page_agency.1}</dd>
            </dl>
            {select(INTERFACE, interfaces)}
            {select(DATA_KIND, kinds)}
            {select(COUNTY, counties)}
            {FIELDS.into_iter().map(|field| field.render(lang, shown(field.name), &errors, false)).collect_view()}
            <h2>{lang.pick("2. 各類需求資料項目表", "2. Data items")}</h2>
            <fieldset id=ITEMS.name aria-describedby="items-hint items-error">
                <legend>{ITEMS.label(lang)}</legend>
                <span class="hint" id="items-hint">{ITEMS.hint(lang)}</span>
                {Item::ALL.iter().map(|item| {
                    let id = format!("item-{}", item.code().replace('.', "-"));
                    view! {
                        <div class="field checkbox">
                            <input type="checkbox" id=id.clone() name=ITEMS.name value=item.code() checked=chosen(ITEMS.name, item.code()) />
                            <label for=id>{format!("{}（{}）", item.label(lang), item.kind().label(lang))}</label>
                        </div>
                    }
                }).collect_view()}
                <span class="error" id="items-error">{items_error}</span>
            </fieldset>
            <h2>{lang.pick("3. 資通安全長審查（申請戶籍資料者）", "3. CISO review (household data)")}</h2>
            {CISO_FIELDS.into_iter().map(|field| field.render(lang, shown(field.name), &errors, false)).collect_view()}
            <h2>{lang.pick("4. GSN VPN 申請書（首次申請 VPN 連線者）", "4. GSN VPN application (first VPN link)")}</h2>
            <div class="field checkbox">
                <input type="checkbox" id=FIRST_VPN.name name=FIRST_VPN.name value="yes" checked=chosen(FIRST_VPN.name, "yes")
                    aria-describedby="first_vpn-hint first_vpn-error" />
                <label for=FIRST_VPN.name>{FIRST_VPN.label(lang)}</label>
                <span class="hint" id="first_vpn-hint">{FIRST_VPN.hint(lang)}</span>
                <span class="error" id="first_vpn-error">{first_vpn_error}</span>
            </div>
            <dl class="facts">
                {VPN_FIXED.into_iter().map(|fixed| view! {
                    <dt>{lang.pick(fixed.label_zh, fixed.label_en)}</dt>
                    <dd>{fixed.value}<input type="hidden" name=fixed.name value=fixed.value /></dd>
                }).collect_view()}
            </dl>
            {VPN_FIELDS.into_iter().map(|field| field.render(lang, shown(field.name), &errors, false)).collect_view()}
            {VPN_BLANK.into_iter().map(|field| field.render(lang, shown(field.name), &errors, false)).collect_view()}
            <h2>{lang.pick("5. 申請文件", "5. Documents")}</h2>
            <p class="hint" id="documents-hint">{documents::hint(lang)}</p>
            {DocumentKind::ALL.iter().map(|kind| document(*kind)).collect_view()}
            <div class="buttons">
                <button type="submit">{lang.pick("送出申請", "File the application")}</button>
            </div>
        </form>
    }
}
