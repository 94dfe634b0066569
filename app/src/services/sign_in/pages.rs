//! The sign-in page frame shared by companies, agencies, citizens and staff, and the sign-out
//! button.

use super::island::CardSignIn;
use super::server::SignOut;
use super::SignInKind;
use crate::i18n::Lang;
use crate::settings::portal_settings;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignInPage(kind: SignInKind) -> impl IntoView {
    let lang = current_lang();
    let next = use_query_map()
        .read_untracked()
        .get("next")
        .filter(|next| crate::components::layout::local_path(next).is_some());
    let (title, intro) = match kind {
        SignInKind::Company => (
            lang.pick("公司憑證登入", "Company sign-in"),
            lang.pick(
                "請備妥可讀取工商憑證之晶片讀卡機，將公司之工商憑證插入讀卡機並連接電腦後，輸入「營利事業統一編號」及「工商憑證密碼」，按下「登入」。",
                "Insert your company's business certificate (工商憑證) card into a card reader connected to this computer, enter the business ID and the certificate PIN, and press Sign in.",
            ),
        ),
        SignInKind::Agency => (
            lang.pick("機關憑證登入", "Agency sign-in"),
            lang.pick(
                "請備妥可讀取機關憑證之晶片讀卡機，將貴機關之機關憑證（政府憑證管理中心 GCA 簽發）插入讀卡機並連接電腦後，輸入「機關代號」及「機關憑證 PIN 碼」，按下「登入」。",
                "Insert your agency's certificate card (機關憑證, issued by the Government Certification Authority, GCA) into a card reader connected to this computer, enter the agency code (機關代號) and the certificate PIN, and press Sign in.",
            ),
        ),
        SignInKind::Citizen => (
            lang.pick("自然人憑證登入", "Sign in with your citizen certificate"),
            lang.pick(
                "請將您的自然人憑證插入讀卡機，輸入 PIN 碼後按下「登入」。PIN 碼只會送到您電腦上的跨平台網頁元件。",
                "Insert your citizen certificate (自然人憑證) card into a card reader, enter its PIN and press Sign in. The PIN goes only to the card helper on your computer.",
            ),
        ),
        SignInKind::Staff => (
            lang.pick("後台工作人員登入", "Staff sign-in"),
            lang.pick(
                "請將您的自然人憑證插入讀卡機，輸入 PIN 碼後按下「登入」。",
                "Insert your citizen certificate (自然人憑證) card into a card reader, enter its PIN and press Sign in.",
            ),
        ),
    };
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <p>{intro}</p>
        <CardSignIn kind lang helper_url=portal_settings().card_helper_url next />
    }
}

/// 登出: a plain form, so that it works with or without JavaScript.
#[component]
pub fn SignOutButton(lang: Lang) -> impl IntoView {
    view! {
        <form method="post" action=SignOut::url() class="sign-out">
            <button type="submit">{lang.pick("登出", "Sign out")}</button>
        </form>
    }
}
