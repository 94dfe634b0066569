//! 跨平台網頁元件下載: what the card helper is, how to install and start it, and how to try
//! the portal without a card reader. Linked from every card form's notice.

use crate::settings::portal_settings;
use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CardHelperPage() -> impl IntoView {
    let lang = current_lang();
    let settings = portal_settings();
    let origin = settings.public_origin;
    let helper = settings.card_helper_url;
    let title = lang.pick(
        "跨平台網頁元件下載與安裝",
        "Card helper (跨平台網頁元件): install and start",
    );
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <p>
            {lang.pick(
                "使用工商憑證或自然人憑證的表單，需要在您的電腦上執行「跨平台網頁元件」(huji-card-helper)。它透過 PC/SC 讀取讀卡機中的憑證 IC 卡，只在本機 ",
                "Forms that use a business or citizen certificate need the card helper (huji-card-helper) running on your computer. It reads the certificate card in your card reader through PC/SC, listens only on ",
            )}
            <code>{helper.clone()}</code>
            {lang.pick(
                " 提供服務，且只回應本網站的網頁。PIN 碼只會送到元件與卡片，不會傳送到本網站。",
                " on this computer, and answers only this website's pages. Your PIN goes only to the helper and the card, never to this website.",
            )}
        </p>
        <h2>{lang.pick("安裝", "Install")}</h2>
        <ol>
            <li>{lang.pick("安裝讀卡機驅動程式與 PC/SC 服務（Debian／Ubuntu：", "Install the card reader driver and the PC/SC service (Debian/Ubuntu: ")}<code>"apt-get install pcscd"</code>{lang.pick("）。", ").")}</li>
            <li>{lang.pick("自 Huji 原始碼安裝元件：", "Install the helper from the Huji source code: ")}<code>"cargo install --locked --path card-helper"</code></li>
        </ol>
        <h2>{lang.pick("啟動", "Start")}</h2>
        <p>{lang.pick("插入讀卡機與憑證 IC 卡後執行：", "With the reader and the card inserted, run:")}</p>
        <pre><code>{format!("huji-card-helper --allow-origin {origin}")}</code></pre>
        <p>{lang.pick("再回到表單頁面按「重新偵測」。", "Then go back to the form and press Detect again.")}</p>
        <h2>{lang.pick("沒有讀卡機時試用", "Trying it without a card reader")}</h2>
        <p>
            {lang.pick(
                "開發與展示環境可使用軟體憑證檔（內含開發測試用 PKI 簽發的金鑰與憑證）：",
                "Development and demonstration setups can use a software token file (a key and certificate from the development PKI):",
            )}
        </p>
        <pre><code>{format!("huji-card-helper --allow-origin {origin} --soft-token demo-company.token")}</code></pre>
        <p>{lang.pick("目前不支援行動裝置。", "Mobile devices are not supported.")}</p>
    }
}
