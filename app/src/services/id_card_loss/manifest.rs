//! What the ID card loss service declares to the portal (see [`crate::services::manifest`]).

use super::office::{FOLLOW_UP_ROLES, OVERSIGHT_ROLES};
use crate::services::manifest::{Manifest, MenuEntry};

pub const MANIFEST: Manifest = Manifest {
    form_pages: &[
        "/id-card/loss/report",
        "/id-card/loss/query",
        "/id-card/loss/revoke",
        "/admin/id-card-loss",
        super::card::PATH,
    ],
    menu: &[
        MenuEntry {
            path: "/admin/id-card-loss",
            roles: &FOLLOW_UP_ROLES,
            zh_tw: "國民身分證查詢掛失作業 (RL03Y00)",
            english: "ID card loss reports (RL03Y00)",
        },
        MenuEntry {
            path: "/admin/id-card-loss/events",
            roles: &OVERSIGHT_ROLES,
            zh_tw: "國民身分證掛失通報紀錄",
            english: "ID card loss reports: events",
        },
    ],
};
