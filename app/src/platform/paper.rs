//! A paper form, laid out as a ministry form is: a title, sections of running text and ruled
//! tables, the boxes signed and sealed in, and a footer naming the form's reference and the
//! day it was printed. Pure: the server turns a [`Sheet`] into a PDF, the tests read it as it
//! is. Every service's papers are built from these (agency linking's forms, the confirmation
//! service's letter, the certificate counter's forms, the API manual).

/// One part of a form, top to bottom.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A section's title.
    Heading(String),
    /// Running text.
    Paragraph(String),
    /// A ruled table: the header row if any, each column's share of the width (summing to
    /// 1), and the rows, one cell per column.
    Table {
        header: Option<Vec<String>>,
        shares: Vec<f32>,
        rows: Vec<Vec<String>>,
    },
}

/// What a form's footer names it by: `案件編號 A1151120-000001`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub label: &'static str,
    pub value: String,
}

impl Reference {
    /// A case's number.
    pub fn case(value: impl Into<String>) -> Reference {
        Reference {
            label: "案件編號",
            value: value.into(),
        }
    }
}

/// What a sheet is printed on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PaperSize {
    /// A4, with a footer on every page.
    #[default]
    A4,
    /// A card's face (ISO/IEC 7810 ID-1), without a footer: what a card printer prints.
    Card,
}

/// A form ready to be laid out.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    pub size: PaperSize,
    pub title: String,
    /// `None` for a paper of no one case (a blank form, a manual).
    pub reference: Option<Reference>,
    /// 列印日期, ROC form (`112/11/17`).
    pub printed_on: String,
    pub blocks: Vec<Block>,
    /// The boxes signed and sealed at the end of the form, left to right.
    pub seals: Vec<&'static str>,
}

impl Sheet {
    /// The footer printed on every page.
    pub fn footer(&self) -> String {
        match &self.reference {
            Some(reference) => format!(
                "{} {}　列印日期 {}",
                reference.label, reference.value, self.printed_on
            ),
            None => format!("列印日期 {}", self.printed_on),
        }
    }

    /// The document's title in its metadata: the form's, with its reference.
    pub fn document_title(&self) -> String {
        match &self.reference {
            Some(reference) => format!("{} {}", self.title, reference.value),
            None => self.title.clone(),
        }
    }

    /// Every cell and paragraph, in order: what the tests read.
    pub fn texts(&self) -> Vec<String> {
        let mut text = vec![self.title.clone()];
        for block in &self.blocks {
            match block {
                Block::Heading(line) | Block::Paragraph(line) => text.push(line.clone()),
                Block::Table { header, rows, .. } => {
                    text.extend(header.iter().flatten().cloned());
                    text.extend(rows.iter().flatten().cloned());
                }
            }
        }
        text
    }
}

impl Block {
    /// A table of label and value rows.
    pub fn fields(rows: Vec<(&str, String)>) -> Block {
        Block::Table {
            header: None,
            shares: vec![0.3, 0.7],
            rows: rows
                .into_iter()
                .map(|(label, value)| vec![label.to_owned(), value])
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_footer_names_the_reference_when_there_is_one() {
        let mut sheet = Sheet {
            size: PaperSize::A4,
            title: "申請表".into(),
            reference: Some(Reference::case("A1151120-000001")),
            printed_on: "115/11/21".into(),
            blocks: Vec::new(),
            seals: Vec::new(),
        };
        assert_eq!(
            sheet.footer(),
            "案件編號 A1151120-000001　列印日期 115/11/21"
        );
        assert_eq!(sheet.document_title(), "申請表 A1151120-000001");
        sheet.reference = None;
        assert_eq!(sheet.footer(), "列印日期 115/11/21");
        assert_eq!(sheet.document_title(), "申請表");
    }
}
