//! The case engine every service uses (issue 17). A case type declares its vocabulary
//! ([`code`]), its transitions ([`machine`]) and who may take them; a change to cases is one
//! unit of work ([`work`]) that writes the change, its timeline event ([`timeline`]), its
//! audit row and its mail together, as one [`actor`]. The diagrams in `docs/cases.md` are
//! drawn from the declarations ([`diagram`], [`catalogue`]).

#[cfg(feature = "ssr")]
pub mod actor;
pub mod catalogue;
pub mod code;
pub mod diagram;
pub mod machine;
pub mod number;
#[cfg(feature = "ssr")]
pub mod steps;
pub mod timeline;
#[cfg(feature = "ssr")]
pub mod work;
pub mod workflow;

pub use code::Code;
pub use machine::{transition, Guard, Machine, Party, Reason, Refused, Rule, Text};
