//! The ministry's written answer (要點三(三), 四(二): 書面回覆審核結果並通知…之時間): the seed's
//! 申請表 as filed with its 審核結果 box filled in, laid out as a [`Sheet`] for the server to
//! print as PDF. Only the request's applicant and the ministry's reviewers may print it, and
//! each printing is audited.

use super::desk::DESK_ROLES;
use super::requests::{RequestKind, RequestStatus};
use super::{ApplicantKind, PersonView, RequestView};
use crate::cases::actor::Actor;
use crate::cases::work::Work;
use crate::cases::Code;
use crate::error::PortalError;
use crate::i18n::Lang::ZhTw;
use crate::platform::auth::Principal;
use crate::platform::clock::roc_date;
use crate::platform::paper::{Block, PaperSize, Reference, Sheet};
use crate::platform::AppState;

const TITLE: &str = "內政部自然人憑證用戶身分確認服務系統申請表";

fn person(role: &str, person: &PersonView) -> Block {
    Block::Table {
        header: Some(vec![
            role.to_owned(),
            String::new(),
            String::new(),
            String::new(),
        ]),
        shares: vec![0.15, 0.35, 0.15, 0.35],
        rows: vec![
            vec![
                "姓名".into(),
                person.name.clone(),
                "職稱".into(),
                person.title.clone(),
            ],
            vec![
                "單位".into(),
                person.unit.clone(),
                "E-mail".into(),
                person.email.clone(),
            ],
            vec![
                "電話".into(),
                person.phone.clone(),
                "傳真".into(),
                person.fax.clone(),
            ],
        ],
    }
}

/// The letter of an answered request (`None` while it is in review or withdrawn).
pub fn sheet(request: &RequestView, printed_on: &str) -> Option<Sheet> {
    let decided = matches!(
        request.status,
        RequestStatus::Approved | RequestStatus::Rejected | RequestStatus::InEffect
    );
    if !decided {
        return None;
    }
    let check = |on: bool| if on { "■" } else { "□" };
    let asked = match request.kind {
        RequestKind::Enable => Block::fields(vec![
            (
                "申請項目",
                format!("{} 啟用　{} 停用", check(true), check(false)),
            ),
            (
                "預定開放日期",
                format!("自 {} 至 伺服器憑證有效期限日止", request.planned_on),
            ),
            ("應用系統概述", request.overview.clone().unwrap_or_default()),
        ]),
        RequestKind::Disable => Block::fields(vec![
            (
                "申請項目",
                format!("{} 啟用　{} 停用", check(false), check(true)),
            ),
            ("預定停用日期", request.planned_on.clone()),
            ("停用原因", request.reason.clone().unwrap_or_default()),
        ]),
    };
    let approved = request.status != RequestStatus::Rejected;
    let mut answer = vec![
        (
            "審核結果",
            format!("{} 同意　{} 不同意", check(approved), check(!approved)),
        ),
        ("說明", request.decision_note.clone().unwrap_or_default()),
        ("審核日期", request.decided_at.clone().unwrap_or_default()),
    ];
    if let Some(effective) = &request.effective_on {
        answer.push((
            match request.kind {
                RequestKind::Enable => "應用系統啟用日期",
                RequestKind::Disable => "應用系統停用日期",
            },
            effective.clone(),
        ));
    }
    Some(Sheet {
        size: PaperSize::A4,
        title: format!("{TITLE}（審核結果）"),
        reference: Some(Reference::case(request.number.clone())),
        printed_on: printed_on.to_owned(),
        blocks: vec![
            Block::Heading("申請機關(構)資料".into()),
            Block::fields(vec![
                (
                    "機關(構)名稱",
                    format!(
                        "{}（{} {}）",
                        request.organisation,
                        request.applicant_kind.label(ZhTw),
                        request.applicant_id
                    ),
                ),
                ("機關(構)地址", request.address.clone()),
                ("應用系統中文名稱", request.system_name.clone()),
                ("伺服器憑證序號", request.certificate_serial.clone()),
            ]),
            person("聯絡人", &request.contact),
            person("代理人", &request.deputy),
            Block::Heading("申請項目".into()),
            asked,
            Block::Heading("審核結果".into()),
            Block::fields(answer),
            Block::Paragraph(
                "依「內政部自然人憑證用戶身分確認服務系統申請要點」第三點及第四點，以書面回覆審核結果並通知應用系統啟用或停用之時間。"
                    .into(),
            ),
        ],
        seals: vec!["內政部"],
    })
}

/// Whether `principal` may print the letter of `request`: its applicant, or a reviewer.
async fn may_print(
    state: &AppState,
    principal: &Principal,
    request: &RequestView,
    source_ip: String,
) -> Result<Option<Actor>, PortalError> {
    Ok(match principal {
        Principal::Agency { code, .. }
            if request.applicant_kind == ApplicantKind::Agency && *code == request.applicant_id =>
        {
            Some(Actor::agency(code, source_ip))
        }
        Principal::Company { business_id, .. }
            if request.applicant_kind == ApplicantKind::Financial
                && *business_id == request.applicant_id =>
        {
            Some(Actor::company(business_id, source_ip))
        }
        Principal::Staff { staff_id } => {
            crate::services::staff::store::by_id(&state.db.pool, *staff_id)
                .await?
                .filter(|member| DESK_ROLES.contains(&member.role))
                .map(|member| Actor::staff(&member, source_ip))
        }
        _ => None,
    })
}

/// The letter of request `id` for `principal`, audited as `confirmation.request.letter`;
/// `None` for a request that is not theirs, does not exist or has no answer yet.
pub async fn letter(
    state: &AppState,
    principal: &Principal,
    source_ip: String,
    id: i64,
) -> Result<Option<Sheet>, PortalError> {
    let now = state.clock.unix();
    let mut conn = state.db.pool.acquire().await?;
    let Some(request) = super::store::load(&mut conn, id).await? else {
        return Ok(None);
    };
    drop(conn);
    let Some(actor) = may_print(state, principal, &request, source_ip).await? else {
        return Ok(None);
    };
    let Some(sheet) = sheet(&request, &roc_date(now)) else {
        return Ok(None);
    };
    let mut work = Work::begin(&state.db, &actor, now).await?;
    work.audit(
        "confirmation.request.letter",
        &id.to_string(),
        &crate::cases::actor::NoDetail {},
    )
    .await?;
    work.commit().await?;
    Ok(Some(sheet))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(status: RequestStatus) -> RequestView {
        let person = PersonView {
            name: "林志明".into(),
            title: "科長".into(),
            unit: "資訊處".into(),
            email: "lin@bank.example.com".into(),
            phone: "(02)23456789".into(),
            fax: "(02)23456780".into(),
        };
        RequestView {
            id: 1,
            number: "C1151204-000001".into(),
            kind: RequestKind::Enable,
            status,
            applicant_kind: ApplicantKind::Financial,
            applicant_id: "04595257".into(),
            organisation: "示範商業銀行".into(),
            address: "臺北市中正區重慶南路一段122號".into(),
            system_name: "網路銀行".into(),
            certificate_serial: "0a1b".into(),
            contact: person.clone(),
            deputy: person,
            planned_on: "116/01/15".into(),
            overview: Some("網路銀行以自然人憑證登入".into()),
            reason: None,
            filed_at: "115/12/04 09:00:00".into(),
            decided_at: Some("115/12/05 10:00:00".into()),
            decision_note: Some("符合申請要點".into()),
            effective_on: Some("116/01/15".into()),
            system_id: Some(3),
        }
    }

    #[test]
    fn i_2_the_letter_is_the_form_with_the_ministrys_answer() {
        assert!(sheet(&request(RequestStatus::Pending), "115/12/05").is_none());
        let letter = sheet(&request(RequestStatus::Approved), "115/12/05").expect("letter");
        let text = letter.texts().join("\n");
        for expected in [
            "■ 同意　□ 不同意",
            "符合申請要點",
            "應用系統啟用日期",
            "116/01/15",
            "自 116/01/15 至 伺服器憑證有效期限日止",
            "0a1b",
            "(02)23456780",
        ] {
            assert!(text.contains(expected), "{expected}");
        }
        assert_eq!(letter.reference, Some(Reference::case("C1151204-000001")));
        let rejected = sheet(
            &RequestView {
                effective_on: None,
                ..request(RequestStatus::Rejected)
            },
            "115/12/05",
        )
        .expect("letter");
        assert!(rejected.texts().join("\n").contains("□ 同意　■ 不同意"));
    }
}
