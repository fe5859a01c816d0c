//! What a function's return value means for its span, decided by the value's real type
//! (so type aliases such as `io::Result<T>` or `anyhow::Result<T>` work) with autoref
//! specialisation: each trait below is implemented for a different number of references to
//! a wrapper, the call site takes as many references as the most specific one, and method
//! resolution picks the most specific impl whose bounds hold. Every method takes `self` by
//! value, so the impl on the most references wins.

use std::borrow::Cow;
use std::convert::Infallible;
use std::error::Error;
use std::fmt::{Debug, Display};
use std::ops::Deref;

use crate::error_recording::{ErrorType, Failure, clean_type_name};

/// A return value, to find out whether it is an `Err`.
#[derive(Debug)]
pub struct Outcome<'a, T: ?Sized>(pub &'a T);

/// `Result<T, E>`: its error, if any. Call as `(&&Outcome(&ret)).traced_err()`.
pub trait ResultErr<'a, E> {
    /// The error, if the value is an `Err`.
    fn traced_err(self) -> Option<&'a E>;
}
impl<'a, T, E> ResultErr<'a, E> for &&Outcome<'a, Result<T, E>> {
    #[inline]
    fn traced_err(self) -> Option<&'a E> {
        self.0.as_ref().err()
    }
}

/// Any other value: never an error.
pub trait NotResult {
    /// Always `None`.
    fn traced_err(self) -> Option<&'static Infallible>;
}
impl<T: ?Sized> NotResult for &Outcome<'_, T> {
    #[inline]
    fn traced_err(self) -> Option<&'static Infallible> {
        None
    }
}

/// An error, to name it for `error.type`. Call as `(&&ErrorTypeOf(err)).traced_error_type()`.
#[derive(Debug)]
pub struct ErrorTypeOf<'a, E: ?Sized>(pub &'a E);

/// Errors that name themselves through [`ErrorType`].
pub trait ErrorTypeOwn {
    /// The error's own name for itself.
    fn traced_error_type(self) -> Cow<'static, str>;
}
impl<E: ErrorType + ?Sized> ErrorTypeOwn for &&ErrorTypeOf<'_, E> {
    fn traced_error_type(self) -> Cow<'static, str> {
        self.0.error_type()
    }
}

/// Every other error: its type path.
pub trait ErrorTypePath {
    /// The error's type path.
    fn traced_error_type(self) -> Cow<'static, str>;
}
impl<E: ?Sized> ErrorTypePath for &ErrorTypeOf<'_, E> {
    fn traced_error_type(self) -> Cow<'static, str> {
        clean_type_name(std::any::type_name::<E>())
    }
}

/// An error, to record it on a span with as much as its type offers. Call as
/// `(&&&&&&ErrorOf(err)).traced_record(span, error_type)`.
#[derive(Debug)]
pub struct ErrorOf<'a, E: ?Sized>(pub &'a E);

/// `std::error::Error`: message and the whole source chain.
pub trait ErrorStd {
    /// Records the error on `span`.
    fn traced_failure(self, error_type: Cow<'static, str>) -> Failure;
}
impl<E: Error + 'static> ErrorStd for &&&&&&ErrorOf<'_, E> {
    fn traced_failure(self, error_type: Cow<'static, str>) -> Failure {
        Failure::from_error(error_type, self.0)
    }
}

/// Handles to a `dyn Error + Send + Sync` (`anyhow::Error`, `Box<dyn Error + Send + Sync>`):
/// message and chain of the error inside.
pub trait ErrorDerefSend {
    /// Records the error on `span`.
    fn traced_failure(self, error_type: Cow<'static, str>) -> Failure;
}
impl<E> ErrorDerefSend for &&&&&ErrorOf<'_, E>
where
    E: Deref<Target = dyn Error + Send + Sync + 'static>,
{
    fn traced_failure(self, error_type: Cow<'static, str>) -> Failure {
        Failure::from_error(error_type, &**self.0)
    }
}

/// Handles to a `dyn Error` (`Box<dyn Error>`): message and chain of the error inside.
pub trait ErrorDeref {
    /// Records the error on `span`.
    fn traced_failure(self, error_type: Cow<'static, str>) -> Failure;
}
impl<E> ErrorDeref for &&&&ErrorOf<'_, E>
where
    E: Deref<Target = dyn Error + 'static>,
{
    fn traced_failure(self, error_type: Cow<'static, str>) -> Failure {
        Failure::from_error(error_type, &**self.0)
    }
}

/// Errors that only `Display`.
pub trait ErrorDisplay {
    /// Records the error on `span`.
    fn traced_failure(self, error_type: Cow<'static, str>) -> Failure;
}
impl<E: Display + ?Sized> ErrorDisplay for &&&ErrorOf<'_, E> {
    fn traced_failure(self, error_type: Cow<'static, str>) -> Failure {
        simple_failure(error_type, self.0.to_string())
    }
}

/// Errors that only `Debug`.
pub trait ErrorDebug {
    /// Records the error on `span`.
    fn traced_failure(self, error_type: Cow<'static, str>) -> Failure;
}
impl<E: Debug + ?Sized> ErrorDebug for &&ErrorOf<'_, E> {
    fn traced_failure(self, error_type: Cow<'static, str>) -> Failure {
        simple_failure(error_type, format!("{:?}", self.0))
    }
}

/// Errors that cannot even be printed: the type says all there is.
pub trait ErrorFallback {
    /// Records the error on `span`.
    fn traced_failure(self, error_type: Cow<'static, str>) -> Failure;
}
impl<E: ?Sized> ErrorFallback for &ErrorOf<'_, E> {
    fn traced_failure(self, error_type: Cow<'static, str>) -> Failure {
        let message = error_type.to_string();
        simple_failure(error_type, message)
    }
}

fn simple_failure(error_type: Cow<'static, str>, message: String) -> Failure {
    Failure {
        error_type,
        message,
        report: None,
    }
}

/// A return value, to print it for the `ret` option. Call as
/// `(&&RetOf(&ret)).traced_ret_debug()` (or `_display`).
#[derive(Debug)]
pub struct RetOf<'a, T: ?Sized>(pub &'a T);

/// `Result`: only the `Ok` value is printed with `Debug` (an `Err` is recorded as an error).
pub trait ResultRetDebug {
    /// The `Ok` value with `Debug`.
    fn traced_ret_debug(self) -> Option<String>;
}
impl<T: Debug, E> ResultRetDebug for &&RetOf<'_, Result<T, E>> {
    fn traced_ret_debug(self) -> Option<String> {
        self.0.as_ref().ok().map(|value| format!("{value:?}"))
    }
}

/// `Result`: only the `Ok` value is printed with `Display`.
pub trait ResultRetDisplay {
    /// The `Ok` value with `Display`.
    fn traced_ret_display(self) -> Option<String>;
}
impl<T: Display, E> ResultRetDisplay for &&RetOf<'_, Result<T, E>> {
    fn traced_ret_display(self) -> Option<String> {
        self.0.as_ref().ok().map(ToString::to_string)
    }
}

/// Any value that can be printed with `Debug`.
pub trait DebugRet {
    /// The value with `Debug`.
    fn traced_ret_debug(self) -> Option<String>;
}
impl<T: Debug + ?Sized> DebugRet for &RetOf<'_, T> {
    fn traced_ret_debug(self) -> Option<String> {
        Some(format!("{:?}", self.0))
    }
}

/// Any value that can be printed with `Display`.
pub trait DisplayRet {
    /// The value with `Display`.
    fn traced_ret_display(self) -> Option<String>;
}
impl<T: Display + ?Sized> DisplayRet for &RetOf<'_, T> {
    fn traced_ret_display(self) -> Option<String> {
        Some(self.0.to_string())
    }
}

/// Records what the return value `$ret` of a function says about its span `$span`: an `Err`
/// becomes status Error, `error.type` and the `exception` event.
#[doc(hidden)]
#[macro_export]
macro_rules! __traced_record_outcome {
    ($ret:expr, $span:expr) => {{
        if let ::core::option::Option::Some(__traced_failure) = $crate::__private::failure_of!($ret)
        {
            __traced_failure.record($span);
        }
    }};
}

/// The failure the return value `$ret` (a reference) describes, if it is an `Err`: the
/// error's type, message and causes, not yet recorded anywhere.
#[doc(hidden)]
#[macro_export]
macro_rules! __traced_failure_of {
    ($ret:expr) => {{
        #[allow(unused_imports)]
        use $crate::__private::{
            ErrorDebug as _, ErrorDeref as _, ErrorDerefSend as _, ErrorDisplay as _,
            ErrorFallback as _, ErrorStd as _, ErrorTypeOwn as _, ErrorTypePath as _,
            NotResult as _, ResultErr as _,
        };
        match (&&$crate::__private::Outcome($ret)).traced_err() {
            ::core::option::Option::Some(__traced_err) => {
                let __traced_type =
                    (&&$crate::__private::ErrorTypeOf(__traced_err)).traced_error_type();
                ::core::option::Option::Some(
                    (&&&&&&$crate::__private::ErrorOf(__traced_err)).traced_failure(__traced_type),
                )
            }
            ::core::option::Option::None => ::core::option::Option::None,
        }
    }};
}
