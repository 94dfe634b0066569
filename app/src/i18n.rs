//! The two interface languages: Traditional Chinese (zh-TW) first, English second.
//!
//! Every user-facing text is written in both languages at the place it is defined
//! (`Lang::pick`), so a missing translation is a compile error rather than a blank on screen.

use serde::{Deserialize, Serialize};

/// The cookie that remembers the visitor's language choice.
pub const LANG_COOKIE: &str = "huji_lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    /// 繁體中文 — the default.
    #[default]
    ZhTw,
    English,
}

impl Lang {
    /// The BCP 47 tag used in `<html lang>` and in the cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhTw => "zh-Hant-TW",
            Lang::English => "en",
        }
    }

    /// Reads a tag written by [`Lang::tag`]; anything else is the default language.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.eq_ignore_ascii_case("en") {
            Lang::English
        } else {
            Lang::ZhTw
        }
    }

    /// Chooses between the two renderings of one text.
    pub fn pick<T>(self, zh_tw: T, english: T) -> T {
        match self {
            Lang::ZhTw => zh_tw,
            Lang::English => english,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip_and_unknown_tags_fall_back_to_zh_tw() {
        for lang in [Lang::ZhTw, Lang::English] {
            assert_eq!(Lang::from_tag(lang.tag()), lang);
        }
        assert_eq!(Lang::from_tag("fr"), Lang::ZhTw);
        assert_eq!(Lang::from_tag(""), Lang::ZhTw);
    }
}
