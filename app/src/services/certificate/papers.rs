//! The counter's paper (seed 002, C-2; issue 20 item 11): the blank 自然人憑證申請表 a citizen
//! downloads, fills in and brings; the 憑證申請書 the registrar prints once the applicant's
//! identity is checked, for the applicant to sign; and the card face (卡號, 姓名, 使用期限)
//! sent to the card printer. What each says is decided here; the server prints it.

use super::application::form::{BIRTH_DATE, EMAIL, MOBILE, NAME, NATIONAL_ID, PIN, USER_CODE};
use super::application::{not_given, notes, PinChoice, FEE};
use super::counter::CounterApplication;
use crate::i18n::Lang;
use crate::platform::paper::{Block, PaperSize, Reference, Sheet};

/// What a card's face carries (seed 002: 卡號, 姓名, 使用期限).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardFace {
    pub card_number: String,
    pub name: String,
    /// 使用期限, the certificate's expiry, ROC date (`120/11/17`).
    pub valid_until: String,
}

/// The pledge the applicant signs under.
const PLEDGE: &str = "本人確認上列資料正確無誤，係本人親自申請自然人憑證，並同意遵守內政部憑證管理中心憑證實務作業基準之規定。用戶代碼及卡片密碼請自行牢記，勿告知他人。";

/// The seed's notes on applying, in the order shown on the form.
fn notes_block() -> Block {
    Block::fields(
        notes(Lang::ZhTw)
            .iter()
            .map(|(label, text)| (*label, text.clone()))
            .collect(),
    )
}

/// The blank 自然人憑證申請表 (seed 002, 方法2's paper form): every field of the online form
/// with room to write, the PIN choice to tick, and the seed's notes.
pub fn blank_form(printed_on: &str) -> Sheet {
    // Two lines of room to write in.
    let blank = |field: &crate::forms::FormField| (field.label_zh, "\n".to_owned());
    Sheet {
        size: PaperSize::A4,
        title: "自然人憑證申請表".into(),
        reference: None,
        printed_on: printed_on.to_owned(),
        blocks: vec![
            Block::Paragraph(
                "請以正楷填寫，攜帶本表、國民身分證正本及工本費，親至任一戶政事務所辦理（不限戶籍地）。".into(),
            ),
            Block::Heading("申請人資料".into()),
            Block::fields(vec![
                blank(&NATIONAL_ID),
                blank(&NAME),
                (BIRTH_DATE.label_zh, "民國　　　年　　　月　　　日".into()),
                blank(&EMAIL),
                blank(&MOBILE),
            ]),
            Block::Heading("卡片設定".into()),
            Block::fields(vec![
                (
                    USER_CODE.label_zh,
                    "□□□□□□□□□□□□□□□□\n6 至 16 個英文字母或數字，大小寫有別；卡片因密碼錯誤被鎖住時以此解鎖，請牢記。"
                        .into(),
                ),
                (
                    PIN.label_zh,
                    format!(
                        "□ {}　□ {}：□□□□□□□□（6 至 8 位數字）",
                        PinChoice::Default.label(Lang::ZhTw),
                        PinChoice::Chosen.label(Lang::ZhTw)
                    ),
                ),
            ]),
            Block::Heading("申請須知".into()),
            notes_block(),
            Block::Paragraph(PLEDGE.into()),
        ],
        seals: vec!["申請人簽名", "註冊審驗人員核章"],
    }
}

/// The 憑證申請書 of `application` as the counter prints it for the applicant to sign: what
/// was applied for, never the 用戶代碼 or a chosen PIN (they go sealed to the card), and the ID
/// number masked as everywhere on the counter's pages.
pub fn application_paper(application: &CounterApplication, printed_on: &str) -> Sheet {
    let pin = match application.pin_choice {
        PinChoice::Default => PinChoice::Default.label(Lang::ZhTw).to_owned(),
        PinChoice::Chosen => "申請人自行設定（不列印）".to_owned(),
    };
    let (kind, fee) = if application.renewal {
        ("線上續卡（郵寄）", FEE + super::application::POSTAGE)
    } else {
        ("臨櫃領卡", FEE)
    };
    Sheet {
        size: PaperSize::A4,
        title: "自然人憑證申請書".into(),
        reference: Some(Reference {
            label: "申請編號",
            value: application.reference.clone(),
        }),
        printed_on: printed_on.to_owned(),
        blocks: vec![
            Block::Heading("申請人資料".into()),
            Block::fields(vec![
                ("申請編號", application.reference.clone()),
                (NAME.label_zh, application.name.clone()),
                (NATIONAL_ID.label_zh, application.masked_id.clone()),
                (BIRTH_DATE.label_zh, application.birth_date.clone()),
                ("戶籍地", application.registered_in.clone()),
                (EMAIL.label_zh, application.email.clone()),
                (
                    "手機號碼",
                    not_given(application.mobile.clone(), Lang::ZhTw),
                ),
            ]),
            Block::Heading("申請內容".into()),
            Block::fields(vec![
                ("申辦項目", kind.to_owned()),
                (USER_CODE.label_zh, "已由申請人設定（不列印）".into()),
                (PIN.label_zh, pin),
                ("申請時間", application.submitted_at.clone()),
                ("工本費", format!("新臺幣 {fee} 元")),
            ]),
            Block::Paragraph(PLEDGE.into()),
            Block::Paragraph(
                "註冊審驗人員已核對申請人國民身分證正本，確認申請人身分及上列資料無誤。".into(),
            ),
        ],
        seals: vec!["申請人簽名", "註冊審驗人員簽章", "戶政事務所"],
    }
}

/// The card face for the card printer: the three lines seed 002 names.
pub fn card_face(face: &CardFace) -> Sheet {
    Sheet {
        size: PaperSize::Card,
        title: "自然人憑證".into(),
        reference: None,
        printed_on: String::new(),
        blocks: vec![Block::Table {
            header: None,
            shares: vec![0.32, 0.68],
            rows: vec![
                vec!["卡號".into(), face.card_number.clone()],
                vec!["姓名".into(), face.name.clone()],
                vec!["使用期限".into(), face.valid_until.clone()],
            ],
        }],
        seals: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::certificate::counter::ApplicationStatus;

    fn application(renewal: bool) -> CounterApplication {
        CounterApplication {
            reference: "M1121117-000001".into(),
            name: "王小明".into(),
            masked_id: "A1*****789".into(),
            birth_date: "73/01/01".into(),
            registered_in: "臺北市中正區".into(),
            email: "wang@example.com".into(),
            mobile: None,
            pin_choice: PinChoice::Chosen,
            submitted_at: "112/11/17 14:35:04".into(),
            collect_by: "112/12/17".into(),
            status: ApplicationStatus::Submitted,
            ineligible: Vec::new(),
            renewal,
            cards_in_force: Vec::new(),
            unpaid: false,
        }
    }

    #[test]
    fn c_2_the_application_paper_holds_what_was_applied_for_and_no_secret() {
        let sheet = application_paper(&application(false), "112/11/17");
        let texts = sheet.texts();
        for shown in [
            "自然人憑證申請書",
            "M1121117-000001",
            "王小明",
            "A1*****789",
            "73/01/01",
            "wang@example.com",
            "（未填）",
            "新臺幣 250 元",
            "申請人自行設定（不列印）",
        ] {
            assert!(
                texts.iter().any(|text| text == shown),
                "{shown} in {texts:?}"
            );
        }
        assert!(sheet.seals.contains(&"申請人簽名"));
        assert_eq!(
            sheet.footer(),
            "申請編號 M1121117-000001　列印日期 112/11/17"
        );
        let renewal = application_paper(&application(true), "112/11/17").texts();
        assert!(
            renewal.iter().any(|text| text == "新臺幣 278 元"),
            "{renewal:?}"
        );
    }

    #[test]
    fn c_2_the_blank_form_asks_for_what_the_online_form_asks() {
        let sheet = blank_form("115/12/04");
        let texts = sheet.texts();
        for label in [
            NATIONAL_ID.label_zh,
            NAME.label_zh,
            BIRTH_DATE.label_zh,
            EMAIL.label_zh,
            MOBILE.label_zh,
            USER_CODE.label_zh,
            PIN.label_zh,
            "攜帶項目",
        ] {
            assert!(
                texts.iter().any(|text| text == label),
                "{label} in {texts:?}"
            );
        }
        assert_eq!(sheet.reference, None);
        assert_eq!(sheet.size, PaperSize::A4);
    }

    #[test]
    fn c_2_the_card_face_carries_number_name_and_expiry_only() {
        let sheet = card_face(&CardFace {
            card_number: "TP04000000012345".into(),
            name: "王小明".into(),
            valid_until: "117/11/17".into(),
        });
        assert_eq!(sheet.size, PaperSize::Card);
        assert_eq!(
            sheet.texts(),
            [
                "自然人憑證",
                "卡號",
                "TP04000000012345",
                "姓名",
                "王小明",
                "使用期限",
                "117/11/17"
            ]
        );
    }
}
