//! What the targets in `fuzz_targets/` check. Each parser of a validated form type
//! (`app::domain`) reads text anyone may type or send: whatever the bytes, it must never
//! panic, and a value it accepts, written back out, must parse to the same value.

pub use libfuzzer_sys;

/// A fuzz target for `$parse` (`&str` in, `Result` out), whose values `$show` writes back as
/// text: never a panic, and every value accepted reads back the same.
#[macro_export]
macro_rules! round_trip {
    ($parse:path, $show:expr) => {
        $crate::libfuzzer_sys::fuzz_target!(|data: &[u8]| {
            let Ok(input) = ::std::str::from_utf8(data) else {
                return;
            };
            if let Ok(value) = $parse(input) {
                let shown: ::std::string::String = ($show)(&value);
                assert_eq!($parse(&shown), Ok(value));
            }
        });
    };
}
