//! Where the words of a paper form go, independent of PDF: lines wrapped to a width by the
//! font's own advances (CJK breaks between any two characters, Latin words are kept whole
//! unless one is wider than the line), and rows split across pages.

/// `text` in lines no wider than `width`, each character `advance(c)` wide; a line break in
/// `text` starts a new line. An empty text is one empty line, so a blank cell keeps its height.
pub fn wrap(text: &str, width: f32, advance: impl Fn(char) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut used = 0.0;
        for word in words(paragraph.trim_end_matches('\r')) {
            let word_width: f32 = word.chars().map(&advance).sum();
            if used + word_width <= width {
                line.push_str(word);
                used += word_width;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line).trim_end().to_owned());
                used = 0.0;
            }
            if word.trim().is_empty() {
                continue;
            }
            if word_width <= width {
                line.push_str(word);
                used = word_width;
                continue;
            }
            // A word wider than a line: broken between its characters.
            for c in word.chars() {
                let w = advance(c);
                if used + w > width && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    used = 0.0;
                }
                line.push(c);
                used += w;
            }
        }
        lines.push(line.trim_end().to_owned());
    }
    lines
}

/// Whether a line may break before and after `c` alone: the CJK scripts, their punctuation
/// and full-width forms.
fn breaks_anywhere(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FFEF}' | '\u{20000}'..='\u{3FFFF}')
}

/// `text` as the units a line breaks between: each CJK character, each run of spaces, each
/// run of anything else (a Latin word, a number, an address).
fn words(text: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    let mut previous: Option<(bool, bool)> = None;
    for (i, c) in text.char_indices() {
        let class = (breaks_anywhere(c), c.is_whitespace());
        let joins = matches!(previous, Some(p) if p == class && !class.0);
        if !joins && i > start {
            words.push(&text[start..i]);
            start = i;
        }
        previous = Some(class);
    }
    if start < text.len() {
        words.push(&text[start..]);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CJK a full em, everything else half.
    fn advance(c: char) -> f32 {
        if breaks_anywhere(c) {
            1.0
        } else {
            0.5
        }
    }

    #[test]
    fn l_1_cjk_text_breaks_between_any_two_characters() {
        assert_eq!(
            wrap("核對申辦案件當事人之戶籍資料", 5.0, advance),
            ["核對申辦案", "件當事人之", "戶籍資料"]
        );
    }

    #[test]
    fn l_1_latin_words_stay_whole_and_spaces_do_not_start_a_line() {
        assert_eq!(
            wrap("GSN VPN group D75", 4.0, advance),
            ["GSN VPN", "group", "D75"]
        );
        assert_eq!(
            wrap("依戶籍法第65條 admin@agency.gov.tw", 8.0, advance),
            ["依戶籍法第65條", "admin@agency.gov", ".tw"]
        );
    }

    #[test]
    fn l_1_line_breaks_are_kept_and_empty_text_is_one_line() {
        assert_eq!(wrap("第一行\n第二行", 10.0, advance), ["第一行", "第二行"]);
        assert_eq!(wrap("", 10.0, advance), [""]);
    }

    #[test]
    fn l_1_no_line_is_wider_than_asked() {
        let text = "申請機關 203.0.113.0/28 與戶役政資訊網路位址衝突者，須更換主機網路位址";
        for width in [1.0, 2.5, 6.0, 13.0] {
            for line in wrap(text, width, advance) {
                let used: f32 = line.chars().map(advance).sum();
                assert!(used <= width, "{line:?} wider than {width}");
            }
        }
    }
}
