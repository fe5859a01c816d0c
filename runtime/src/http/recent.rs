//! Attribute values that repeat from one request to the next on a thread (the route, the
//! host, the user agent, the peer's address). The last few are kept as shared strings, so
//! a request clones a pointer where it would allocate and copy, and its span's end frees
//! nothing.

use std::cell::RefCell;
use std::net::IpAddr;
use std::sync::Arc;

use opentelemetry::StringValue;

/// How many recent texts a thread keeps, and the longest it keeps: a few KiB at most.
const SLOTS: usize = 8;
const MAX_LEN: usize = 256;

struct Recent {
    texts: [Option<Arc<str>>; SLOTS],
    next: usize,
    peer: Option<(IpAddr, Arc<str>)>,
}

thread_local! {
    static RECENT: RefCell<Recent> = const {
        RefCell::new(Recent { texts: [const { None }; SLOTS], next: 0, peer: None })
    };
}

/// `text` as an attribute value: the copy kept from a recent request when there is one.
pub(crate) fn text(text: &str) -> StringValue {
    if text.len() > MAX_LEN {
        return StringValue::from(text.to_owned());
    }
    RECENT
        .try_with(|recent| {
            let mut recent = recent.borrow_mut();
            if let Some(kept) = recent.texts.iter().flatten().find(|kept| ***kept == *text) {
                return kept.clone();
            }
            let kept: Arc<str> = text.into();
            let slot = recent.next;
            recent.texts[slot] = Some(kept.clone());
            recent.next = (slot + 1) % SLOTS;
            kept
        })
        .map_or_else(|_| StringValue::from(text.to_owned()), StringValue::from)
}

/// The peer's address as text (`network.peer.address`, `client.address`): formatted once
/// while the same peer keeps connecting (a proxy, a sidecar, a load balancer).
pub(crate) fn peer(ip: IpAddr) -> StringValue {
    RECENT
        .try_with(|recent| {
            let mut recent = recent.borrow_mut();
            match &recent.peer {
                Some((kept, text)) if *kept == ip => text.clone(),
                _ => {
                    let text: Arc<str> = ip.to_string().into();
                    recent.peer = Some((ip, text.clone()));
                    text
                }
            }
        })
        .map_or_else(|_| StringValue::from(ip.to_string()), StringValue::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recent_text_is_shared_and_the_oldest_is_forgotten() {
        let first = text("/api/orders/{id}");
        assert_eq!(first.as_str(), "/api/orders/{id}");
        let again = text("/api/orders/{id}");
        assert_eq!(again.as_str(), "/api/orders/{id}");
        // Shared: the same allocation.
        assert!(std::ptr::eq(
            first.as_str().as_ptr(),
            again.as_str().as_ptr()
        ));
        for i in 0..SLOTS {
            assert_eq!(text(&format!("/other/{i}")).as_str(), format!("/other/{i}"));
        }
        let evicted = text("/api/orders/{id}");
        assert_eq!(evicted.as_str(), "/api/orders/{id}");
        assert!(!std::ptr::eq(
            first.as_str().as_ptr(),
            evicted.as_str().as_ptr()
        ));
        let long = "x".repeat(MAX_LEN + 1);
        assert_eq!(text(&long).as_str(), long);
    }

    #[test]
    fn the_peer_is_formatted_once_while_it_stays_the_same() {
        let a: IpAddr = "10.0.0.7".parse().unwrap();
        let b: IpAddr = "2001:db8::1".parse().unwrap();
        let first = peer(a);
        assert_eq!(first.as_str(), "10.0.0.7");
        assert!(std::ptr::eq(
            first.as_str().as_ptr(),
            peer(a).as_str().as_ptr()
        ));
        assert_eq!(peer(b).as_str(), "2001:db8::1");
        assert_eq!(peer(a).as_str(), "10.0.0.7");
    }
}
