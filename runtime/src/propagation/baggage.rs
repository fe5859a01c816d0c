//! W3C Baggage: the `baggage` header.

use std::sync::LazyLock;

use opentelemetry::Context;
use opentelemetry::baggage::{BaggageExt as _, KeyValueMetadata};
use opentelemetry::propagation::text_map_propagator::FieldIter;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use super::carrier::{Carrier, Field, Sink};
use super::trim_ows;

const BAGGAGE: &str = "baggage";
const BAGGAGE_FIELD: Field = Field::new(BAGGAGE);

static FIELDS: LazyLock<[String; 1]> = LazyLock::new(|| [BAGGAGE.to_owned()]);

/// The limits every platform must at least propagate; beyond them whole members are
/// dropped, never part of one.
const MAX_MEMBERS: usize = 64;
const MAX_BYTES: usize = 8192;

/// What a value must percent-encode: everything that is not a `baggage-octet`, and `%`
/// itself, so that decoding gives the value back. Non-ASCII bytes are always encoded.
const VALUE_ENCODE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b',')
    .add(b';')
    .add(b'\\')
    .add(b'%');

/// W3C Baggage propagator.
///
/// Extraction reads every `baggage` line as one list of
/// `key OWS "=" OWS value *( OWS ";" OWS property )` members: keys are RFC 7230 tokens,
/// values are percent-decoded as UTF-8 (a sequence that is not UTF-8 becomes U+FFFD), and
/// properties are kept as the entry's metadata, whitespace removed. An invalid member is
/// dropped and the others kept. At most 64 members and 8192 bytes of members are kept: the
/// members past a limit are dropped whole. A key that comes twice keeps its last value. When
/// no member is valid the context is left as it was.
///
/// Injection writes one `baggage` header from the context's baggage, keys in sorted order,
/// values percent-encoded; entries whose key is not a token, and properties that are not
/// valid, are left out, and so are whole entries past the limits.
///
/// ```
/// use opentelemetry::baggage::BaggageExt as _;
/// use opentelemetry::propagation::TextMapPropagator as _;
/// use std::collections::HashMap;
///
/// let headers = HashMap::from([(
///     "baggage".to_owned(),
///     "user=ada%20lovelace;pii, bad key=1, tier=gold".to_owned(),
/// )]);
/// let cx = traced::propagation::BaggagePropagator::new().extract(&headers);
/// assert_eq!(cx.baggage().get("user").map(|v| v.as_str()), Some("ada lovelace"));
/// assert_eq!(cx.baggage().get_with_metadata("user").unwrap().1.as_str(), "pii");
/// assert_eq!(cx.baggage().len(), 2);
/// ```
#[derive(Clone, Debug, Default)]
pub struct BaggagePropagator {
    _private: (),
}

impl BaggagePropagator {
    /// The propagator.
    pub fn new() -> Self {
        Self::default()
    }
}

impl TextMapPropagator for BaggagePropagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        self.inject_into(cx, &mut Sink::Injector(injector));
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        self.extract_from(cx, Carrier::Extractor(extractor))
    }

    fn fields(&self) -> FieldIter<'_> {
        FieldIter::new(FIELDS.as_slice())
    }
}

impl BaggagePropagator {
    /// What [`TextMapPropagator::inject_context`] does, into any sink.
    pub(crate) fn inject_into(&self, cx: &Context, sink: &mut Sink<'_>) {
        let baggage = cx.baggage();
        let mut entries: Vec<_> = baggage
            .iter()
            .filter(|(key, _)| is_token(key.as_str()))
            .collect();
        entries.sort_unstable_by(|a, b| a.0.as_str().cmp(b.0.as_str()));

        let mut header = String::new();
        let mut count = 0;
        let mut member = String::new();
        for (key, (value, metadata)) in entries {
            if count == MAX_MEMBERS {
                break;
            }
            member.clear();
            member.push_str(key.as_str());
            member.push('=');
            member.extend(utf8_percent_encode(value.as_str(), VALUE_ENCODE));
            for property in metadata.as_str().split(';').filter_map(canonical_property) {
                member.push(';');
                member.push_str(&property);
            }
            let separator = usize::from(!header.is_empty());
            if header.len() + separator + member.len() > MAX_BYTES {
                continue;
            }
            if separator == 1 {
                header.push(',');
            }
            header.push_str(&member);
            count += 1;
        }
        if !header.is_empty() {
            sink.set(&BAGGAGE_FIELD, header);
        }
    }

    /// What [`TextMapPropagator::extract_with_context`] does, on any carrier.
    pub(crate) fn extract_from(&self, cx: &Context, carrier: Carrier<'_>) -> Context {
        let mut kept = Vec::new();
        let mut bytes = 0;
        for member in carrier
            .lines(&BAGGAGE_FIELD)
            .flat_map(|line| line.split(','))
        {
            if kept.len() == MAX_MEMBERS {
                break;
            }
            let member = trim_ows(member);
            if member.is_empty() {
                continue;
            }
            let separator = usize::from(!kept.is_empty());
            if bytes + separator + member.len() > MAX_BYTES {
                continue;
            }
            if let Some(entry) = parse_member(member) {
                bytes += separator + member.len();
                kept.push(entry);
            }
        }
        if kept.is_empty() {
            cx.clone()
        } else {
            cx.with_baggage(kept)
        }
    }
}

/// One list member, already trimmed; `None` if it is invalid.
fn parse_member(member: &str) -> Option<KeyValueMetadata> {
    let mut parts = member.split(';');
    let (key, value) = parts.next()?.split_once('=')?;
    let (key, value) = (trim_ows(key), trim_ows(value));
    if !is_token(key) || !value.bytes().all(is_baggage_octet) {
        return None;
    }
    let mut metadata = String::new();
    for property in parts {
        let property = canonical_property(property)?;
        if !metadata.is_empty() {
            metadata.push(';');
        }
        metadata.push_str(&property);
    }
    let value = percent_decode_str(value).decode_utf8_lossy().into_owned();
    Some(KeyValueMetadata::new(key.to_owned(), value, metadata))
}

/// `property = key OWS "=" OWS value / key OWS`, without its whitespace; `None` if invalid.
fn canonical_property(property: &str) -> Option<String> {
    let property = trim_ows(property);
    match property.split_once('=') {
        Some((key, value)) => {
            let (key, value) = (trim_ows(key), trim_ows(value));
            (is_token(key) && value.bytes().all(is_baggage_octet)).then(|| format!("{key}={value}"))
        }
        None => is_token(property).then(|| property.to_owned()),
    }
}

/// RFC 7230 `token`: one or more `tchar`.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// `baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E`.
fn is_baggage_octet(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_follow_the_grammar() {
        let entry = parse_member("k = v%2C1 ; p1 ; p2 = x").unwrap();
        assert_eq!(entry, KeyValueMetadata::new("k", "v,1", "p1;p2=x"));
        assert_eq!(parse_member("k="), Some(KeyValueMetadata::new("k", "", "")));
        for invalid in [
            "k", "=v", "k v=1", "k=v v", "k=\"v\"", "k=v;", "k=v;p q", "k=v\\", "ké=v",
        ] {
            assert_eq!(parse_member(invalid), None, "{invalid}");
        }
    }

    #[test]
    fn invalid_utf8_decodes_to_replacement_characters() {
        let entry = parse_member("k=%ff%c3%a9%e2%82").unwrap();
        assert_eq!(entry, KeyValueMetadata::new("k", "\u{FFFD}é\u{FFFD}", ""));
    }

    #[test]
    fn encoding_covers_everything_outside_baggage_octets() {
        for b in 0u8..=0x7f {
            let s = char::from(b).to_string();
            let encoded = utf8_percent_encode(&s, VALUE_ENCODE).to_string();
            let kept = encoded == s;
            assert_eq!(kept, is_baggage_octet(b) && b != b'%', "{b:#x}");
        }
    }
}
