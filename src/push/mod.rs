//! Web Push to people's phones and browsers: message encryption (RFC 8291), VAPID
//! (RFC 8292), the push services Duta may send to (`push.*`), and sending one message.
//! Knows no domain: who is sent what, and the queue of deliveries, are the domains'.
//!
//! A node's sender waits for [`wait_for_work`]; whoever queues deliveries calls
//! [`wake`] so they go at once. The wake-up is a signal within the process, never a
//! record of what is due: that is in the database, and every node's sender also looks
//! there on its own every half minute.

pub mod config;
pub mod ece;
pub mod transport;
pub mod vapid;

use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use tokio::sync::Notify;

pub use config::PushConfig;
pub use transport::{EndpointError, Outcome, Pusher, Subscription};
pub use vapid::VapidKey;

fn signal() -> &'static Notify {
    static SIGNAL: OnceLock<Notify> = OnceLock::new();
    SIGNAL.get_or_init(Notify::new)
}

/// Deliveries were queued: the senders of this process look now.
pub fn wake() {
    signal().notify_waiters();
}

/// Until [`wake`] is called or `at_most` has passed.
pub async fn wait_for_work(at_most: Duration) {
    let woken = signal().notified();
    tokio::pin!(woken);
    woken.as_mut().enable();
    tokio::select! {
        _ = woken => {}
        _ = tokio::time::sleep(at_most) => {}
    }
}

/// The deployment's VAPID key: `push.vapid_private_key` when configured, else
/// `<data_dir>/vapid.key`, written (mode 0600) at the first start. Every node must have
/// the same one: browsers subscribe against its public key.
pub fn load_or_create_key(cfg: &PushConfig, data_dir: &Path) -> Result<VapidKey, String> {
    if let Some(key) = &cfg.vapid_private_key {
        return VapidKey::from_private(key);
    }
    let path = data_dir.join("vapid.key");
    if !path.exists() {
        let text = format!(
            "# Duta's VAPID key for Web Push. Every node needs the same one; with a new key\n\
             # every browser must subscribe again.\n{}\n",
            VapidKey::generate_private()?
        );
        crate::config::write_private_file(&path, &text)?;
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or_default();
    VapidKey::from_private(line).map_err(|e| format!("{}: {e}", path.display()))
}
