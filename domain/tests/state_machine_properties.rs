//! Property tests: no sequence of causes reaches a state the table does not allow.

use domain::connection::{transition, Cause, ConnectionEvent, ConnectionStatus};
use proptest::prelude::*;

fn cause() -> impl Strategy<Value = Cause> {
    proptest::sample::select(Cause::ALL.to_vec())
}

proptest! {
    #[test]
    fn every_reachable_state_is_one_the_table_allows(causes in proptest::collection::vec(cause(), 0..40)) {
        let mut state: Option<ConnectionStatus> = None;
        let mut existed = false;
        for cause in causes {
            match transition(state, cause) {
                Ok(t) => {
                    prop_assert_eq!(t.from, state);
                    // Creation only from nothing; after deletion nothing comes back.
                    prop_assert!(t.from.is_some() || (cause == Cause::Created && !existed));
                    if t.to == Some(ConnectionStatus::Linked) {
                        prop_assert_eq!(cause, Cause::Authorized);
                    }
                    if t.from == Some(ConnectionStatus::Linked) && t.to.is_some() {
                        prop_assert_ne!(t.to, Some(ConnectionStatus::PendingAuth));
                    }
                    if t.to.is_none() {
                        prop_assert_eq!(t.event, ConnectionEvent::Deleted);
                    }
                    existed = true;
                    state = t.to;
                    if state.is_none() {
                        break;
                    }
                }
                Err(_) => {
                    // A refused cause changes nothing: the state stays as it was.
                }
            }
        }
    }

    #[test]
    fn the_same_cause_twice_never_emits_connected_twice(status in proptest::sample::select(ConnectionStatus::ALL.to_vec())) {
        if let Ok(first) = transition(Some(status), Cause::Authorized) {
            prop_assert!(transition(first.to, Cause::Authorized).is_err(), "linking a linked connection is refused");
        }
    }

    #[test]
    fn refusals_explain_themselves(status in proptest::option::of(proptest::sample::select(ConnectionStatus::ALL.to_vec())), cause in cause()) {
        if let Err(error) = transition(status, cause) {
            prop_assert!(!error.to_string().is_empty());
        }
    }
}
