//! The back office's own pages: staff sign-in, the staff home, and the staff accounts within
//! one's jurisdiction.

use super::role::Role;
use super::StaffMember;
use crate::components::refusal::Refusal;
use crate::components::table::rows_or_none;
use crate::error::PortalError;
use crate::services::manifest::menu;
use crate::services::sign_in::pages::SignInPage;
use crate::services::sign_in::SignInKind;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;

/// Who may see the staff accounts: the ministry's IT department (everyone) and county
/// officers (their county's staff).
pub const ACCOUNT_VIEWERS: [Role; 2] = [Role::InformationServices, Role::CountyOfficer];

/// The signed-in staff member.
#[server(endpoint = "staff_overview")]
pub async fn staff_overview() -> Result<StaffMember, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    super::access::require_staff(&state, &Role::ALL).await
}

/// The active staff accounts within the caller's jurisdiction.
#[server(endpoint = "staff_accounts")]
pub async fn staff_accounts() -> Result<Vec<StaffMember>, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let member = super::access::require_staff(&state, &ACCOUNT_VIEWERS).await?;
    Ok(super::store::list_within(&state.db.pool, &member.jurisdiction).await?)
}

#[component]
pub fn StaffSignInPage() -> impl IntoView {
    view! { <SignInPage kind=SignInKind::Staff /> }
}

#[component]
pub fn StaffHomePage() -> impl IntoView {
    let lang = current_lang();
    let overview = Resource::new(|| (), |()| staff_overview());
    let title = lang.pick("後台作業", "Back office");
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || overview.get().map(|result| match result {
                Ok(member) => view! {
                    <dl class="facts">
                        <dt>{lang.pick("姓名", "Name")}</dt><dd>{member.name.clone()}</dd>
                        <dt>{lang.pick("角色", "Role")}</dt><dd>{member.role.label(lang)}</dd>
                        <dt>{lang.pick("轄區", "Jurisdiction")}</dt><dd>{member.jurisdiction.label(lang)}</dd>
                    </dl>
                    <ul class="service-list">
                        {menu(member.role)
                            .map(|entry| view! { <li><a href=entry.path>{entry.label(lang)}</a></li> })
                            .collect_view()}
                    </ul>
                }.into_any(),
                Err(error) => view! { <Refusal error lang /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
pub fn StaffAccountsPage() -> impl IntoView {
    let lang = current_lang();
    let accounts = Resource::new(|| (), |()| staff_accounts());
    let title = lang.pick("工作人員帳號", "Staff accounts");
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || accounts.get().map(|result| match result {
                Ok(members) => view! {
                    <table class="data">
                        <caption>{lang.pick("您轄區內的有效帳號", "Active accounts in your jurisdiction")}</caption>
                        <thead><tr>
                            <th scope="col">{lang.pick("編號", "No.")}</th>
                            <th scope="col">{lang.pick("姓名", "Name")}</th>
                            <th scope="col">{lang.pick("角色", "Role")}</th>
                            <th scope="col">{lang.pick("轄區", "Jurisdiction")}</th>
                            <th scope="col">{lang.pick("憑證有效期限", "Certificate valid until")}</th>
                        </tr></thead>
                        <tbody>
                            {rows_or_none(members.into_iter().map(|member| view! {
                                <tr>
                                    <td data-label=lang.pick("編號", "No.")>{member.id}</td>
                                    <td data-label=lang.pick("姓名", "Name")>{member.name.clone()}</td>
                                    <td data-label=lang.pick("角色", "Role")>{member.role.label(lang)}</td>
                                    <td data-label=lang.pick("轄區", "Jurisdiction")>{member.jurisdiction.label(lang)}</td>
                                    <td data-label=lang.pick("憑證有效期限", "Certificate valid until")>{member.certificate_valid_until.clone()}</td>
                                </tr>
                            }).collect(), 5, lang)}
                        </tbody>
                    </table>
                    <p><a href="/admin">{lang.pick("回後台首頁", "Back to the back office")}</a></p>
                }.into_any(),
                Err(error) => view! { <Refusal error lang /> }.into_any(),
            })}
        </Suspense>
    }
}
