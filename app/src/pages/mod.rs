//! Pages that belong to no single service: the portal's home, the not-found page and the
//! design system's page.

pub mod card_helper;
pub mod design;
pub mod home;
pub mod not_found;
