//! Recording failures on spans, as the `error` and `exceptions` semantic conventions say:
//! status Error with the message as description, a low-cardinality `error.type`, and an
//! `exception` event with `exception.type`, `exception.message` and, where the error has
//! causes, the report of its whole `source()` chain in `exception.stacktrace` (the natural
//! representation of a Rust error: the message, then "Caused by:" and each cause).

use std::borrow::Cow;
use std::error::Error;
use std::fmt::Write as _;

use opentelemetry::trace::{Span as _, Status};
use opentelemetry::{Key, KeyValue};

use crate::span_access::with_otel_span;

pub(crate) const ERROR_TYPE: Key = Key::from_static_str("error.type");
const EXCEPTION_EVENT: &str = "exception";
const EXCEPTION_TYPE: Key = Key::from_static_str("exception.type");
const EXCEPTION_MESSAGE: Key = Key::from_static_str("exception.message");
const EXCEPTION_STACKTRACE: Key = Key::from_static_str("exception.stacktrace");

/// A low-cardinality name for an error, recorded as `error.type` and `exception.type`.
///
/// By default the attributes of this crate use the error's type path
/// (`std::any::type_name`). Implement this trait to report a code instead, such as an
/// error enum's variant name; the attributes pick it up without any option.
///
/// ```
/// #[derive(Debug)]
/// enum PaymentError { Declined, Timeout }
///
/// impl traced::ErrorType for PaymentError {
///     fn error_type(&self) -> std::borrow::Cow<'static, str> {
///         match self {
///             PaymentError::Declined => "declined".into(),
///             PaymentError::Timeout => "timeout".into(),
///         }
///     }
/// }
/// ```
pub trait ErrorType {
    /// The value of `error.type` for this error.
    fn error_type(&self) -> Cow<'static, str>;
}

/// A failure, ready to be recorded on a span.
#[doc(hidden)]
#[derive(Debug)]
pub struct Failure {
    pub(crate) error_type: Cow<'static, str>,
    pub(crate) message: String,
    /// The report with every cause, when there is more than the message.
    pub(crate) report: Option<String>,
}

impl Failure {
    pub(crate) fn from_error(error_type: Cow<'static, str>, error: &(dyn Error + 'static)) -> Self {
        let message = error.to_string();
        let mut report = None;
        let mut source = error.source();
        if source.is_some() {
            let mut text = message.clone();
            text.push_str("\n\nCaused by:");
            let mut index = 0;
            // Bounded: a cyclic or absurdly deep chain must not hang the application.
            while let Some(cause) = source {
                if index == 64 {
                    text.push_str("\n    ...");
                    break;
                }
                let _ = write!(text, "\n    {index}: {cause}");
                index += 1;
                source = cause.source();
            }
            report = Some(text);
        }
        Self {
            error_type,
            message,
            report,
        }
    }

    /// Records the failure on `span`: status Error, `error.type`, the `exception` event.
    pub fn record(self, span: &tracing::Span) {
        with_otel_span(span, |otel| {
            if !otel.span.is_recording() {
                return;
            }
            otel.span.set_status(Status::error(self.message.clone()));
            otel.span
                .set_attribute(KeyValue::new(ERROR_TYPE, self.error_type.clone()));
            let mut attributes = Vec::with_capacity(3);
            attributes.push(KeyValue::new(EXCEPTION_TYPE, self.error_type));
            attributes.push(KeyValue::new(EXCEPTION_MESSAGE, self.message));
            if let Some(report) = self.report {
                attributes.push(KeyValue::new(EXCEPTION_STACKTRACE, report));
            }
            otel.span.add_event(EXCEPTION_EVENT, attributes);
        });
    }
}

/// Records `error` on `span`: status Error, `error.type` (the error's [`ErrorType`] is not
/// consulted here; pass the type you want with [`record_error_as`]) and the `exception`
/// event with the source chain.
///
/// The attributes of this crate do this by themselves for any `Err` a function returns; call
/// it for errors that a function handles without returning them.
pub fn record_error<E: Error + 'static>(span: &tracing::Span, error: &E) {
    Failure::from_error(clean_type_name(std::any::type_name::<E>()), error).record(span);
}

/// Like [`record_error`], with an explicit `error.type`.
pub fn record_error_as(
    span: &tracing::Span,
    error_type: impl Into<Cow<'static, str>>,
    error: &(dyn Error + 'static),
) {
    Failure::from_error(error_type.into(), error).record(span);
}

/// Marks `span` failed with only a low-cardinality `error_type` and a message, for failures
/// that are not Rust errors (a 5xx response, a rejected message).
pub fn record_failure(
    span: &tracing::Span,
    error_type: impl Into<Cow<'static, str>>,
    message: impl Into<String>,
) {
    let error_type = error_type.into();
    let message = message.into();
    with_otel_span(span, |otel| {
        if otel.span.is_recording() {
            otel.span.set_status(Status::error(message));
            otel.span
                .set_attribute(KeyValue::new(ERROR_TYPE, error_type));
        }
    });
}

/// A type's path as `error.type` wants it: the canonical name, without the private module
/// that std and others define their types in (`std::io::error::Error` is `std::io::Error`).
pub(crate) fn clean_type_name(name: &'static str) -> Cow<'static, str> {
    match name {
        "std::io::error::Error" => Cow::Borrowed("std::io::Error"),
        "core::fmt::Error" => Cow::Borrowed("std::fmt::Error"),
        "core::num::error::ParseIntError" => Cow::Borrowed("std::num::ParseIntError"),
        "core::num::dec2flt::ParseFloatError" => Cow::Borrowed("std::num::ParseFloatError"),
        "alloc::string::FromUtf8Error" => Cow::Borrowed("std::string::FromUtf8Error"),
        "core::str::error::Utf8Error" => Cow::Borrowed("std::str::Utf8Error"),
        // A trait object's static type says nothing about the failure, and its dynamic type
        // cannot be named: the convention's fallback value.
        _ if name.contains("dyn ") => Cow::Borrowed("_OTHER"),
        _ => Cow::Borrowed(name),
    }
}

/// Records a panic payload caught while the span's code ran.
pub(crate) fn record_panic(span: &tracing::Span, payload: &(dyn std::any::Any + Send)) {
    let message = if let Some(text) = payload.downcast_ref::<&'static str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "Box<dyn Any>".to_owned()
    };
    Failure {
        error_type: Cow::Borrowed("panic"),
        message,
        report: None,
    }
    .record(span);
}
