//! Navigation over a flat span list, since both exporters hand spans over
//! flat and in end order rather than as a tree.

use crate::model::ExportedSpan;

/// Direct children of `parent`, in list order. Matches on trace id as well as
/// span id, so spans from another trace never count even if ids collide.
pub fn children_of<'a>(spans: &'a [ExportedSpan], parent: &ExportedSpan) -> Vec<&'a ExportedSpan> {
    spans
        .iter()
        .filter(|s| {
            s.trace_id == parent.trace_id
                && s.parent_span_id.as_deref() == Some(parent.span_id.as_str())
        })
        .collect()
}

/// The first span called `name`.
///
/// # Panics
///
/// When there is none, listing the names that are present so a failing test
/// explains itself.
#[track_caller]
pub fn find<'a>(spans: &'a [ExportedSpan], name: &str) -> &'a ExportedSpan {
    spans.iter().find(|s| s.name == name).unwrap_or_else(|| {
        let names: Vec<&str> = spans.iter().map(|s| s.name.as_str()).collect();
        panic!("no span named {name:?}; spans present: {names:?}")
    })
}
