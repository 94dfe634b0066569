//! Closed vocabularies stored as text: a case's states, its actions, its kinds. Each is one
//! Rust enum whose codes are written once, in the [`coded!`] declaration, and read back only
//! through [`Code::from_code`], so a word stored in the database, shown on a page and checked
//! by a SQL `CHECK` cannot drift apart (the test in `server/tests/integration/cases.rs` holds
//! the `CHECK` lists to these codes).

use crate::i18n::Lang;

/// A value of a closed vocabulary with a stored code and a label in both languages.
pub trait Code: Copy + Eq + std::fmt::Debug + 'static {
    /// Every value, in declaration order.
    const ALL: &'static [Self];

    /// The code stored in the database and used in URLs and forms.
    fn code(self) -> &'static str;

    /// The value's name for people, in `lang`.
    fn label(self, lang: Lang) -> &'static str;

    /// The value a stored code names; `None` for a word this vocabulary does not have.
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|value| value.code() == code)
    }
}

/// Declares an enum of a closed vocabulary: each variant with its stored code and its labels
/// in zh-TW and English. Serialised by variant name, as the pages' properties always were.
///
/// ```text
/// coded! {
///     /// 案件狀態 (A-8).
///     pub enum CaseStatus {
///         /// 受理中.
///         Pending = "pending", "受理中", "In review";
///     }
/// }
/// ```
#[macro_export]
macro_rules! coded {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident = $code:literal, $zh_tw:literal, $english:literal;
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $(
                $(#[$variant_meta])*
                $variant,
            )+
        }

        impl $crate::cases::Code for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];

            fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            fn label(self, lang: $crate::i18n::Lang) -> &'static str {
                match self {
                    $($name::$variant => lang.pick($zh_tw, $english),)+
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    coded! {
        /// A vocabulary for the tests.
        enum Light {
            Red = "red", "紅", "Red";
            Green = "green", "綠", "Green";
        }
    }

    #[test]
    fn codes_round_trip_and_unknown_words_are_none() {
        for light in Light::ALL {
            assert_eq!(Light::from_code(light.code()), Some(*light));
        }
        assert_eq!(Light::from_code("amber"), None);
        assert_eq!(Light::Green.label(Lang::ZhTw), "綠");
        assert_eq!(Light::Green.label(Lang::English), "Green");
    }
}
