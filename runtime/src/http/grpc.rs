//! tonic metadata as a carrier, for gRPC clients and servers (feature `tonic`).

use opentelemetry::Context;
use opentelemetry::propagation::{Extractor, Injector};
use tonic::metadata::{AsciiMetadataKey, AsciiMetadataValue, KeyAndValueRef, MetadataMap};

use super::ForwardedHeaders;
use crate::span_access::current_context;

/// Writes into tonic metadata; a `set` replaces any value the key had. Keys or values that
/// metadata cannot hold are skipped.
#[derive(Debug)]
pub struct MetadataInjector<'a>(pub &'a mut MetadataMap);

impl Injector for MetadataInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(key), Ok(value)) = (
            AsciiMetadataKey::from_bytes(key.as_bytes()),
            AsciiMetadataValue::try_from(value),
        ) {
            self.0.insert(key, value);
        }
    }
}

/// Reads tonic metadata, every value of a key included.
#[derive(Debug)]
pub struct MetadataExtractor<'a>(pub &'a MetadataMap);

impl Extractor for MetadataExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0
            .iter()
            .filter_map(|entry| match entry {
                KeyAndValueRef::Ascii(key, _) => Some(key.as_str()),
                KeyAndValueRef::Binary(..) => None,
            })
            .collect()
    }

    fn get_all(&self, key: &str) -> Option<Vec<&str>> {
        let values: Vec<&str> = self
            .0
            .get_all(key)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        (!values.is_empty()).then_some(values)
    }
}

/// Puts the current context (trace context, baggage, forwarded headers) on outgoing gRPC
/// metadata, with the configured propagators.
///
/// ```
/// let mut request = tonic::Request::new(());
/// traced::http::inject_metadata(request.metadata_mut());
/// ```
pub fn inject_metadata(metadata: &mut MetadataMap) {
    let cx = current_context();
    crate::propagation::with_propagator(|propagator| {
        propagator.inject_context(&cx, &mut MetadataInjector(metadata));
    });
    if let Some(forwarded) = ForwardedHeaders::of(&cx) {
        for (name, value) in forwarded.iter() {
            if let (Ok(key), Ok(value)) = (
                AsciiMetadataKey::from_bytes(name.as_str().as_bytes()),
                value.to_str().map(AsciiMetadataValue::try_from),
            ) && let Ok(value) = value
                && !metadata.contains_key(&key)
            {
                metadata.insert(key, value);
            }
        }
    }
}

/// The caller's context from incoming gRPC metadata, with the configured propagators.
pub fn extract_metadata(metadata: &MetadataMap) -> Context {
    crate::propagation::with_propagator(|propagator| {
        propagator.extract_with_context(&Context::new(), &MetadataExtractor(metadata))
    })
}
