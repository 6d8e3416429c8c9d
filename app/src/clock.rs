//! The clock port: what time it is, so workers and tests can agree on it.

use chrono::{DateTime, SubsecRound, Utc};

/// The time, so tests can move it.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The real time.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        // Stores keep microseconds.
        Utc::now().trunc_subsecs(6)
    }
}
