//! The API's operation manual (操作文件, A-R; issue 20 item 5): the project's own
//! `docs/verification-api.zh-TW.md` and `docs/verification-api.md`, which the manual page
//! renders as HTML and 操作文件下載 prints as a PDF, so the page, the download and the
//! repository never disagree.

use crate::i18n::Lang;
use crate::platform::paper::{Block, PaperSize, Sheet};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

const ZH_TW: &str = include_str!("../../../../docs/verification-api.zh-TW.md");
const ENGLISH: &str = include_str!("../../../../docs/verification-api.md");

/// The manual's Markdown in `lang`.
pub fn source(lang: Lang) -> &'static str {
    lang.pick(ZH_TW, ENGLISH)
}

/// How the manual is parsed, for the page and the PDF alike.
pub fn parser(lang: Lang) -> Parser<'static> {
    Parser::new_ext(source(lang), Options::ENABLE_TABLES)
}

/// The manual in `lang` as a sheet printed on `printed_on`: its first heading is the title,
/// the other headings, paragraphs, list items, code and tables follow in order. The line
/// that links the other language is left out: on paper it leads nowhere.
pub fn sheet(lang: Lang, printed_on: &str) -> Sheet {
    let mut title = None;
    let mut blocks = Vec::new();
    let mut text = String::new();
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut header: Option<Vec<String>> = None;
    let mut rows: Vec<Vec<String>> = Vec::new();
    // Whether the paragraph being read links the other language's file.
    let mut language_line = false;
    for event in parser(lang) {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) if dest_url.ends_with(".md") => {
                language_line = true;
            }
            Event::Text(part) | Event::Code(part) => text.push_str(&part),
            Event::SoftBreak => text.push(' '),
            Event::HardBreak => text.push('\n'),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_) | CodeBlockKind::Indented)) => {
                text.clear();
            }
            Event::End(TagEnd::CodeBlock) => {
                blocks.push(Block::Paragraph(
                    std::mem::take(&mut text).trim_end().to_owned(),
                ));
            }
            Event::End(TagEnd::Heading(level)) => {
                let heading = std::mem::take(&mut text).trim().to_owned();
                if level == pulldown_cmark::HeadingLevel::H1 && title.is_none() {
                    title = Some(heading);
                } else {
                    blocks.push(Block::Heading(heading));
                }
            }
            Event::End(TagEnd::Paragraph) if lists.is_empty() => {
                let paragraph = std::mem::take(&mut text).trim().to_owned();
                if !std::mem::take(&mut language_line) && !paragraph.is_empty() {
                    blocks.push(Block::Paragraph(paragraph));
                }
            }
            Event::End(TagEnd::Paragraph) => text.push('\n'),
            Event::Start(Tag::List(first)) => lists.push(first),
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::End(TagEnd::Item) => {
                let marker = match lists.last_mut() {
                    Some(Some(number)) => {
                        *number += 1;
                        format!("{}. ", *number - 1)
                    }
                    _ => "• ".to_owned(),
                };
                let item = std::mem::take(&mut text).trim().to_owned();
                blocks.push(Block::Paragraph(format!("{marker}{item}")));
            }
            Event::End(TagEnd::TableCell) => row.push(std::mem::take(&mut text).trim().to_owned()),
            Event::End(TagEnd::TableHead) => header = Some(std::mem::take(&mut row)),
            Event::End(TagEnd::TableRow) => rows.push(std::mem::take(&mut row)),
            Event::End(TagEnd::Table) => {
                let columns = header.as_ref().map_or(1, Vec::len).max(1);
                blocks.push(Block::Table {
                    header: header.take(),
                    shares: vec![1.0 / columns as f32; columns],
                    rows: std::mem::take(&mut rows),
                });
            }
            _ => {}
        }
    }
    Sheet {
        size: PaperSize::A4,
        title: title.unwrap_or_else(|| lang.pick("操作文件", "Operation manual").to_owned()),
        reference: None,
        printed_on: printed_on.to_owned(),
        blocks,
        seals: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_r_the_manual_prints_every_heading_table_and_code_sample_of_the_document() {
        let sheet = sheet(Lang::ZhTw, "115/12/04");
        assert_eq!(sheet.title, "國民身分證領補換資料查驗 API 操作文件");
        let texts = sheet.texts();
        for shown in [
            "1. 使用前準備",
            "checkIdCardApply（搭配 RS7009）",
            "RS7009",
            "HJ4004",
            "GET /integration/rwv2c2/\nAuthorization: Bearer <JWT>",
        ] {
            assert!(
                texts.iter().any(|text| text == shown),
                "{shown} in {texts:?}"
            );
        }
        // The ordered list keeps its numbers; the link to the other language is not printed.
        assert!(
            texts.iter().any(|text| text.starts_with("2. 憑證上傳")),
            "{texts:?}"
        );
        assert!(
            !texts.iter().any(|text| text.contains("English")),
            "{texts:?}"
        );
        let tables = sheet
            .blocks
            .iter()
            .filter(|block| matches!(block, Block::Table { .. }))
            .count();
        assert!(tables >= 3, "{tables} tables");
        let english = super::sheet(Lang::English, "115/12/04");
        assert_ne!(english.title, sheet.title);
        let english = english.texts();
        assert!(
            !english
                .iter()
                .any(|text| text.contains("繁體中文") || text.starts_with("English")),
            "{english:?}"
        );
    }
}
