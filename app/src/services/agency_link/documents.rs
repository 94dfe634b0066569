//! The documents an agency files with its application (seed 001 step 1): which kinds a case
//! needs, each checked to be a PDF by its content and at most [`MAX_BYTES`], and (on the server)
//! stored with its SHA-256 so that every party on the case downloads exactly what was filed.

use super::cases::DataKind;
use super::form::Application;
use crate::cases::Code;
use crate::coded;
use crate::domain::FieldError;
use crate::error::PortalError;
use crate::forms::value;
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

coded! {
    /// A kind of document a case files.
    pub enum DocumentKind {
        /// The interface's 申請表, signed and sealed (關防), scanned.
        ApplicationForm = "application_form", "申請表(用印掃描檔)", "Application form (signed and sealed scan)";
        ItemTable = "item_table", "各類需求資料項目表", "Table of the data items requested";
        ManagementRules = "management_rules", "使用戶役政資訊管理規定", "The agency's rules for using registry data";
        /// Household data only.
        SecurityAgreement = "security_agreement", "資料交換安全協議書", "Data exchange security agreement";
        /// A first GSN VPN application only, sealed in the 客戶簽章 boxes.
        GsnVpn = "gsn_vpn", "GSN VPN 申請書與契約書及個資條款", "GSN VPN application, contract and personal data terms";
    }
}

/// The largest document accepted: 5 MiB, enough for a scanned form of a few pages.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

/// The hint every document field shows.
pub fn hint(lang: Lang) -> &'static str {
    lang.pick(
        "PDF 檔，每份不超過 5 MB",
        "A PDF file of at most 5 MB (5 MiB)",
    )
}

impl DocumentKind {
    /// The name of the form's file field for this kind, and (`<field>_name`) of its file name.
    pub fn field(self) -> &'static str {
        match self {
            DocumentKind::ApplicationForm => "document_application_form",
            DocumentKind::ItemTable => "document_item_table",
            DocumentKind::ManagementRules => "document_management_rules",
            DocumentKind::SecurityAgreement => "document_security_agreement",
            DocumentKind::GsnVpn => "document_gsn_vpn",
        }
    }
}

/// Whether every application files `kind`, whatever it applies for.
fn filed_by_every_application(kind: DocumentKind) -> bool {
    !matches!(kind, DocumentKind::SecurityAgreement | DocumentKind::GsnVpn)
}

/// The kinds `application` must file: the 申請表, the item table and the management rules
/// always; the security agreement for household data; the GSN VPN forms the first time.
pub fn required_documents(application: &Application) -> Vec<DocumentKind> {
    DocumentKind::ALL
        .iter()
        .copied()
        .filter(|kind| match kind {
            DocumentKind::SecurityAgreement => application.data_kind == DataKind::Household,
            DocumentKind::GsnVpn => application.first_vpn,
            _ => filed_by_every_application(*kind),
        })
        .collect()
}

/// What is wrong with a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentError {
    Missing,
    NotPdf,
    TooLarge,
    /// A document this case does not file (the GSN VPN forms of a later application).
    NotNeeded,
}

impl FieldError for DocumentError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            DocumentError::Missing => lang.pick("請上傳此文件", "Please upload this document"),
            DocumentError::NotPdf => lang.pick(
                "檔案不是 PDF 文件，請上傳 PDF 檔",
                "The file is not a PDF document; please upload a PDF",
            ),
            DocumentError::TooLarge => lang.pick(
                "檔案超過 5 MB，請縮小後再上傳",
                "The file is larger than 5 MB; please make it smaller",
            ),
            DocumentError::NotNeeded => lang.pick(
                "本申請案不需此文件",
                "This application does not file this document",
            ),
        }
    }
}

/// Whether `bytes` are a PDF of the accepted size: by content, not by name — the `%PDF-`
/// header first, and the `%%EOF` marker last (only line ends may follow it).
pub fn check_pdf(bytes: &[u8]) -> Result<(), DocumentError> {
    if bytes.is_empty() {
        return Err(DocumentError::Missing);
    }
    if bytes.len() > MAX_BYTES {
        return Err(DocumentError::TooLarge);
    }
    let content = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace() && *b != 0)
        .map_or(&bytes[..0], |last| &bytes[..=last]);
    if bytes.starts_with(b"%PDF-") && content.ends_with(b"%%EOF") {
        Ok(())
    } else {
        Err(DocumentError::NotPdf)
    }
}

/// The file name as it may be shown and offered for download: its last path part, without
/// control characters or the characters file systems refuse, at most 100 characters, ending
/// in `.pdf`; the kind's code if nothing is left.
pub fn sanitize_file_name(name: &str, kind: DocumentKind) -> String {
    const MAX_CHARS: usize = 100;
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*'))
        .collect();
    let mut stem = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if stem.to_ascii_lowercase().ends_with(".pdf") {
        stem.truncate(stem.len() - 4);
    }
    let stem: String = stem
        .trim_matches(|c: char| c == '.' || c.is_whitespace())
        .chars()
        .take(MAX_CHARS - 4)
        .collect();
    if stem.is_empty() {
        format!("{}.pdf", kind.code())
    } else {
        format!("{stem}.pdf")
    }
}

/// A filed document as every party's case page lists it, without its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    pub kind: DocumentKind,
    pub file_name: String,
    pub size: i64,
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

impl Document {
    /// Where every party on case `case_id` downloads it.
    pub fn download_path(&self, case_id: &str) -> String {
        format!(
            "{}/{case_id}/documents/{}",
            super::AGENCY_CASE_PATH,
            self.id
        )
    }
}

/// A size as the case page shows it: `1,234 位元組` / `1,234 bytes`, exact, so that it can be
/// compared with the downloaded file.
pub fn size_label(size: i64, lang: Lang) -> String {
    let digits = size.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{grouped} {}", lang.pick("位元組", "bytes"))
}

/// A document as uploaded: checked, its name sanitised.
#[derive(Clone, PartialEq, Eq)]
pub struct Upload {
    pub kind: DocumentKind,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Upload({:?}, {:?}, {} bytes)",
            self.kind,
            self.file_name,
            self.bytes.len()
        )
    }
}

impl Upload {
    pub fn new(kind: DocumentKind, file_name: &str, bytes: Vec<u8>) -> Result<Upload, PortalError> {
        check_pdf(&bytes).map_err(|error| PortalError::field(kind.field(), &error))?;
        Ok(Upload {
            kind,
            file_name: sanitize_file_name(file_name, kind),
            bytes,
        })
    }

    /// The documents of a posted form: each kind's file field (Base64, see the server's form
    /// reader) and its file name (`<field>_name`); an empty field is no document. Every bad
    /// file is named.
    pub fn from_posted(posted: &[(String, String)]) -> Result<Vec<Upload>, Vec<PortalError>> {
        use base64::Engine;
        let mut uploads = Vec::new();
        let mut errors = Vec::new();
        for kind in DocumentKind::ALL {
            let encoded = value(posted, kind.field());
            if encoded.is_empty() {
                continue;
            }
            let name = value(posted, &format!("{}_name", kind.field()));
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .unwrap_or_default();
            match Upload::new(*kind, name, bytes) {
                Ok(upload) => uploads.push(upload),
                Err(error) => errors.push(error),
            }
        }
        if errors.is_empty() {
            Ok(uploads)
        } else {
            Err(errors)
        }
    }
}

/// Refuses `uploads` unless every kind `application` files is there, and no other kind.
pub fn check_complete(
    application: &Application,
    uploads: &[Upload],
) -> Result<(), Vec<PortalError>> {
    let required = required_documents(application);
    let mut errors = missing(&required, uploads);
    for upload in uploads {
        if !required.contains(&upload.kind) {
            errors.push(PortalError::field(
                upload.kind.field(),
                &DocumentError::NotNeeded,
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The documents of `kinds` that `uploads` lacks, each a field error.
fn missing(kinds: &[DocumentKind], uploads: &[Upload]) -> Vec<PortalError> {
    kinds
        .iter()
        .filter(|kind| !uploads.iter().any(|upload| upload.kind == **kind))
        .map(|kind| PortalError::field(kind.field(), &DocumentError::Missing))
        .collect()
}

/// What can be said of `uploads` while the rest of the form is still wrong: the documents every
/// application files that are missing, so that a form sent empty names all its fields at once.
pub fn missing_from_every_application(uploads: &[Upload]) -> Vec<PortalError> {
    let every: Vec<DocumentKind> = DocumentKind::ALL
        .iter()
        .copied()
        .filter(|kind| filed_by_every_application(*kind))
        .collect();
    missing(&every, uploads)
}

#[cfg(feature = "ssr")]
mod store;
#[cfg(feature = "ssr")]
pub use store::{attach, fetch, list, DocumentFile};

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::forms::testing::*;
    use crate::services::agency_link::form::tests::household_api;

    /// The smallest file this check takes for a PDF.
    pub(crate) fn pdf(body: &str) -> Vec<u8> {
        format!("%PDF-1.7\n{body}\n%%EOF\n").into_bytes()
    }

    #[test]
    fn l_1_a_document_is_a_pdf_by_its_content_and_at_most_5_mib() {
        assert_eq!(check_pdf(&pdf("1 0 obj")), Ok(()));
        assert_eq!(check_pdf(b"%PDF-1.4\r\n%%EOF\r\n\0"), Ok(()));
        assert_eq!(check_pdf(b""), Err(DocumentError::Missing));
        assert_eq!(check_pdf(b"PK\x03\x04 %%EOF"), Err(DocumentError::NotPdf));
        assert_eq!(check_pdf(b"%PDF-1.7 truncated"), Err(DocumentError::NotPdf));
        assert_eq!(
            check_pdf(b"%PDF-1.7 %%EOF <script>"),
            Err(DocumentError::NotPdf)
        );
        let mut big = pdf("");
        big.splice(9..9, std::iter::repeat_n(b' ', MAX_BYTES));
        assert_eq!(check_pdf(&big), Err(DocumentError::TooLarge));
        big.truncate(MAX_BYTES - 6);
        big.extend(b"%%EOF\n");
        assert_eq!(big.len(), MAX_BYTES);
        assert_eq!(check_pdf(&big), Ok(()));
        assert!(hint(Lang::ZhTw).contains("5 MB"));
    }

    #[test]
    fn l_1_sizes_are_shown_exactly_in_groups_of_three() {
        assert_eq!(size_label(0, Lang::ZhTw), "0 位元組");
        assert_eq!(size_label(999, Lang::English), "999 bytes");
        assert_eq!(size_label(1_000, Lang::English), "1,000 bytes");
        assert_eq!(size_label(5_242_880, Lang::ZhTw), "5,242,880 位元組");
    }

    #[test]
    fn l_1_file_names_are_sanitised() {
        let kind = DocumentKind::ItemTable;
        assert_eq!(sanitize_file_name("項目表.PDF", kind), "項目表.pdf");
        assert_eq!(
            sanitize_file_name("C:\\Users\\me\\申請表 v2.pdf", kind),
            "申請表 v2.pdf"
        );
        assert_eq!(sanitize_file_name("../../etc/passwd", kind), "passwd.pdf");
        assert_eq!(sanitize_file_name("a<b>\n\"c\".pdf", kind), "abc.pdf");
        assert_eq!(sanitize_file_name("...", kind), "item_table.pdf");
        assert_eq!(sanitize_file_name("", kind), "item_table.pdf");
        assert_eq!(
            sanitize_file_name(&"長".repeat(300), kind).chars().count(),
            100
        );
    }

    #[test]
    fn l_1_required_documents_follow_the_data_kind_and_the_first_vpn() {
        use DocumentKind::*;
        let household = Application::parse(&household_api()).unwrap();
        assert_eq!(required_documents(&household), DocumentKind::ALL);
        let mut military = household.clone();
        military.data_kind = DataKind::Military;
        military.first_vpn = false;
        assert_eq!(
            required_documents(&military),
            [ApplicationForm, ItemTable, ManagementRules]
        );
    }

    #[test]
    fn l_1_posted_documents_are_decoded_checked_and_complete() {
        use base64::Engine;
        let encode = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        let form = posted(&[
            ("document_application_form", &encode(&pdf("form"))),
            ("document_application_form_name", "申請表.pdf"),
            ("document_item_table", &encode(b"GIF89a")),
            ("document_gsn_vpn", ""),
        ]);
        let errors = Upload::from_posted(&form).unwrap_err();
        assert_eq!(named(&errors), ["document_item_table"]);
        let uploads = Upload::from_posted(&form[..1]).unwrap();
        assert_eq!(uploads[0].file_name, "application_form.pdf");
        let uploads = Upload::from_posted(&form[..2]).unwrap();
        assert_eq!(uploads[0].file_name, "申請表.pdf");
        let application = Application::parse(&household_api()).unwrap();
        let errors = check_complete(&application, &uploads).unwrap_err();
        assert_eq!(
            named(&errors),
            [
                "document_item_table",
                "document_management_rules",
                "document_security_agreement",
                "document_gsn_vpn"
            ]
        );
        let mut later = application.clone();
        later.first_vpn = false;
        let all: Vec<Upload> = DocumentKind::ALL
            .iter()
            .map(|kind| Upload::new(*kind, "x.pdf", pdf("x")).unwrap())
            .collect();
        let errors = check_complete(&later, &all).unwrap_err();
        assert_eq!(named(&errors), ["document_gsn_vpn"]);
        assert!(check_complete(&application, &all).is_ok());
    }

    #[test]
    fn l_1_a_form_sent_empty_names_the_documents_every_application_files() {
        let errors = missing_from_every_application(&[]);
        assert_eq!(
            named(&errors),
            [
                "document_application_form",
                "document_item_table",
                "document_management_rules"
            ]
        );
        let form = Upload::new(DocumentKind::ApplicationForm, "x.pdf", pdf("x")).unwrap();
        assert_eq!(missing_from_every_application(&[form]).len(), 2);
    }
}
