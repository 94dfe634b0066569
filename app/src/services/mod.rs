//! The portal's services, grouped the way a citizen sees them.

pub mod certificate;
