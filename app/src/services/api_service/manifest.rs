//! What the API service declares to the portal (see [`crate::services::manifest`]).

use super::review::REVIEW_ROLES;
use super::{FORM_PATH, PROGRESS_PATH, REVIEW_CASE_PATH, REVIEW_PATH};
use crate::services::manifest::{Manifest, MenuEntry};

pub const MANIFEST: Manifest = Manifest {
    form_pages: &[FORM_PATH, PROGRESS_PATH, REVIEW_PATH, REVIEW_CASE_PATH],
    menu: &[MenuEntry {
        path: REVIEW_PATH,
        roles: &REVIEW_ROLES,
        zh_tw: "國民身分證領補換資料查驗作業API介接服務 案件審核",
        english: "API service: review cases and permissions",
    }],
};
