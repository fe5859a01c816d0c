//! Attribute values that repeat from one request to the next on a thread (the route, the
//! host, the user agent, the peer's address). The last few are kept as shared strings, so
//! a request clones a pointer where it would allocate and copy, and its span's end frees
//! nothing. Span names (`GET /api/orders/{id}`) are kept for the whole process, a bounded
//! number of them: the SDK takes a name as a `&'static str` or an owned `String`.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

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
    static RECENT_NAMES: RefCell<RecentNames> = const {
        RefCell::new(RecentNames { names: [None; SLOTS], next: 0 })
    };
}

/// How many distinct span names the process keeps (at most `MAX_LEN` bytes each, so a few
/// hundred KiB at worst). Names are built from route and URL templates, which are few; past
/// this, names are built for each span again.
const MAX_NAMES: usize = 1024;

/// The names this thread used last: (method, target, `{method} {target}`).
struct RecentNames {
    names: [Option<(&'static str, &'static str, &'static str)>; SLOTS],
    next: usize,
}

/// Every name kept, for the whole process.
static NAMES: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
/// Set once `NAMES` is full: a thread's miss then builds its name without taking the lock.
static NAMES_FULL: AtomicBool = AtomicBool::new(false);

/// The span name `{method} {target}`, without building it again when it was built before.
pub(crate) fn name(method: &'static str, target: &str) -> Cow<'static, str> {
    if target.len() > MAX_LEN {
        return Cow::Owned(format!("{method} {target}"));
    }
    let kept = RECENT_NAMES.try_with(|recent| {
        let mut recent = recent.borrow_mut();
        // Methods are the same `&'static str`s; comparing addresses first is enough to
        // tell them apart, and cheaper than comparing text.
        if let Some(&(_, _, name)) = recent
            .names
            .iter()
            .flatten()
            .find(|(m, t, _)| std::ptr::eq(*m, method) && *t == target)
        {
            return Some(name);
        }
        let name = keep(method, target)?;
        let slot = recent.next;
        recent.names[slot] = Some((method, &name[method.len() + 1..], name));
        recent.next = (slot + 1) % SLOTS;
        Some(name)
    });
    match kept {
        Ok(Some(name)) => Cow::Borrowed(name),
        _ => Cow::Owned(format!("{method} {target}")),
    }
}

/// The process's copy of `{method} {target}`, made now if there is room for it.
fn keep(method: &'static str, target: &str) -> Option<&'static str> {
    if NAMES_FULL.load(Ordering::Relaxed) {
        return None;
    }
    let built = format!("{method} {target}");
    let mut names = NAMES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let names = names.get_or_insert_with(HashSet::new);
    if let Some(&name) = names.get(built.as_str()) {
        return Some(name);
    }
    if names.len() >= MAX_NAMES {
        NAMES_FULL.store(true, Ordering::Relaxed);
        return None;
    }
    // Kept for the life of the process, as the names of the spans it exports.
    let name: &'static str = Box::leak(built.into_boxed_str());
    names.insert(name);
    Some(name)
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
    fn span_names_are_built_once() {
        let first = name("GET", "/api/names/{id}");
        assert!(matches!(first, Cow::Borrowed("GET /api/names/{id}")));
        // Another method with the same text, and the same name again.
        let post = name("POST", "/api/names/{id}");
        assert_eq!(post, "POST /api/names/{id}");
        let again = name("GET", "/api/names/{id}");
        assert!(std::ptr::eq(first.as_ptr(), again.as_ptr()));
        // Past this thread's recent names, the process's copy is found again.
        for i in 0..SLOTS {
            assert_eq!(
                name("GET", &format!("/names/{i}")),
                format!("GET /names/{i}")
            );
        }
        let later = name("GET", "/api/names/{id}");
        assert!(std::ptr::eq(first.as_ptr(), later.as_ptr()));
        // From another thread too.
        let elsewhere = std::thread::spawn(|| name("GET", "/api/names/{id}").as_ptr() as usize)
            .join()
            .unwrap();
        assert_eq!(elsewhere, first.as_ptr() as usize);
        let long = "x".repeat(MAX_LEN + 1);
        assert!(matches!(name("GET", &long), Cow::Owned(_)));
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
