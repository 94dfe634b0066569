//! The portal's services, grouped the way a citizen sees them.

pub mod certificate;
pub mod company;
pub mod sign_in;
pub mod staff;
