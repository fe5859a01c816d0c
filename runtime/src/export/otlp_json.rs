//! OTLP/JSON encoding of a batch of spans: `opentelemetry-proto`'s own conversion and serde
//! implementation, which follow the OTLP/JSON rules (hex trace and span ids, lowerCamelCase
//! names, enums as integers, 64-bit integers as strings), with one fix-up where they do not:
//! non-finite doubles.
//!
//! Proto3's JSON mapping writes a NaN or infinite `double` as the string `"NaN"`,
//! `"Infinity"` or `"-Infinity"`; `opentelemetry-proto` 0.33 leaves `AnyValue.doubleValue`
//! to serde, and serde_json writes `null`, which is no double at all: the Collector's JSON
//! reader takes a number or a string there and fails the whole request on anything else.
//! The ids are hex (its `serialize_to_hex_string`), `intValue` and the `*UnixNano` fields
//! strings, `kind` and `status.code` integers: nothing else to fix. (Its deserializer, in
//! turn, reads `doubleValue` only as a number, so a line with such a value does not read
//! back through `opentelemetry-proto`; the Collector reads it.)

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
use opentelemetry_proto::transform::trace::tonic::group_spans_by_resource_and_scope;
use opentelemetry_sdk::trace::SpanData;
use serde_json::Value as Json;

/// Appends `batch` to `out` as one `ExportTraceServiceRequest` in OTLP/JSON and a newline.
pub(super) fn encode_line(
    batch: Vec<SpanData>,
    resource: &ResourceAttributesWithSchema,
    out: &mut Vec<u8>,
) -> serde_json::Result<()> {
    let request = ExportTraceServiceRequest {
        resource_spans: group_spans_by_resource_and_scope(batch, resource),
    };
    if attribute_lists(&request).any(|list| list.iter().any(has_non_finite)) {
        let mut json = serde_json::to_value(&request)?;
        fix_non_finite(&request, &mut json);
        serde_json::to_writer(&mut *out, &json)?;
    } else {
        serde_json::to_writer(&mut *out, &request)?;
    }
    out.push(b'\n');
    Ok(())
}

/// Every attribute list of `request`, in no particular order.
fn attribute_lists(request: &ExportTraceServiceRequest) -> impl Iterator<Item = &[KeyValue]> {
    request.resource_spans.iter().flat_map(|resource_spans| {
        let resource = resource_spans.resource.iter().map(|r| &r.attributes[..]);
        let scopes = resource_spans.scope_spans.iter().flat_map(|scope_spans| {
            let scope = scope_spans.scope.iter().map(|s| &s.attributes[..]);
            let spans = scope_spans.spans.iter().flat_map(|span| {
                let events = span.events.iter().map(|e| &e.attributes[..]);
                let links = span.links.iter().map(|l| &l.attributes[..]);
                std::iter::once(&span.attributes[..])
                    .chain(events)
                    .chain(links)
            });
            scope.chain(spans)
        });
        resource.chain(scopes)
    })
}

fn has_non_finite(kv: &KeyValue) -> bool {
    kv.value.as_ref().is_some_and(value_has_non_finite)
}

fn value_has_non_finite(value: &AnyValue) -> bool {
    match &value.value {
        Some(any_value::Value::DoubleValue(d)) => !d.is_finite(),
        Some(any_value::Value::ArrayValue(array)) => array.values.iter().any(value_has_non_finite),
        Some(any_value::Value::KvlistValue(list)) => list.values.iter().any(has_non_finite),
        _ => false,
    }
}

/// Rewrites the `null`s serde_json wrote for non-finite doubles as proto3 JSON spells them,
/// walking `request` and its JSON form side by side.
fn fix_non_finite(request: &ExportTraceServiceRequest, json: &mut Json) {
    let Some(json_resources) = json.get_mut("resourceSpans").and_then(Json::as_array_mut) else {
        return;
    };
    for (resource_spans, json_rs) in request.resource_spans.iter().zip(json_resources) {
        if let Some(resource) = &resource_spans.resource {
            fix_list(
                &resource.attributes,
                json_rs.pointer_mut("/resource/attributes"),
            );
        }
        let Some(json_scopes) = json_rs.get_mut("scopeSpans").and_then(Json::as_array_mut) else {
            continue;
        };
        for (scope_spans, json_ss) in resource_spans.scope_spans.iter().zip(json_scopes) {
            if let Some(scope) = &scope_spans.scope {
                fix_list(&scope.attributes, json_ss.pointer_mut("/scope/attributes"));
            }
            let Some(json_spans) = json_ss.get_mut("spans").and_then(Json::as_array_mut) else {
                continue;
            };
            for (span, json_span) in scope_spans.spans.iter().zip(json_spans) {
                fix_list(&span.attributes, json_span.get_mut("attributes"));
                if let Some(json_events) = json_span.get_mut("events").and_then(Json::as_array_mut)
                {
                    for (event, json_event) in span.events.iter().zip(json_events) {
                        fix_list(&event.attributes, json_event.get_mut("attributes"));
                    }
                }
                if let Some(json_links) = json_span.get_mut("links").and_then(Json::as_array_mut) {
                    for (link, json_link) in span.links.iter().zip(json_links) {
                        fix_list(&link.attributes, json_link.get_mut("attributes"));
                    }
                }
            }
        }
    }
}

fn fix_list(list: &[KeyValue], json: Option<&mut Json>) {
    let Some(json_list) = json.and_then(Json::as_array_mut) else {
        return;
    };
    for (kv, json_kv) in list.iter().zip(json_list) {
        if let (Some(value), Some(json_value)) = (&kv.value, json_kv.get_mut("value")) {
            fix_value(value, json_value);
        }
    }
}

fn fix_value(value: &AnyValue, json: &mut Json) {
    match &value.value {
        Some(any_value::Value::DoubleValue(d)) if !d.is_finite() => {
            let spelled = if d.is_nan() {
                "NaN"
            } else if d.is_sign_positive() {
                "Infinity"
            } else {
                "-Infinity"
            };
            if let Some(slot) = json.get_mut("doubleValue") {
                *slot = Json::from(spelled);
            }
        }
        Some(any_value::Value::ArrayValue(array)) => {
            if let Some(json_values) = json
                .pointer_mut("/arrayValue/values")
                .and_then(Json::as_array_mut)
            {
                for (item, json_item) in array.values.iter().zip(json_values) {
                    fix_value(item, json_item);
                }
            }
        }
        Some(any_value::Value::KvlistValue(list)) => {
            fix_list(&list.values, json.pointer_mut("/kvlistValue/values"));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::common::v1::{ArrayValue, KeyValueList};

    fn double(d: f64) -> AnyValue {
        AnyValue {
            value: Some(any_value::Value::DoubleValue(d)),
        }
    }

    /// The deviation the fix-up exists for; when `opentelemetry-proto` spells these values
    /// itself, this fails and the fix-up can go.
    #[test]
    fn opentelemetry_proto_writes_non_finite_doubles_as_null() {
        assert_eq!(
            serde_json::to_string(&double(f64::NAN)).unwrap(),
            r#"{"doubleValue":null}"#
        );
        assert_eq!(
            serde_json::to_string(&double(0.5)).unwrap(),
            r#"{"doubleValue":0.5}"#
        );
    }

    #[test]
    fn non_finite_doubles_are_fixed_at_any_depth() {
        let nested = AnyValue {
            value: Some(any_value::Value::KvlistValue(KeyValueList {
                values: vec![KeyValue {
                    key: "inner".into(),
                    value: Some(AnyValue {
                        value: Some(any_value::Value::ArrayValue(ArrayValue {
                            values: vec![double(1.0), double(f64::NEG_INFINITY)],
                        })),
                    }),
                    key_strindex: 0,
                }],
            })),
        };
        let mut json = serde_json::to_value(&nested).unwrap();
        assert!(value_has_non_finite(&nested));
        fix_value(&nested, &mut json);
        assert_eq!(
            json,
            serde_json::json!({ "kvlistValue": { "values": [{
                "key": "inner",
                "value": { "arrayValue": { "values": [
                    { "doubleValue": 1.0 }, { "doubleValue": "-Infinity" },
                ] } },
            }] } })
        );
    }
}
