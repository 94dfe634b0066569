//! What each paper form says, laid out as the seed's forms are: a title, the case number and
//! the agency, the fields filed in tables, and the boxes the agency signs and seals (關防) in.
//! Pure: the server turns a [`Sheet`] into a PDF, the tests read it as it is.

use super::Paper;
use crate::cases::Code;
use crate::i18n::Lang;
use crate::platform::paper::{Block, PaperSize, Reference, Sheet};
use crate::services::agency_link::form::{Details, NetworkContact, VPN_FIXED};
use crate::services::agency_link::items::Item;
use crate::services::agency_link::LinkSummary;

/// A case as filed, everything its forms show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filed {
    pub case: LinkSummary,
    pub details: Details,
    pub items: Vec<Item>,
    /// The addresses 資訊服務司 assigned (step 6), as the case page lists them; empty before.
    pub addresses: Vec<(String, String, String)>,
}

/// The rows every form opens with: the case and the agency.
fn case_rows(case: &LinkSummary) -> Block {
    Block::fields(vec![
        ("案件編號", case.id.clone()),
        ("機關代號", case.agency_code.clone()),
        ("申請機關", case.agency_name.clone()),
        ("申請日期", case.filed_at.clone()),
    ])
}

fn contact_rows(rows: &mut Vec<(&str, String)>, role: &'static str, contact: &NetworkContact) {
    rows.push((role, contact.name.to_string()));
    rows.push(("電話", contact.phone.as_str().to_owned()));
    rows.push(("電子信箱", contact.email.to_string()));
}

impl Filed {
    /// Form `paper` of this case, printed on `printed_on` (ROC form); `None` if the case
    /// files no such form (a security agreement for military data, a GSN VPN application
    /// not filed).
    pub fn sheet(&self, paper: Paper, printed_on: &str) -> Option<Sheet> {
        let (title, blocks, seals) = match paper {
            Paper::ApplicationForm => (
                self.case.interface.form_title().to_owned(),
                self.application_form(),
                vec!["承辦人", "單位主管", "機關首長", "機關關防"],
            ),
            Paper::ItemTable => (
                "各類需求資料項目表".to_owned(),
                self.item_table(),
                vec!["承辦人", "單位主管", "機關關防"],
            ),
            Paper::SecurityAgreement => (
                "資料交換安全協議書".to_owned(),
                self.security_agreement()?,
                vec!["資通安全長", "機關首長", "機關關防"],
            ),
            Paper::GsnVpn => (
                "中華電信 GSN VPN 租用及異動申請書（VPN IP 需求表）".to_owned(),
                self.gsn_vpn()?,
                vec!["客戶簽章（機關關防）", "代表人印章"],
            ),
        };
        Some(Sheet {
            size: PaperSize::A4,
            title,
            reference: Some(Reference::case(self.case.id.clone())),
            printed_on: printed_on.to_owned(),
            blocks,
            seals,
        })
    }

    fn application_form(&self) -> Vec<Block> {
        let case = &self.case;
        let details = &self.details;
        let mut blocks = vec![
            case_rows(case),
            Block::Heading("申請內容".into()),
            Block::fields(vec![
                ("申請介面", case.interface.label(Lang::ZhTw).to_owned()),
                ("資料類別", case.data_kind.label(Lang::ZhTw).to_owned()),
                ("受理之直轄市、縣(市)", case.county.clone()),
                ("主機網路位址", case.host_address.clone()),
                ("法律依據", details.legal_basis.to_string()),
                ("使用目的", details.purpose.to_string()),
                (
                    "需求資料項目",
                    format!("共 {} 項，詳各類需求資料項目表", self.items.len()),
                ),
                (
                    "首次申請 GSN VPN",
                    if details.gsn_vpn.is_some() {
                        "是（另附 GSN VPN 申請書）"
                    } else {
                        "否"
                    }
                    .to_owned(),
                ),
            ]),
            Block::Heading("聯絡人".into()),
            Block::fields(vec![
                ("姓名", details.contact.name.to_string()),
                ("聯絡電話", details.contact.landline.to_string()),
                ("電子信箱", details.contact.email.to_string()),
            ]),
        ];
        if case.interface.over_vpn() {
            blocks.push(Block::Heading("網路位址（由內政部資訊服務司編填）".into()));
            blocks.push(if self.addresses.is_empty() {
                Block::Paragraph("尚未編訂。".into())
            } else {
                Block::Table {
                    header: Some(vec!["設備".into(), "網路位址".into(), "子網路遮罩".into()]),
                    shares: vec![0.4, 0.3, 0.3],
                    rows: self
                        .addresses
                        .iter()
                        .map(|(kind, network, mask)| {
                            vec![kind.clone(), network.clone(), mask.clone()]
                        })
                        .collect(),
                }
            });
        }
        blocks
    }

    fn item_table(&self) -> Vec<Block> {
        vec![
            case_rows(&self.case),
            Block::Heading(format!(
                "需求資料項目（{}）",
                self.case.data_kind.label(Lang::ZhTw)
            )),
            Block::Table {
                header: Some(vec!["項次".into(), "資料項目".into(), "項目代碼".into()]),
                shares: vec![0.12, 0.48, 0.4],
                rows: self
                    .items
                    .iter()
                    .enumerate()
                    .map(|(n, item)| {
                        vec![
                            (n + 1).to_string(),
                            item.label(Lang::ZhTw).to_owned(),
                            item.code().to_owned(),
                        ]
                    })
                    .collect(),
            },
            Block::Paragraph("連結後僅提供經核准之資料項目。".into()),
        ]
    }

    fn security_agreement(&self) -> Option<Vec<Block>> {
        let review = self.details.security_review.as_ref()?;
        Some(vec![
            case_rows(&self.case),
            Block::Paragraph(format!(
                "{}（以下簡稱申請機關）為取得戶籍資料，與內政部就資料交換之安全事項協議如下：申請機關僅得依下列法律依據及使用目的，使用經核准之資料項目，並應依個人資料保護法及資通安全管理法相關規定，妥善保管、存取控管及稽核所取得之資料，不得作目的外之利用。",
                self.case.agency_name
            )),
            Block::fields(vec![
                ("法律依據", self.details.legal_basis.to_string()),
                ("使用目的", self.details.purpose.to_string()),
                (
                    "需求資料項目",
                    format!("共 {} 項，詳各類需求資料項目表", self.items.len()),
                ),
                ("主機網路位址", self.case.host_address.clone()),
            ]),
            Block::Heading("資通安全長審查".into()),
            Block::fields(vec![
                ("姓名", review.name.to_string()),
                ("職稱", review.title.to_string()),
                ("審查日期", review.reviewed_on.display_slash()),
            ]),
        ])
    }

    fn gsn_vpn(&self) -> Option<Vec<Block>> {
        let vpn = self.details.gsn_vpn.as_ref()?;
        let mut rows: Vec<(&str, String)> = VPN_FIXED
            .iter()
            .map(|fixed| (fixed.label_zh, fixed.value.to_owned()))
            .collect();
        rows.push(("客戶名稱", vpn.customer_name.to_string()));
        contact_rows(&mut rows, "網路技術連絡人", &vpn.technical);
        contact_rows(&mut rows, "網路管理連絡人", &vpn.management);
        rows.push(("IPv4 WAN IP", "（請勿填寫）".into()));
        rows.push(("IPv4 LAN IP", "（請勿填寫）".into()));
        Some(vec![
            case_rows(&self.case),
            Block::Heading("VPN IP 需求表".into()),
            Block::fields(rows),
            Block::Paragraph(
                "本申請書與契約書及個資條款文件之客戶簽章欄，請加蓋機關關防及代表人印章，併同其他申請文件函送直轄市、縣(市)戶役政單位。"
                    .into(),
            ),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::agency_link::cases::{DataKind, Interface, LinkStatus};
    use crate::services::agency_link::form::tests::household_api;
    use crate::services::agency_link::form::Application;

    fn filed() -> Filed {
        let application = Application::parse(&household_api()).unwrap();
        Filed {
            case: LinkSummary {
                id: "A1151120-000001".into(),
                agency_code: "A15010000H".into(),
                agency_name: "範例市政府".into(),
                interface: application.interface,
                data_kind: application.data_kind,
                county: application.county.name().into(),
                status: LinkStatus::InProgress,
                filed_at: "115/11/20 09:00:00".into(),
                host_address: application.host_address.to_string(),
                test_at: None,
            },
            details: application.details,
            items: application.items,
            addresses: Vec::new(),
        }
    }

    #[test]
    fn l_1_every_form_opens_with_the_case_and_the_agency() {
        let filed = filed();
        for paper in Paper::ALL {
            let sheet = filed.sheet(*paper, "115/11/21").unwrap();
            assert_eq!(sheet.reference, Some(Reference::case("A1151120-000001")));
            assert_eq!(sheet.printed_on, "115/11/21");
            let Block::Table { rows, .. } = &sheet.blocks[0] else {
                panic!("{paper:?} opens with no table");
            };
            assert_eq!(rows[0], ["案件編號", "A1151120-000001"]);
            assert_eq!(rows[1], ["機關代號", "A15010000H"]);
            assert_eq!(rows[2], ["申請機關", "範例市政府"]);
            assert!(sheet.seals.iter().any(|seal| seal.contains("關防")));
        }
    }

    #[test]
    fn l_1_the_application_form_is_the_interfaces_with_what_was_filed() {
        let mut filed = filed();
        let sheet = filed.sheet(Paper::ApplicationForm, "115/11/21").unwrap();
        assert_eq!(sheet.title, Interface::ApiVpn.form_title());
        let text = sheet.texts();
        for filed in [
            "戶籍法第六十五條",
            "核對申辦案件當事人之戶籍資料",
            "林志明",
            "203.0.113.0/28",
            "共 2 項，詳各類需求資料項目表",
            "尚未編訂。",
        ] {
            assert!(text.iter().any(|t| t == filed), "{filed} missing");
        }
        filed.addresses = vec![(
            "通訊設備".into(),
            "10.200.0.0/29".into(),
            "255.255.255.248".into(),
        )];
        let text = filed
            .sheet(Paper::ApplicationForm, "115/11/21")
            .unwrap()
            .texts();
        assert!(text.iter().any(|t| t == "255.255.255.248"));
        assert!(!text.iter().any(|t| t == "尚未編訂。"));
    }

    #[test]
    fn l_1_the_item_table_lists_each_item_once_in_order() {
        let sheet = filed().sheet(Paper::ItemTable, "115/11/21").unwrap();
        let Block::Table { rows, header, .. } = &sheet.blocks[2] else {
            panic!("no item table");
        };
        assert_eq!(header.as_deref().unwrap()[1], "資料項目");
        assert_eq!(
            rows,
            &[
                vec![
                    "1".to_owned(),
                    "國民身分證統一編號".into(),
                    "household.national_id".into()
                ],
                vec!["2".to_owned(), "姓名".into(), "household.name".into()],
            ]
        );
    }

    #[test]
    fn l_1_the_security_agreement_carries_the_ciso_review_for_household_data_only() {
        let mut filed = filed();
        let text = filed
            .sheet(Paper::SecurityAgreement, "115/11/21")
            .unwrap()
            .texts();
        for review in ["資通安全長審查", "陳資安", "資通安全長", "115/11/20"] {
            assert!(text.iter().any(|t| t == review), "{review} missing");
        }
        filed.case.data_kind = DataKind::Military;
        filed.details.security_review = None;
        assert_eq!(filed.sheet(Paper::SecurityAgreement, "115/11/21"), None);
    }

    #[test]
    fn l_1_the_gsn_vpn_application_has_the_fixed_values_and_leaves_the_ips_blank() {
        let mut filed = filed();
        let text = filed.sheet(Paper::GsnVpn, "115/11/21").unwrap().texts();
        for value in [
            "GSN-VPN",
            "內政部(戶役政連結系統)",
            "D75",
            "範例市政府",
            "張技術",
            "0912345678",
            "admin@agency.gov.tw",
            "（請勿填寫）",
        ] {
            assert!(text.iter().any(|t| t == value), "{value} missing");
        }
        filed.details.gsn_vpn = None;
        assert_eq!(filed.sheet(Paper::GsnVpn, "115/11/21"), None);
    }
}
