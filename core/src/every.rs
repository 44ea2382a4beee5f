//! Background work repeated at a fixed period while the process runs (re-reading the keyring,
//! revoked tokens, ended gateway sessions, policy files).

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinHandle;

/// Runs `step` every `period`, the first time at once. A tick missed because a step ran long is
/// not made up: the next one comes a full period later.
pub fn every<F, Fut>(period: Duration, mut step: F) -> JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            step().await;
        }
    })
}
