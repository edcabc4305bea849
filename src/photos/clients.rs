//! Uploads in flight per client, so that one client (one address, an IPv6
//! /64) can never hold every upload place with bodies it sends slowly or not
//! at all. Per process, like the places themselves: both bound this machine's
//! memory, not a quota.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Most uploads one client may have in flight at once: a phone sending two
/// photos side by side is fine, a third waits its turn.
pub const PER_CLIENT: u8 = 2;

/// Most clients counted at once. Only clients with an upload in flight have
/// an entry, and every upload but those being refused holds a place, so this
/// is never reached in practice; it bounds the map whatever arrives.
const MAX_CLIENTS: usize = 4096;

/// The counters, shared by every upload of this process.
#[derive(Debug, Default)]
pub(super) struct Clients(Mutex<HashMap<String, u8>>);

/// Why a client's upload was not let in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// This client has [`PER_CLIENT`] uploads in flight.
    ClientBusy,
    /// Too many clients are uploading at this moment.
    Full,
}

/// One of a client's upload slots; freed when dropped (the upload finished,
/// failed or was cut off).
#[derive(Debug)]
pub struct ClientSlot {
    clients: Arc<Clients>,
    client: String,
}

impl Clients {
    /// A slot for `client` (a `limits::client_subject`).
    pub(super) fn take(self: &Arc<Self>, client: &str) -> Result<ClientSlot, Refused> {
        let mut counts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let full = counts.len() >= MAX_CLIENTS;
        match counts.get_mut(client) {
            Some(n) if *n >= PER_CLIENT => return Err(Refused::ClientBusy),
            Some(n) => *n += 1,
            None if full => return Err(Refused::Full),
            None => {
                counts.insert(client.to_owned(), 1);
            }
        }
        Ok(ClientSlot {
            clients: self.clone(),
            client: client.to_owned(),
        })
    }

    /// Clients with an upload in flight.
    pub(super) fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut counts = self.clients.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = counts.get_mut(&self.client) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_per_client_freed_on_drop_and_forgotten_at_zero() {
        let clients = Arc::new(Clients::default());
        let a1 = clients.take("203.0.113.7").unwrap();
        let a2 = clients.take("203.0.113.7").unwrap();
        assert_eq!(clients.take("203.0.113.7").unwrap_err(), Refused::ClientBusy);
        let b = clients
            .take("198.51.100.9")
            .expect("another client is not held up");
        drop(a1);
        let a3 = clients
            .take("203.0.113.7")
            .expect("a finished upload frees its slot");
        drop((a2, a3, b));
        assert_eq!(clients.len(), 0, "nothing is kept for clients without uploads");
    }

    #[test]
    fn the_map_is_bounded() {
        let clients = Arc::new(Clients::default());
        let held: Vec<_> = (0..MAX_CLIENTS)
            .map(|i| clients.take(&format!("c{i}")).unwrap())
            .collect();
        assert_eq!(clients.take("one more").unwrap_err(), Refused::Full);
        drop(held);
        assert_eq!(clients.len(), 0);
    }
}
