//! In-memory caps of one process: concurrent password hashes (memory) and open live
//! connections (sockets), in total and per client network.

use super::{LimitsConfig, network};
use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The in-memory caps, shared by every request of one process.
pub struct Limits {
    hashes: Arc<Semaphore>,
    /// Password hashes started (for tests and metrics).
    pub hashes_started: AtomicU64,
    pub live: Arc<LiveGate>,
}

impl Limits {
    /// Caps sized from configuration.
    pub fn new(c: &LimitsConfig) -> Self {
        Limits {
            hashes: Arc::new(Semaphore::new(c.password_hashes)),
            hashes_started: AtomicU64::new(0),
            live: Arc::new(LiveGate {
                total: AtomicUsize::new(0),
                per_client: Mutex::new(HashMap::new()),
                max_total: c.live_connections,
                max_per_client: c.live_connections_per_client,
            }),
        }
    }

    /// A permit to compute one password hash now, or `None` when the cap is reached.
    pub fn try_hash(&self) -> Option<OwnedSemaphorePermit> {
        let permit = self.hashes.clone().try_acquire_owned().ok()?;
        self.hashes_started.fetch_add(1, Ordering::Relaxed);
        Some(permit)
    }

    /// A permit to compute one password hash, waiting for one (staff-only paths).
    pub async fn hash(&self) -> Option<OwnedSemaphorePermit> {
        let permit = self.hashes.clone().acquire_owned().await.ok()?;
        self.hashes_started.fetch_add(1, Ordering::Relaxed);
        Some(permit)
    }
}

/// Counts open live connections, in total and per client network.
pub struct LiveGate {
    total: AtomicUsize,
    per_client: Mutex<HashMap<String, usize>>,
    max_total: usize,
    max_per_client: usize,
}

/// One admitted live connection; dropping it frees the place.
pub struct LiveTicket {
    gate: Arc<LiveGate>,
    client: String,
}

impl LiveGate {
    /// Admits a connection from `ip`, or `None` past either cap.
    pub fn admit(self: &Arc<Self>, ip: &str) -> Option<LiveTicket> {
        let client = network(ip);
        let mut per = self.per_client.lock().unwrap_or_else(|e| e.into_inner());
        let mine = per.entry(client.clone()).or_insert(0);
        if *mine >= self.max_per_client || self.total.load(Ordering::Relaxed) >= self.max_total {
            if *mine == 0 {
                per.remove(&client);
            }
            return None;
        }
        *mine += 1;
        self.total.fetch_add(1, Ordering::Relaxed);
        Some(LiveTicket {
            gate: self.clone(),
            client,
        })
    }

    /// Open connections.
    pub fn open(&self) -> usize {
        self.total.load(Ordering::Relaxed)
    }
}

impl Drop for LiveTicket {
    fn drop(&mut self) {
        let mut per = self
            .gate
            .per_client
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(n) = per.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                per.remove(&self.client);
            }
        }
        self.gate.total.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_gate_counts_per_network_and_in_total() {
        let gate = Arc::new(LiveGate {
            total: AtomicUsize::new(0),
            per_client: Mutex::new(HashMap::new()),
            max_total: 3,
            max_per_client: 2,
        });
        let a = gate.admit("2001:db8::1").unwrap();
        let _b = gate.admit("2001:db8::2").unwrap();
        assert!(gate.admit("2001:db8::3").is_none(), "same /64");
        let _c = gate.admit("192.0.2.1").unwrap();
        assert!(gate.admit("192.0.2.2").is_none(), "total");
        drop(a);
        assert!(gate.admit("192.0.2.2").is_some());
    }
}
