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
        {(kind == SignInKind::Company).then(|| view! { <BusinessCardHelperNote lang /> })}
    }
}

/// The note seed 000 prints under every form that asks for the 工商憑證密碼, whole: where the
/// MOEACA's 跨平台網頁元件 is downloaded, HiCOS, and where Windows puts them; then where this
/// portal's own card helper is described.
#[component]
pub fn BusinessCardHelperNote(lang: Lang) -> impl IntoView {
    view! {
        <div class="hint helper-note">
            <p>{lang.pick(
                "※如需使用工商憑證，請使用者務必下載安裝跨平台網頁元件",
                "※ To use your business certificate (工商憑證), you must download and install the cross-platform web component (跨平台網頁元件):",
            )}</p>
            <ul>
                <li>
                    {lang.pick("至工商憑證管理中心網站 ", "from the MOEA Certification Authority's website ")}
                    <a href="https://moeaca.nat.gov.tw" rel="noopener">"https://moeaca.nat.gov.tw"</a>
                    {lang.pick(
                        "，下載路徑為：進入首頁 → 下載專區 → 檔案下載 → 跨平台網頁讀卡元件下載，請依作業系統選取安裝，目前不支援行動裝置安裝。",
                        ": home page → 下載專區 (Downloads) → 檔案下載 (Files) → 跨平台網頁讀卡元件下載; choose the one for your operating system. Mobile devices are not supported.",
                    )}
                </li>
                <li>{lang.pick(
                    "此安裝已包含 HiCOS 卡片管理工具，請使用者務必使用最新版本，方能完整支援自然人憑證之讀取及使用，以避免用戶 PIN 碼被鎖或是無法使用之情事發生。",
                    "It includes the HiCOS card management tool. Always use the latest version: only it fully supports reading and using citizen certificates, and it keeps your PIN from being locked or the card from becoming unusable.",
                )}</li>
                <li>{lang.pick(
                    "安裝完畢後，Windows 使用者可點選「開始」→「所有程式」，將會出現「HiCOS PKI Smart Card」及「跨平台網頁元件」等資料夾。",
                    "Once installed, Windows users find the folders \"HiCOS PKI Smart Card\" and \"跨平台網頁元件\" under Start → All Programs.",
                )}</li>
            </ul>
            <p>
                {lang.pick("本網站使用之跨平台網頁元件：", "The card helper this portal works with: ")}
                <a href="/card-helper">{lang.pick("跨平台網頁元件說明", "About the card helper")}</a>
            </p>
        </div>
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
