//! The error every server function returns: typed, so a page can put a field's message next
//! to that field, and localised in both languages.

use crate::domain::FieldError;
use crate::i18n::Lang;
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PortalError {
    /// A submitted field failed its parser on the server (the client normally catches this
    /// first; a forged request does not).
    #[error("invalid field {field}")]
    Field {
        field: String,
        zh_tw: String,
        english: String,
    },
    /// Not signed in, or the session ended.
    #[error("sign-in required")]
    SignInRequired,
    /// The signed-in user may not do this.
    #[error("forbidden")]
    Forbidden,
    /// The request was understood and refused for a reason the person can act on (a
    /// certificate problem, an expired challenge…), in both languages.
    #[error("refused: {english}")]
    Refused { zh_tw: String, english: String },
    /// A fault on our side (database, mail…): logged in full, shown as a generic notice.
    #[error("service unavailable")]
    Unavailable,
    /// The call itself failed (network, encoding).
    #[error("request failed: {0}")]
    Transport(String),
}

impl PortalError {
    pub fn field(field: &str, error: &impl FieldError) -> PortalError {
        PortalError::Field {
            field: field.to_owned(),
            zh_tw: error.message(Lang::ZhTw).to_owned(),
            english: error.message(Lang::English).to_owned(),
        }
    }

    /// A refusal whose reason is one of the portal's localized errors.
    pub fn refused(error: &impl FieldError) -> PortalError {
        PortalError::Refused {
            zh_tw: error.message(Lang::ZhTw).to_owned(),
            english: error.message(Lang::English).to_owned(),
        }
    }

    /// Logs a server-side fault with its cause and returns the generic error.
    #[cfg(feature = "ssr")]
    pub fn unavailable(cause: impl std::fmt::Display) -> PortalError {
        tracing::error!(%cause, "server function failed");
        PortalError::Unavailable
    }

    /// The HTTP status a server function's call is answered with when it returns this error
    /// (issue 24 item 5): what the person typed or chose is theirs to change (422), a missing
    /// sign-in 401, a role that may not 403, a call the server could not read 400; only a
    /// fault on our side stays a 500. A status a server function set itself (429) stands.
    pub fn status(&self) -> u16 {
        match self {
            PortalError::Field { .. } | PortalError::Refused { .. } => 422,
            PortalError::SignInRequired => 401,
            PortalError::Forbidden => 403,
            PortalError::Transport(_) => 400,
            PortalError::Unavailable => 500,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            PortalError::Field { zh_tw, english, .. } | PortalError::Refused { zh_tw, english } => {
                lang.pick(zh_tw, english).clone()
            }
            PortalError::SignInRequired => lang
                .pick("請先登入，或您的登入已逾時，請重新登入。", "Please sign in; your session may have ended.")
                .to_owned(),
            PortalError::Forbidden => lang.pick("您沒有執行此項作業的權限。", "You are not allowed to do this.").to_owned(),
            PortalError::Unavailable | PortalError::Transport(_) => lang
                .pick(
                    "系統暫時無法處理您的要求，請稍後再試；如持續發生請洽 1996 內政服務熱線。",
                    "The service cannot handle your request right now. Please try again later, or call the 1996 hotline if this persists.",
                )
                .to_owned(),
        }
    }
}

/// A database fault is a fault on our side: logged in full, shown as the generic notice. This
/// is what lets stores and the unit of work use `?` on sqlx results.
#[cfg(feature = "ssr")]
impl From<sqlx::Error> for PortalError {
    fn from(error: sqlx::Error) -> PortalError {
        PortalError::unavailable(error)
    }
}

impl FromServerFnError for PortalError {
    type Encoder = JsonEncoding;

    /// On the server, a call it cannot read is the caller's (`Transport`, 400), named by its
    /// kind only, never quoting what was sent; anything else there is a fault of ours. In the
    /// browser every such error is the call failing on its way.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        #[cfg(feature = "ssr")]
        {
            let unreadable = match value {
                ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => "arguments",
                ServerFnErrorErr::Deserialization(_) => "body",
                ServerFnErrorErr::UnsupportedRequestMethod(_) => "method",
                other => return PortalError::unavailable(other),
            };
            PortalError::Transport(format!("the call's {unreadable} could not be read"))
        }
        #[cfg(not(feature = "ssr"))]
        PortalError::Transport(value.to_string())
    }
}
