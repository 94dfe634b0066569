//! The paper forms of agency linking as PDF (issue 18 item 1): an A4 page per sheet (more
//! when it runs long) with the form's title, its tables ruled, the signature and 關防 boxes,
//! and a footer with the case number and the printed date, in a CJK font of which only the
//! glyphs used are embedded. What a form says is `app::services::agency_link::papers::sheet`.

pub mod layout;

use app::services::agency_link::papers::sheet::{Block, Sheet};
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::Document;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where Debian's `fonts-noto-cjk` puts Noto Sans CJK (scripts/install-deps.sh installs it).
pub const DEFAULT_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
/// The collection's Traditional Chinese (Taiwan) face: JP, KR, SC, TC, HK in that order.
pub const DEFAULT_FONT_INDEX: u32 = 3;

/// Text every form prints: a font without these glyphs cannot print the forms.
const REQUIRED_TEXT: &str = "申請表各類需求資料項目協議書機關關防戶役政案件編號列印日期0123456789/";

#[derive(Debug, thiserror::Error)]
pub enum PaperError {
    #[error("cannot read the font {path}: {reason}")]
    FontUnreadable { path: PathBuf, reason: String },
    #[error("{path} face {index} is not a font this server can embed")]
    NotAFont { path: PathBuf, index: u32 },
    #[error("{path} face {index} has no glyph for {missing:?}: the forms need a Traditional Chinese font")]
    MissingGlyphs {
        path: PathBuf,
        index: u32,
        missing: String,
    },
    #[error("writing the PDF failed: {0}")]
    Pdf(String),
}

/// Prints sheets as PDF with one font, read once at start.
#[derive(Clone)]
pub struct Printer {
    font: Font,
    data: Arc<Vec<u8>>,
    index: u32,
}

impl std::fmt::Debug for Printer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Printer(face {}, {} bytes)", self.index, self.data.len())
    }
}

/// A4 in points, and the page's margins.
const PAGE: (f32, f32) = (595.28, 841.89);
const MARGIN: f32 = 50.0;
const BODY: f32 = 10.5;
const LINE: f32 = 1.45;
const PAD: f32 = 4.0;
const SEAL_HEIGHT: f32 = 96.0;

impl Printer {
    /// The font `path`, face `index` of a collection; refused unless it can print the forms'
    /// Traditional Chinese.
    pub fn open(path: &Path, index: u32) -> Result<Printer, PaperError> {
        let data = std::fs::read(path).map_err(|error| PaperError::FontUnreadable {
            path: path.to_owned(),
            reason: error.to_string(),
        })?;
        let data = Arc::new(data);
        let not_a_font = || PaperError::NotAFont {
            path: path.to_owned(),
            index,
        };
        let face = ttf_parser::Face::parse(&data, index).map_err(|_| not_a_font())?;
        let missing: String = REQUIRED_TEXT
            .chars()
            .filter(|c| face.glyph_index(*c).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(PaperError::MissingGlyphs {
                path: path.to_owned(),
                index,
                missing,
            });
        }
        let font = Font::new(data.clone().into(), index).ok_or_else(not_a_font)?;
        Ok(Printer { font, data, index })
    }

    /// `sheet` as a PDF document.
    pub fn print(&self, sheet: &Sheet) -> Result<Vec<u8>, PaperError> {
        let face = ttf_parser::Face::parse(&self.data, self.index)
            .map_err(|error| PaperError::Pdf(error.to_string()))?;
        let per_em = f32::from(face.units_per_em());
        let advance = |c: char, size: f32| {
            let units = face
                .glyph_index(c)
                .and_then(|glyph| face.glyph_hor_advance(glyph))
                .unwrap_or(face.units_per_em());
            f32::from(units) / per_em * size
        };
        let mut pages = Pages::new();
        pages.title(&sheet.title, &advance);
        for block in &sheet.blocks {
            match block {
                Block::Heading(text) => pages.heading(text, &advance),
                Block::Paragraph(text) => pages.paragraph(text, &advance),
                Block::Table {
                    header,
                    shares,
                    rows,
                } => {
                    if let Some(header) = header {
                        pages.row(header, shares, true, &advance);
                    }
                    for row in rows {
                        pages.row(row, shares, false, &advance);
                    }
                }
            }
        }
        pages.seals(&sheet.seals);
        let mut document = Document::new();
        document.set_metadata(
            Metadata::new()
                .title(format!("{} {}", sheet.title, sheet.case_id))
                .language("zh-TW".into())
                .creator("Huji".into()),
        );
        for page in pages.finish() {
            page.draw(&mut document, &self.font, sheet);
        }
        document
            .finish()
            .map_err(|error| PaperError::Pdf(format!("{error:?}")))
    }
}

/// Something drawn on a page, in points from its top-left corner.
enum Mark {
    /// Text whose baseline starts at the point.
    Text {
        at: (f32, f32),
        size: f32,
        text: String,
    },
    /// A rectangle, ruled, shaded if `shade`.
    Box {
        rect: (f32, f32, f32, f32),
        shade: bool,
    },
}

/// The pages being filled, top to bottom.
struct Pages {
    done: Vec<PageMarks>,
    current: PageMarks,
}

struct PageMarks {
    marks: Vec<Mark>,
    /// How far down the page is filled.
    y: f32,
}

impl PageMarks {
    fn fresh() -> PageMarks {
        PageMarks {
            marks: Vec::new(),
            y: MARGIN,
        }
    }

    fn draw(self, document: &mut Document, font: &Font, sheet: &Sheet) {
        let Some(size) = PageSettings::from_wh(PAGE.0, PAGE.1) else {
            return;
        };
        let mut page = document.start_page_with(size);
        let mut surface = page.surface();
        for mark in &self.marks {
            draw(&mut surface, font, mark);
        }
        let footer = format!("案件編號 {}　列印日期 {}", sheet.case_id, sheet.printed_on);
        draw(
            &mut surface,
            font,
            &Mark::Text {
                at: (MARGIN, PAGE.1 - MARGIN / 2.0),
                size: 8.0,
                text: footer,
            },
        );
        surface.finish();
        page.finish();
    }
}

fn draw(surface: &mut Surface<'_>, font: &Font, mark: &Mark) {
    match mark {
        Mark::Text { at, size, text } => {
            surface.set_stroke(None);
            surface.set_fill(Some(Fill::default()));
            surface.draw_text(
                Point::from_xy(at.0, at.1),
                font.clone(),
                *size,
                text,
                false,
                TextDirection::Auto,
            );
        }
        Mark::Box { rect, shade } => {
            let Some(rect) = Rect::from_xywh(rect.0, rect.1, rect.2, rect.3) else {
                return;
            };
            let mut builder = PathBuilder::new();
            builder.push_rect(rect);
            let Some(path) = builder.finish() else {
                return;
            };
            surface.set_fill(shade.then(|| Fill {
                paint: luma::Color::new(232).into(),
                ..Fill::default()
            }));
            surface.set_stroke(Some(Stroke {
                width: 0.6,
                ..Stroke::default()
            }));
            surface.draw_path(&path);
        }
    }
}

impl Pages {
    fn new() -> Pages {
        Pages {
            done: Vec::new(),
            current: PageMarks::fresh(),
        }
    }

    fn width() -> f32 {
        PAGE.0 - 2.0 * MARGIN
    }

    /// Makes room for `height` more: a new page if this one is full.
    fn room(&mut self, height: f32) {
        if self.current.y + height > PAGE.1 - MARGIN && !self.current.marks.is_empty() {
            self.done
                .push(std::mem::replace(&mut self.current, PageMarks::fresh()));
        }
    }

    fn text(&mut self, x: f32, size: f32, text: String) {
        self.current.marks.push(Mark::Text {
            at: (x, self.current.y + size),
            size,
            text,
        });
    }

    fn title(&mut self, title: &str, advance: &impl Fn(char, f32) -> f32) {
        let size = 16.0;
        for line in layout::wrap(title, Self::width(), |c| advance(c, size)) {
            let used: f32 = line.chars().map(|c| advance(c, size)).sum();
            self.room(size * LINE);
            self.text(MARGIN + (Self::width() - used) / 2.0, size, line);
            self.current.y += size * LINE;
        }
        self.current.y += size * 0.5;
    }

    fn heading(&mut self, text: &str, advance: &impl Fn(char, f32) -> f32) {
        let size = 12.0;
        self.current.y += size * 0.6;
        for line in layout::wrap(text, Self::width(), |c| advance(c, size)) {
            // A heading is never left alone at the foot of a page.
            self.room(size * LINE + 3.0 * BODY * LINE);
            self.text(MARGIN, size, line);
            self.current.y += size * LINE;
        }
        self.current.y += size * 0.2;
    }

    fn paragraph(&mut self, text: &str, advance: &impl Fn(char, f32) -> f32) {
        self.current.y += BODY * 0.5;
        for line in layout::wrap(text, Self::width(), |c| advance(c, BODY)) {
            self.room(BODY * LINE);
            self.text(MARGIN, BODY, line);
            self.current.y += BODY * LINE;
        }
        self.current.y += BODY * 0.5;
    }

    fn row(
        &mut self,
        cells: &[String],
        shares: &[f32],
        header: bool,
        advance: &impl Fn(char, f32) -> f32,
    ) {
        let widths: Vec<f32> = shares.iter().map(|share| share * Self::width()).collect();
        let lines: Vec<Vec<String>> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| layout::wrap(cell, width - 2.0 * PAD, |c| advance(c, BODY)))
            .collect();
        let count = lines.iter().map(Vec::len).max().unwrap_or(1);
        let height = count as f32 * BODY * LINE + 2.0 * PAD;
        self.room(height);
        let top = self.current.y;
        let mut x = MARGIN;
        for (column, (cell, width)) in lines.into_iter().zip(&widths).enumerate() {
            self.current.marks.push(Mark::Box {
                rect: (x, top, *width, height),
                // A header row, and the label column of a form's fields, are shaded as on paper.
                shade: header || (shares.len() == 2 && column == 0),
            });
            for (n, line) in cell.into_iter().enumerate() {
                self.current.marks.push(Mark::Text {
                    at: (x + PAD, top + PAD + n as f32 * BODY * LINE + BODY * 1.1),
                    size: BODY,
                    text: line,
                });
            }
            x += width;
        }
        self.current.y = top + height;
    }

    fn seals(&mut self, seals: &[&str]) {
        if seals.is_empty() {
            return;
        }
        self.current.y += BODY * 1.5;
        self.room(SEAL_HEIGHT);
        let width = Self::width() / seals.len() as f32;
        let top = self.current.y;
        for (n, seal) in seals.iter().enumerate() {
            let x = MARGIN + n as f32 * width;
            self.current.marks.push(Mark::Box {
                rect: (x, top, width, SEAL_HEIGHT),
                shade: false,
            });
            self.current.marks.push(Mark::Text {
                at: (x + PAD, top + PAD + BODY * 1.1),
                size: BODY,
                text: (*seal).to_owned(),
            });
        }
        self.current.y = top + SEAL_HEIGHT;
    }

    fn finish(mut self) -> Vec<PageMarks> {
        self.done.push(self.current);
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: usize) -> Sheet {
        Sheet {
            title: "各類需求資料項目表".into(),
            case_id: "A1151120-000001".into(),
            printed_on: "115/11/21".into(),
            blocks: vec![Block::Table {
                header: Some(vec!["項次".into(), "資料項目".into()]),
                shares: vec![0.2, 0.8],
                rows: (1..=rows)
                    .map(|n| vec![n.to_string(), "姓名".into()])
                    .collect(),
            }],
            seals: vec!["承辦人", "機關關防"],
        }
    }

    fn printer() -> Printer {
        Printer::open(Path::new(DEFAULT_FONT), DEFAULT_FONT_INDEX).expect("fonts-noto-cjk")
    }

    #[test]
    fn l_1_a_form_is_a_pdf_with_a_subset_of_the_font() {
        let pdf = printer().print(&sheet(3)).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        // The whole collection is about 19 MB; the subset of a few glyphs is small.
        assert!(pdf.len() < 200_000, "{} bytes", pdf.len());
        assert_eq!(pages(&pdf), 1);
    }

    #[test]
    fn l_1_a_long_table_runs_on_to_more_pages() {
        let pdf = printer().print(&sheet(120)).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pages(&pdf) >= 3, "{} pages", pages(&pdf));
    }

    #[test]
    fn l_1_a_font_without_chinese_is_refused_at_start() {
        let error = Printer::open(Path::new("/nonexistent/font.ttc"), 3).unwrap_err();
        assert!(
            matches!(error, PaperError::FontUnreadable { .. }),
            "{error}"
        );
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.ttf");
        std::fs::write(&junk, b"not a font").unwrap();
        assert!(matches!(
            Printer::open(&junk, 0).unwrap_err(),
            PaperError::NotAFont { .. }
        ));
    }

    fn pages(pdf: &[u8]) -> usize {
        lopdf::Document::load_mem(pdf).unwrap().get_pages().len()
    }
}
