//! The company side of the ID-card verification API service (seed 000): a company signed in
//! with its 工商憑證.

use crate::components::refusal::Refusal;
use crate::error::PortalError;
use crate::services::sign_in::pages::SignInPage;
use crate::services::sign_in::SignInKind;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// The signed-in company.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyAccount {
    pub business_id: String,
    pub name: String,
}

/// The company as the business registry (商工登記) has it: name and status (`核准設立` when
/// it may do business), if registered. Sign-in (F-5) and the API review (A-N10) read it.
#[cfg(feature = "ssr")]
pub async fn registration(
    conn: &mut sqlx::AnyConnection,
    business_id: &str,
) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query_as("SELECT name, status FROM companies WHERE business_id = $1")
        .bind(business_id)
        .fetch_optional(conn)
        .await
}

/// The company of this session; signed-out visitors are sent to the company sign-in.
#[cfg(feature = "ssr")]
pub async fn require_company(
    state: &crate::platform::AppState,
) -> Result<CompanyAccount, PortalError> {
    use crate::platform::auth::{self, Principal};
    match auth::current_principal(state).await? {
        Some(Principal::Company {
            business_id, name, ..
        }) => Ok(CompanyAccount { business_id, name }),
        _ => Err(auth::sign_in_required(SignInKind::Company.sign_in_path())),
    }
}

#[server(endpoint = "company_overview")]
pub async fn company_overview() -> Result<CompanyAccount, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    require_company(&state).await
}

#[component]
pub fn CompanySignInPage() -> impl IntoView {
    view! { <SignInPage kind=SignInKind::Company /> }
}

#[component]
pub fn CompanyHomePage() -> impl IntoView {
    let lang = current_lang();
    let overview = Resource::new(|| (), |()| company_overview());
    let title = lang.pick(
        "國民身分證領補換資料查驗作業 API 介接服務",
        "ID-card verification API service",
    );
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || overview.get().map(|result| match result {
                Ok(company) => view! {
                    <dl class="facts">
                        <dt>{lang.pick("公司名稱", "Company")}</dt><dd>{company.name.clone()}</dd>
                        <dt>{lang.pick("營利事業統一編號", "Business ID")}</dt><dd>{company.business_id.clone()}</dd>
                    </dl>
                }.into_any(),
                Err(error) => view! { <Refusal error lang /> }.into_any(),
            })}
        </Suspense>
    }
}
