//! The connection life cycle as a pure state machine: no clocks, no randomness, no I/O.
//!
//! The caller feeds events with the current Unix time and a random number in [0, 1), and
//! schedules a `RetryDue` after the delay returned. Keeping time and chance outside makes
//! every transition and backoff bound testable.

use crate::model::ConnState;
use std::time::Duration;

/// Exponential backoff: `initial`, doubling per failed attempt, capped at `max`, then
/// shortened by up to `jitter` (a fraction) so many dashboards do not retry in lockstep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
    pub jitter: f64,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(60),
            jitter: 0.2,
        }
    }
}

impl Backoff {
    /// Delay before retry number `attempt` (1-based); `random` in [0, 1).
    pub fn delay(&self, attempt: u32, random: f64) -> Duration {
        let exp = attempt.saturating_sub(1).min(31);
        let base = self
            .initial
            .checked_mul(1u32 << exp)
            .unwrap_or(self.max)
            .min(self.max);
        let r = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let jitter = self.jitter.clamp(0.0, 1.0);
        base.mul_f64(1.0 - jitter * r)
    }
}

/// What happened to a connection.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnEvent {
    /// The user (or start-up) asked to connect, or to retry right now.
    ConnectRequested,
    Connected {
        now: i64,
    },
    /// A connect attempt failed. Non-retryable failures (authentication, host key changed or
    /// rejected) end in `Error`: retrying cannot fix them.
    Failed {
        reason: String,
        retryable: bool,
        now: i64,
    },
    /// An established session ended without being asked to.
    Lost {
        reason: String,
        now: i64,
    },
    /// The retry timer fired.
    RetryDue {
        now: i64,
    },
    /// The user disconnected; never followed by a reconnect.
    DisconnectRequested,
}

/// What the caller must do after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnEffect {
    None,
    /// Start a connect attempt now.
    Connect,
    /// Schedule `RetryDue` after this delay.
    RetryIn(Duration),
    /// Close the session (or abandon the attempt in flight).
    Close,
}

/// One connection's state plus the retry counter behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnMachine {
    state: ConnState,
    backoff: Backoff,
}

impl ConnMachine {
    pub fn new(backoff: Backoff) -> Self {
        Self {
            state: ConnState::Disconnected,
            backoff,
        }
    }

    pub fn state(&self) -> &ConnState {
        &self.state
    }

    /// Applies `event`; `random` in [0, 1) is only used for the backoff jitter.
    pub fn handle(&mut self, event: ConnEvent, random: f64) -> ConnEffect {
        use ConnEvent as E;
        use ConnState as S;
        match (&self.state, event) {
            (_, E::DisconnectRequested) => {
                let was_idle = matches!(self.state, S::Disconnected | S::Error { .. });
                self.state = S::Disconnected;
                if was_idle {
                    ConnEffect::None
                } else {
                    ConnEffect::Close
                }
            }
            (S::Disconnected | S::Error { .. } | S::Reconnecting { .. }, E::ConnectRequested) => {
                let attempt = match &self.state {
                    S::Reconnecting { attempt, .. } => attempt + 1,
                    _ => 1,
                };
                self.state = S::Connecting { attempt };
                ConnEffect::Connect
            }
            (S::Connecting { .. }, E::Connected { now }) => {
                self.state = S::Connected { since: now };
                ConnEffect::None
            }
            (
                S::Connecting { .. },
                E::Failed {
                    reason,
                    retryable: false,
                    ..
                },
            ) => {
                self.state = S::Error { reason };
                ConnEffect::None
            }
            (
                S::Connecting { attempt },
                E::Failed {
                    reason,
                    retryable: true,
                    now,
                },
            )
            | (S::Connecting { attempt }, E::Lost { reason, now }) => {
                let attempt = *attempt;
                self.schedule_retry(attempt, reason, now, random)
            }
            (S::Connected { .. }, E::Lost { reason, now }) => {
                self.schedule_retry(1, reason, now, random)
            }
            (
                S::Reconnecting {
                    attempt, retry_at, ..
                },
                E::RetryDue { now },
            ) if now >= *retry_at => {
                self.state = S::Connecting {
                    attempt: attempt + 1,
                };
                ConnEffect::Connect
            }
            // Everything else is stale news: a loss reported after a deliberate disconnect,
            // an early timer, a second connect request while one is under way.
            _ => ConnEffect::None,
        }
    }

    fn schedule_retry(
        &mut self,
        attempt: u32,
        reason: String,
        now: i64,
        random: f64,
    ) -> ConnEffect {
        let delay = self.backoff.delay(attempt, random);
        let secs = delay.as_secs() as i64 + i64::from(delay.subsec_nanos() > 0);
        self.state = ConnState::Reconnecting {
            attempt,
            retry_at: now.saturating_add(secs),
            reason,
        };
        ConnEffect::RetryIn(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine() -> ConnMachine {
        ConnMachine::new(Backoff {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(30),
            jitter: 0.2,
        })
    }

    fn lost(now: i64) -> ConnEvent {
        ConnEvent::Lost {
            reason: "keepalive timeout".into(),
            now,
        }
    }

    #[test]
    fn connect_then_connected() {
        let mut m = machine();
        assert_eq!(m.state(), &ConnState::Disconnected);
        assert_eq!(
            m.handle(ConnEvent::ConnectRequested, 0.0),
            ConnEffect::Connect
        );
        assert_eq!(m.state(), &ConnState::Connecting { attempt: 1 });
        assert_eq!(
            m.handle(ConnEvent::Connected { now: 100 }, 0.0),
            ConnEffect::None
        );
        assert_eq!(m.state(), &ConnState::Connected { since: 100 });
    }

    #[test]
    fn lost_connection_reconnects_with_backoff() {
        let mut m = machine();
        m.handle(ConnEvent::ConnectRequested, 0.0);
        m.handle(ConnEvent::Connected { now: 100 }, 0.0);
        assert_eq!(
            m.handle(lost(200), 0.0),
            ConnEffect::RetryIn(Duration::from_secs(1))
        );
        assert_eq!(
            m.state(),
            &ConnState::Reconnecting {
                attempt: 1,
                retry_at: 201,
                reason: "keepalive timeout".into()
            }
        );
        // An early timer does nothing.
        assert_eq!(
            m.handle(ConnEvent::RetryDue { now: 200 }, 0.0),
            ConnEffect::None
        );
        assert_eq!(
            m.handle(ConnEvent::RetryDue { now: 201 }, 0.0),
            ConnEffect::Connect
        );
        assert_eq!(m.state(), &ConnState::Connecting { attempt: 2 });
        let failed = ConnEvent::Failed {
            reason: "connection refused".into(),
            retryable: true,
            now: 202,
        };
        assert_eq!(
            m.handle(failed, 0.0),
            ConnEffect::RetryIn(Duration::from_secs(2))
        );
        assert_eq!(m.state().reason(), Some("connection refused"));
        assert_eq!(
            m.handle(ConnEvent::RetryDue { now: 204 }, 0.0),
            ConnEffect::Connect
        );
        assert_eq!(
            m.handle(ConnEvent::Connected { now: 205 }, 0.0),
            ConnEffect::None
        );
        // A later loss starts the backoff from the beginning again.
        assert_eq!(
            m.handle(lost(300), 0.0),
            ConnEffect::RetryIn(Duration::from_secs(1))
        );
    }

    #[test]
    fn non_retryable_failure_is_an_error_with_reason() {
        let mut m = machine();
        m.handle(ConnEvent::ConnectRequested, 0.0);
        let failed = ConnEvent::Failed {
            reason: "host key changed".into(),
            retryable: false,
            now: 5,
        };
        assert_eq!(m.handle(failed, 0.5), ConnEffect::None);
        assert_eq!(
            m.state(),
            &ConnState::Error {
                reason: "host key changed".into()
            }
        );
        assert_eq!(
            m.handle(ConnEvent::RetryDue { now: 100 }, 0.0),
            ConnEffect::None
        );
        assert_eq!(
            m.handle(ConnEvent::ConnectRequested, 0.0),
            ConnEffect::Connect
        );
        assert_eq!(m.state(), &ConnState::Connecting { attempt: 1 });
    }

    #[test]
    fn deliberate_disconnect_never_reconnects() {
        let mut m = machine();
        m.handle(ConnEvent::ConnectRequested, 0.0);
        m.handle(ConnEvent::Connected { now: 1 }, 0.0);
        assert_eq!(
            m.handle(ConnEvent::DisconnectRequested, 0.0),
            ConnEffect::Close
        );
        // The session's own end is reported afterwards; it must not start a retry.
        assert_eq!(m.handle(lost(2), 0.0), ConnEffect::None);
        assert_eq!(
            m.handle(ConnEvent::RetryDue { now: 99 }, 0.0),
            ConnEffect::None
        );
        assert_eq!(m.state(), &ConnState::Disconnected);
        assert_eq!(
            m.handle(ConnEvent::DisconnectRequested, 0.0),
            ConnEffect::None
        );
    }

    #[test]
    fn disconnect_while_reconnecting_or_connecting_stops() {
        let mut m = machine();
        m.handle(ConnEvent::ConnectRequested, 0.0);
        assert_eq!(
            m.handle(ConnEvent::DisconnectRequested, 0.0),
            ConnEffect::Close
        );
        assert_eq!(
            m.handle(ConnEvent::Connected { now: 3 }, 0.0),
            ConnEffect::None
        );
        assert_eq!(m.state(), &ConnState::Disconnected);

        m.handle(ConnEvent::ConnectRequested, 0.0);
        m.handle(ConnEvent::Connected { now: 1 }, 0.0);
        m.handle(lost(2), 0.0);
        assert_eq!(
            m.handle(ConnEvent::DisconnectRequested, 0.0),
            ConnEffect::Close
        );
        assert_eq!(
            m.handle(ConnEvent::RetryDue { now: 1000 }, 0.0),
            ConnEffect::None
        );
        assert_eq!(m.state(), &ConnState::Disconnected);
    }

    #[test]
    fn connect_request_while_reconnecting_retries_now() {
        let mut m = machine();
        m.handle(ConnEvent::ConnectRequested, 0.0);
        m.handle(ConnEvent::Connected { now: 1 }, 0.0);
        m.handle(lost(2), 0.0);
        assert_eq!(
            m.handle(ConnEvent::ConnectRequested, 0.0),
            ConnEffect::Connect
        );
        assert_eq!(m.state(), &ConnState::Connecting { attempt: 2 });
        // A second request while connecting is ignored.
        assert_eq!(m.handle(ConnEvent::ConnectRequested, 0.0), ConnEffect::None);
    }

    #[test]
    fn backoff_doubles_to_the_cap_and_jitter_stays_in_bounds() {
        let b = Backoff {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(10),
            jitter: 0.2,
        };
        let no_jitter: Vec<u64> = (1..=8)
            .map(|a| b.delay(a, 0.0).as_millis() as u64)
            .collect();
        assert_eq!(
            no_jitter,
            vec![500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]
        );
        assert_eq!(b.delay(u32::MAX, 0.0), Duration::from_secs(10));
        for attempt in [1, 3, 6, 40] {
            let base = b.delay(attempt, 0.0);
            for r in [0.0, 0.25, 0.5, 0.999_999] {
                let d = b.delay(attempt, r);
                assert!(
                    d <= base && d >= base.mul_f64(0.8),
                    "attempt {attempt} r {r}: {d:?}"
                );
            }
        }
        assert!(b.delay(2, 0.999) < b.delay(2, 0.0));
        // Garbage randomness cannot push the delay outside the bounds.
        assert_eq!(b.delay(2, f64::NAN), Duration::from_secs(1));
        assert_eq!(b.delay(2, 7.0), Duration::from_millis(800));
    }

    #[test]
    fn lost_while_connecting_counts_as_retryable_failure() {
        let mut m = machine();
        m.handle(ConnEvent::ConnectRequested, 0.0);
        assert_eq!(
            m.handle(lost(10), 0.5),
            ConnEffect::RetryIn(Duration::from_millis(900))
        );
        assert_eq!(m.state().label(), "reconnecting");
    }
}
