//! The one place that reads the wall clock.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, plus `offset` (a configured correction).
pub fn now_unix(offset: i64) -> u64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    secs.saturating_add_signed(offset)
}
