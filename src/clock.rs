//! The one place that reads the wall clock.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, plus `offset` (a configured correction).
pub fn now_unix(offset: i64) -> u64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    secs.saturating_add_signed(offset)
}

/// Time left until the wall clock reaches the next whole second, so a
/// redraw lands just after every code changes.
pub fn until_next_second() -> std::time::Duration {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    std::time::Duration::from_nanos(u64::from(1_000_000_000 - nanos) + 1_000_000)
}
