//! Renders one trace as a waterfall: one line per span, indented as a tree, with its kind,
//! duration and a bar placed on the trace's timeline. Pure (spans in, text out), so the
//! layout is tested apart from the exporter's buffering and I/O.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use opentelemetry::trace::{SpanId, SpanKind, Status};
use opentelemetry_sdk::trace::SpanData;

/// Width of the timeline bar, in terminal columns.
pub(super) const BAR_WIDTH: usize = 40;
/// Longer span names are cut (with `…`) so that every bar starts in the same column.
const NAME_WIDTH: usize = 48;
/// Longer error messages are cut so that a span stays on one line.
const MESSAGE_WIDTH: usize = 120;
/// Deeper spans are drawn at this depth: past it, indentation only pushes the bars away.
const MAX_INDENT: usize = 16;

/// The stretch of time bars are placed on: from the first start to the last end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Window {
    pub(super) start: SystemTime,
    pub(super) end: SystemTime,
}

impl Window {
    fn of(spans: &[SpanData]) -> Option<Self> {
        spans.iter().fold(None, |window: Option<Self>, span| {
            let (start, end) = extent(span);
            Some(match window {
                None => Self { start, end },
                Some(w) => Self {
                    start: w.start.min(start),
                    end: w.end.max(end),
                },
            })
        })
    }

    fn union(self, other: Self) -> Self {
        Self {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    fn length(&self) -> Duration {
        since(self.start, self.end)
    }
}

/// What to draw.
#[derive(Debug)]
pub(super) struct Trace<'a> {
    /// The spans, in any order, all of one trace.
    pub(super) spans: &'a [SpanData],
    /// `service.name`, shown on every line.
    pub(super) service: &'a str,
    /// The timeline of the part of this trace printed before, for spans that ended after
    /// it was: their bars go on the same timeline.
    pub(super) earlier: Option<Window>,
    /// Whether the trace's local root has not ended yet (a flush prints what there is).
    pub(super) unfinished: bool,
}

/// ANSI SGR codes; only used when colour is on.
mod sgr {
    pub(super) const RESET: &str = "\x1b[0m";
    pub(super) const BOLD: &str = "\x1b[1m";
    pub(super) const DIM: &str = "\x1b[2m";
    pub(super) const RED: &str = "\x1b[31m";
    pub(super) const YELLOW: &str = "\x1b[33m";
    pub(super) const BLUE: &str = "\x1b[34m";
    pub(super) const MAGENTA: &str = "\x1b[35m";
    pub(super) const CYAN: &str = "\x1b[36m";
}

/// Appends `trace` to `out`, a header line then one line per span, and returns the timeline
/// it was drawn on (`None` when there were no spans).
pub(super) fn render(out: &mut String, trace: &Trace<'_>, color: bool) -> Option<Window> {
    let own = Window::of(trace.spans)?;
    let window = trace.earlier.map_or(own, |earlier| earlier.union(own));
    let paint = Painter { color };
    let rows = tree(trace.spans);

    let errors = trace.spans.iter().filter(|s| is_error(s)).count();
    let trace_id = trace.spans[0].span_context.trace_id();
    let mut header = format!("trace {trace_id}");
    let count = trace.spans.len();
    let plural = if count == 1 { "" } else { "s" };
    if trace.earlier.is_some() {
        let _ = write!(header, " · {count} more span{plural}, ended after the rest");
    } else {
        let _ = write!(
            header,
            " · {count} span{plural} · {}",
            human(window.length())
        );
    }
    if errors > 0 {
        let plural = if errors == 1 { "" } else { "s" };
        let _ = write!(header, " · {errors} error{plural}");
    }
    if trace.unfinished {
        header.push_str(" · root not ended yet");
    }
    out.push_str(&paint.wrap(sgr::BOLD, &header));
    out.push('\n');

    let service = clean(trace.service, NAME_WIDTH);
    let labels: Vec<String> = rows
        .iter()
        .map(|row| {
            let marker = if row.orphan { "… " } else { "" };
            let name = clean(&trace.spans[row.index].name, NAME_WIDTH);
            format!("{}{marker}{name}", row.guides)
        })
        .collect();
    let label_width = labels.iter().map(|l| columns(l)).max().unwrap_or(0);
    let durations: Vec<String> = rows
        .iter()
        .map(|row| {
            let (start, end) = extent(&trace.spans[row.index]);
            human(since(start, end))
        })
        .collect();
    let duration_width = durations.iter().map(|d| d.len()).max().unwrap_or(0).max(8);

    for ((row, label), duration) in rows.iter().zip(&labels).zip(&durations) {
        let span = &trace.spans[row.index];
        let (start, end) = extent(span);
        let error = is_error(span);

        out.push_str(&paint.wrap(sgr::DIM, &service));
        out.push_str("  ");
        let padding = label_width - columns(label);
        if error {
            out.push_str(&paint.wrap(sgr::RED, label));
        } else {
            out.push_str(label);
        }
        let _ = write!(
            out,
            "{:padding$}  {:<8}  {duration:>duration_width$}  ",
            "",
            kind_label(&span.span_kind),
        );

        let (from, to) = bar_cells(
            since(window.start, start),
            since(window.start, end),
            window.length(),
        );
        let bar_color = if error {
            sgr::RED
        } else {
            kind_color(&span.span_kind)
        };
        out.push('[');
        out.push_str(&" ".repeat(from));
        out.push_str(&paint.wrap(bar_color, &"█".repeat(to - from)));
        out.push_str(&" ".repeat(BAR_WIDTH - to));
        out.push(']');

        if error {
            let message = format!("✗ {}", error_message(span));
            out.push_str("  ");
            out.push_str(&paint.wrap(sgr::RED, &message));
        }
        out.push('\n');
    }
    Some(window)
}

struct Painter {
    color: bool,
}

impl Painter {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("{code}{text}{}", sgr::RESET)
        } else {
            text.to_owned()
        }
    }
}

/// One line of the tree: which span, and what to draw left of its name.
struct Row {
    index: usize,
    guides: String,
    /// Drawn as a root although its parent is a local span: the parent was not exported
    /// with it (dropped, not ended yet, or the data is inconsistent).
    orphan: bool,
}

/// The spans as a forest, depth first, siblings in start order. Every span appears exactly
/// once, whatever the data: missing parents make roots, and a cycle of parents is broken
/// at its earliest span. No recursion, so any depth is safe.
fn tree(spans: &[SpanData]) -> Vec<Row> {
    let present: HashSet<SpanId> = spans.iter().map(|s| s.span_context.span_id()).collect();
    let mut children: HashMap<SpanId, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for (index, span) in spans.iter().enumerate() {
        let parent = span.parent_span_id;
        if parent == SpanId::INVALID
            || parent == span.span_context.span_id()
            || !present.contains(&parent)
        {
            roots.push(index);
        } else {
            children.entry(parent).or_default().push(index);
        }
    }
    let order = |a: &usize, b: &usize| sort_key(&spans[*a], *a).cmp(&sort_key(&spans[*b], *b));
    roots.sort_by(order);
    for siblings in children.values_mut() {
        siblings.sort_by(order);
    }
    // Spans caught in a cycle are reachable from no root; they start walks of their own.
    let mut everything: Vec<usize> = (0..spans.len()).collect();
    everything.sort_by(order);

    let mut visited = vec![false; spans.len()];
    let mut rows = Vec::with_capacity(spans.len());
    // (span, guides for its own line, guides for its children's lines, depth)
    let mut stack: Vec<(usize, String, String, usize)> = Vec::new();
    for &root in roots.iter().chain(&everything) {
        if visited[root] {
            continue;
        }
        visited[root] = true;
        stack.push((root, String::new(), String::new(), 0));
        while let Some((index, guides, inherited, depth)) = stack.pop() {
            let span = &spans[index];
            let orphan =
                depth == 0 && span.parent_span_id != SpanId::INVALID && !span.parent_span_is_remote;
            rows.push(Row {
                index,
                guides,
                orphan,
            });
            let Some(kids) = children.get(&span.span_context.span_id()) else {
                continue;
            };
            let kids: Vec<usize> = kids.iter().copied().filter(|&k| !visited[k]).collect();
            for (position, &kid) in kids.iter().enumerate().rev() {
                visited[kid] = true;
                let last = position + 1 == kids.len();
                let own = format!("{inherited}{}", if last { "└─ " } else { "├─ " });
                let theirs = if depth + 1 >= MAX_INDENT {
                    inherited.clone()
                } else {
                    format!("{inherited}{}", if last { "   " } else { "│  " })
                };
                stack.push((kid, own, theirs, depth + 1));
            }
        }
    }
    rows
}

fn sort_key(span: &SpanData, index: usize) -> (SystemTime, SystemTime, usize) {
    let (start, end) = extent(span);
    (start, end, index)
}

/// Start and end, an end before the start counting as the start.
fn extent(span: &SpanData) -> (SystemTime, SystemTime) {
    (span.start_time, span.end_time.max(span.start_time))
}

fn since(earlier: SystemTime, later: SystemTime) -> Duration {
    later.duration_since(earlier).unwrap_or_default()
}

/// The cells `[from, to)` a span covers on a bar of [`BAR_WIDTH`] cells spanning `total`:
/// at least one cell, so that instant spans show.
fn bar_cells(start: Duration, end: Duration, total: Duration) -> (usize, usize) {
    let width = BAR_WIDTH as u128;
    let total = total.as_nanos();
    if total == 0 {
        return (0, 1);
    }
    let from = (start.as_nanos() * width / total).min(width - 1);
    let to = (end.as_nanos() * width)
        .div_ceil(total)
        .clamp(from + 1, width);
    (from as usize, to as usize)
}

fn is_error(span: &SpanData) -> bool {
    matches!(span.status, Status::Error { .. })
}

fn error_message(span: &SpanData) -> String {
    let description = match &span.status {
        Status::Error { description } => description.trim(),
        _ => "",
    };
    let error_type = span
        .attributes
        .iter()
        .find(|kv| kv.key.as_str() == "error.type")
        .map(|kv| kv.value.as_str());
    let error_type = error_type.as_deref().map(str::trim).unwrap_or("");
    let message = match (error_type, description) {
        ("", "") => "error".to_owned(),
        (t, "") => t.to_owned(),
        ("", d) => d.to_owned(),
        (t, d) if t == d => d.to_owned(),
        (t, d) => format!("{t}: {d}"),
    };
    clean(&message, MESSAGE_WIDTH)
}

fn kind_label(kind: &SpanKind) -> &'static str {
    match kind {
        SpanKind::Server => "server",
        SpanKind::Client => "client",
        SpanKind::Producer => "producer",
        SpanKind::Consumer => "consumer",
        SpanKind::Internal => "internal",
    }
}

fn kind_color(kind: &SpanKind) -> &'static str {
    match kind {
        SpanKind::Server => sgr::BLUE,
        SpanKind::Client => sgr::MAGENTA,
        SpanKind::Producer | SpanKind::Consumer => sgr::YELLOW,
        SpanKind::Internal => sgr::CYAN,
    }
}

/// `text` on one line, control characters escaped (a span name must not move the cursor
/// or change colours), cut to `width` terminal columns.
fn clean(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    let mut escaped = String::new();
    for c in text.chars() {
        escaped.clear();
        if c.is_control() {
            escaped.extend(c.escape_default());
        } else {
            escaped.push(c);
        }
        for c in escaped.chars() {
            let w = column_width(c);
            if used + w > width {
                // Make room for the ellipsis.
                while used + 1 > width {
                    let Some(last) = out.pop() else { break };
                    used -= column_width(last);
                }
                out.push('…');
                return out;
            }
            out.push(c);
            used += w;
        }
    }
    out
}

/// Terminal columns `text` takes.
fn columns(text: &str) -> usize {
    text.chars().map(column_width).sum()
}

/// Terminal columns a character takes: 2 for East Asian wide characters and emoji, 0 for
/// combining marks and zero-width characters, else 1. An approximation of Unicode's East
/// Asian Width that covers what span names hold, so that the bars stay in one column
/// without a table-driven dependency.
fn column_width(c: char) -> usize {
    match u32::from(c) {
        0x0300..=0x036F | 0x200B..=0x200F | 0x20D0..=0x20FF | 0xFE00..=0xFE0F => 0,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

/// A duration as a person reads it: `850ns`, `12.3µs`, `4.5ms`, `1.25s`, `2m05s`, `1h02m`.
pub(super) fn human(duration: Duration) -> String {
    let nanos = duration.as_nanos();
    if nanos < 1_000 {
        format!("{nanos}ns")
    } else if nanos < 1_000_000 {
        format!("{}.{}µs", nanos / 1_000, nanos % 1_000 / 100)
    } else if nanos < 1_000_000_000 {
        format!("{}.{}ms", nanos / 1_000_000, nanos % 1_000_000 / 100_000)
    } else if duration.as_secs() < 60 {
        format!(
            "{}.{:02}s",
            duration.as_secs(),
            duration.subsec_nanos() / 10_000_000
        )
    } else if duration.as_secs() < 3_600 {
        format!(
            "{}m{:02}s",
            duration.as_secs() / 60,
            duration.as_secs() % 60
        )
    } else {
        format!(
            "{}h{:02}m",
            duration.as_secs() / 3_600,
            duration.as_secs() % 3_600 / 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_a_person_would() {
        assert_eq!(human(Duration::ZERO), "0ns");
        assert_eq!(human(Duration::from_nanos(850)), "850ns");
        assert_eq!(human(Duration::from_nanos(12_345)), "12.3µs");
        assert_eq!(human(Duration::from_micros(4_560)), "4.5ms");
        assert_eq!(human(Duration::from_millis(1_250)), "1.25s");
        assert_eq!(human(Duration::from_secs(125)), "2m05s");
        assert_eq!(human(Duration::from_secs(3_720)), "1h02m");
        assert!(human(Duration::MAX).ends_with('m'));
    }

    #[test]
    fn bars_cover_at_least_one_cell_and_stay_inside() {
        let ms = Duration::from_millis;
        assert_eq!(bar_cells(ms(0), ms(100), ms(100)), (0, BAR_WIDTH));
        assert_eq!(bar_cells(ms(50), ms(50), ms(100)), (20, 21));
        assert_eq!(bar_cells(ms(100), ms(100), ms(100)), (39, 40));
        assert_eq!(bar_cells(ms(0), ms(0), ms(0)), (0, 1));
        assert_eq!(bar_cells(ms(10), ms(12), ms(100)), (4, 5));
        assert_eq!(
            bar_cells(Duration::ZERO, Duration::MAX, Duration::MAX),
            (0, BAR_WIDTH)
        );
    }

    #[test]
    fn text_is_kept_on_one_line_and_cut() {
        assert_eq!(clean("a\nb\x1b[31m", 20), "a\\nb\\u{1b}[31m");
        assert_eq!(clean("abcdef", 4), "abc…");
        assert_eq!(clean("abcd", 4), "abcd");
        assert_eq!(clean("", 4), "");
        assert_eq!(clean("名前名前", 5), "名前…");
        assert_eq!(columns("ünïcødé 名前 🚀"), 14);
    }
}
