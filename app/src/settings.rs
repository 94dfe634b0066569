//! The portal's settings that pages and server functions need (the rest stays in `server`).

/// Settings from the server's configuration that pages and server functions read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortalSettings {
    /// The public origin, e.g. `https://huji.example.gov.tw`: used for CSRF checks and links.
    pub public_origin: String,
    /// Where the pages find the card helper (跨平台網頁元件), e.g. `http://127.0.0.1:24170`.
    pub card_helper_url: String,
    /// The review desk's mailbox, told of each new API-service case (A-N5).
    pub review_mailbox: String,
    /// Whether counter actions are taken at any hour (`HUJI_COUNTER_HOURS=always`): for a
    /// demonstration or a test run on the real clock. Otherwise each office's counter hours
    /// hold (C-2).
    pub counters_always_open: bool,
}

impl PortalSettings {
    /// Cookies get `Secure` when the portal is served over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_origin.starts_with("https://")
    }

    /// A development portal: one served over plain `http://` (a production portal is served
    /// over HTTPS). Only there may a loopback caller match a grant's registered address
    /// ([`crate::platform::client::may_match_registered`]).
    pub fn development(&self) -> bool {
        !self.secure_cookies()
    }

    /// What a card signed for a `challenge` of this portal's pages: the card helper signs the
    /// challenge within a message naming the page's origin
    /// ([`card_helper::protocol::signed_message`]), which must be this one.
    pub fn card_signed(&self, challenge: &[u8]) -> Vec<u8> {
        card_helper::protocol::signed_message(&self.public_origin, challenge)
    }

    /// What a blank card's new key signed for a `challenge` of this portal's counter page,
    /// naming the card helper's transport key ([`card_helper::protocol::key_proof_message`]).
    pub fn card_key_proof(&self, transport_key_b64: &str, challenge: &[u8]) -> Vec<u8> {
        card_helper::protocol::key_proof_message(&self.public_origin, transport_key_b64, challenge)
    }
}

/// The settings of the server rendering this page. Pages render on the server only
/// (islands), so the browser build never asks and gets the defaults.
pub fn portal_settings() -> PortalSettings {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<crate::platform::AppState>()
            .map(|state| (*state.settings).clone())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        PortalSettings::default()
    }
}
