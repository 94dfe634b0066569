//! Paper forms as PDF (issue 18 item 1, issue 20 items 5 and 11): an A4 page per sheet (more
//! when it runs long) with the form's title, its tables ruled, the signature and 關防 boxes,
//! and a footer with the form's reference and the printed date, in a CJK font of which only the
//! glyphs used are embedded. What a form says is an `app::platform::paper::Sheet`.

pub mod layout;

use app::platform::paper::{Block, PaperSize, Sheet};
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

/// A page's size and the type set on it, in points.
#[derive(Clone, Copy, Debug)]
struct Geometry {
    width: f32,
    height: f32,
    margin: f32,
    body: f32,
    title: f32,
    heading: f32,
    /// Whether each page carries the footer (reference and printed date).
    footer: bool,
}

impl Geometry {
    fn of(size: PaperSize) -> Geometry {
        match size {
            PaperSize::A4 => Geometry {
                width: 595.28,
                height: 841.89,
                margin: 50.0,
                body: 10.5,
                title: 16.0,
                heading: 12.0,
                footer: true,
            },
            // ISO/IEC 7810 ID-1, 85.60 × 53.98 mm: what the card printer prints on.
            PaperSize::Card => Geometry {
                width: 242.65,
                height: 153.01,
                margin: 14.0,
                body: 9.0,
                title: 12.0,
                heading: 9.0,
                footer: false,
            },
        }
    }
}

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
        let mut pages = Pages::new(Geometry::of(sheet.size));
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
                .title(sheet.document_title())
                .language("zh-TW".into())
                .creator("Huji".into()),
        );
        let geometry = pages.geometry;
        for page in pages.finish() {
            page.draw(&mut document, &self.font, sheet, geometry);
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
    geometry: Geometry,
    done: Vec<PageMarks>,
    current: PageMarks,
}

struct PageMarks {
    marks: Vec<Mark>,
    /// How far down the page is filled.
    y: f32,
}

impl PageMarks {
    fn fresh(geometry: Geometry) -> PageMarks {
        PageMarks {
            marks: Vec::new(),
            y: geometry.margin,
        }
    }

    fn draw(self, document: &mut Document, font: &Font, sheet: &Sheet, geometry: Geometry) {
        let Some(size) = PageSettings::from_wh(geometry.width, geometry.height) else {
            return;
        };
        let mut page = document.start_page_with(size);
        let mut surface = page.surface();
        for mark in &self.marks {
            draw(&mut surface, font, mark);
        }
        if geometry.footer {
            draw(
                &mut surface,
                font,
                &Mark::Text {
                    at: (geometry.margin, geometry.height - geometry.margin / 2.0),
                    size: 8.0,
                    text: sheet.footer(),
                },
            );
        }
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
    fn new(geometry: Geometry) -> Pages {
        Pages {
            geometry,
            done: Vec::new(),
            current: PageMarks::fresh(geometry),
        }
    }

    /// The width between the margins.
    fn width(&self) -> f32 {
        self.geometry.width - 2.0 * self.geometry.margin
    }

    /// Makes room for `height` more: a new page if this one is full.
    fn room(&mut self, height: f32) {
        let bottom = self.geometry.height - self.geometry.margin;
        if self.current.y + height > bottom && !self.current.marks.is_empty() {
            let fresh = PageMarks::fresh(self.geometry);
            self.done.push(std::mem::replace(&mut self.current, fresh));
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
        let size = self.geometry.title;
        for line in layout::wrap(title, self.width(), |c| advance(c, size)) {
            let used: f32 = line.chars().map(|c| advance(c, size)).sum();
            self.room(size * LINE);
            self.text(
                self.geometry.margin + (self.width() - used) / 2.0,
                size,
                line,
            );
            self.current.y += size * LINE;
        }
        self.current.y += size * 0.5;
    }

    fn heading(&mut self, text: &str, advance: &impl Fn(char, f32) -> f32) {
        let (size, body) = (self.geometry.heading, self.geometry.body);
        self.current.y += size * 0.6;
        for line in layout::wrap(text, self.width(), |c| advance(c, size)) {
            // A heading is never left alone at the foot of a page.
            self.room(size * LINE + 3.0 * body * LINE);
            self.text(self.geometry.margin, size, line);
            self.current.y += size * LINE;
        }
        self.current.y += size * 0.2;
    }

    fn paragraph(&mut self, text: &str, advance: &impl Fn(char, f32) -> f32) {
        let body = self.geometry.body;
        self.current.y += body * 0.5;
        for line in layout::wrap(text, self.width(), |c| advance(c, body)) {
            self.room(body * LINE);
            self.text(self.geometry.margin, body, line);
            self.current.y += body * LINE;
        }
        self.current.y += body * 0.5;
    }

    fn row(
        &mut self,
        cells: &[String],
        shares: &[f32],
        header: bool,
        advance: &impl Fn(char, f32) -> f32,
    ) {
        let body = self.geometry.body;
        let widths: Vec<f32> = shares.iter().map(|share| share * self.width()).collect();
        let lines: Vec<Vec<String>> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| layout::wrap(cell, width - 2.0 * PAD, |c| advance(c, body)))
            .collect();
        let count = lines.iter().map(Vec::len).max().unwrap_or(1);
        let height = count as f32 * body * LINE + 2.0 * PAD;
        self.room(height);
        let top = self.current.y;
        let mut x = self.geometry.margin;
        for (column, (cell, width)) in lines.into_iter().zip(&widths).enumerate() {
            self.current.marks.push(Mark::Box {
                rect: (x, top, *width, height),
                // A header row, and the label column of a form's fields, are shaded as on paper.
                shade: header || (shares.len() == 2 && column == 0),
            });
            for (n, line) in cell.into_iter().enumerate() {
                self.current.marks.push(Mark::Text {
                    at: (x + PAD, top + PAD + n as f32 * body * LINE + body * 1.1),
                    size: body,
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
        let body = self.geometry.body;
        self.current.y += body * 1.5;
        self.room(SEAL_HEIGHT);
        let width = self.width() / seals.len() as f32;
        let top = self.current.y;
        for (n, seal) in seals.iter().enumerate() {
            let x = self.geometry.margin + n as f32 * width;
            self.current.marks.push(Mark::Box {
                rect: (x, top, width, SEAL_HEIGHT),
                shade: false,
            });
            self.current.marks.push(Mark::Text {
                at: (x + PAD, top + PAD + body * 1.1),
                size: body,
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
            size: PaperSize::A4,
            title: "各類需求資料項目表".into(),
            reference: Some(app::platform::paper::Reference::case("A1151120-000001")),
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
