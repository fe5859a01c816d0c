//! Test support for `traced`: a real OTLP/gRPC receiver plus one span model
//! that both the SDK's in-memory exporter and the wire convert into, so a
//! test's assertions do not depend on how the spans were captured.

mod capture;
mod convert;
mod model;
mod receiver;
mod server;
mod tree;

pub use capture::Capture;
pub use model::{AttrValue, ExportedEvent, ExportedLink, ExportedSpan, SpanKind, SpanStatus};
pub use receiver::OtlpReceiver;
pub use server::serve;
pub use tree::{children_of, find};
