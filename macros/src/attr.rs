//! The attributes' arguments, as written by the user: parsing and per-value checks only.
//! Checks that involve several arguments or the function live in `valid.rs`.

use darling::{Error, FromMeta, Result};
use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Ident, LitStr, Meta, Token};

/// Options shared by every attribute of the crate.
#[derive(Debug, Default, FromMeta)]
pub(crate) struct CommonArgs {
    /// The span name; the function name by default.
    pub(crate) name: Option<StrArg>,
    pub(crate) level: Option<LevelArg>,
    pub(crate) target: Option<StrArg>,
    pub(crate) fields: Option<FieldsArg>,
    pub(crate) args: Option<ArgsArg>,
    pub(crate) skip: Option<IdentList>,
    pub(crate) err: Option<ErrArg>,
    pub(crate) ret: Option<RetArg>,
    pub(crate) parent: Option<SpannedExpr>,
    pub(crate) follows_from: Option<SpannedExpr>,
    #[darling(rename = "crate")]
    pub(crate) krate: Option<CratePath>,
}

/// `#[traced(...)]`: the common options and a span kind.
#[derive(Debug, Default, FromMeta)]
pub(crate) struct TracedArgs {
    #[darling(flatten)]
    pub(crate) common: CommonArgs,
    pub(crate) kind: Option<KindArg>,
}

/// `#[traced_handler(...)]`: the common options, and what the request does not say.
#[derive(Debug, Default, FromMeta)]
pub(crate) struct HandlerArgs {
    #[darling(flatten)]
    pub(crate) common: CommonArgs,
    /// The request method, for a handler that sees only headers.
    pub(crate) method: Option<StrArg>,
    /// The route template (`/users/{id}`), when the framework does not give it.
    pub(crate) route: Option<StrArg>,
    /// The request, its parts or its headers, for a handler outside axum.
    pub(crate) headers: Option<SpannedExpr>,
}

/// `#[traced_client(...)]`: the common options, and the request when the attribute cannot
/// see it being sent.
#[derive(Debug, Default, FromMeta)]
pub(crate) struct ClientArgs {
    #[darling(flatten)]
    pub(crate) common: CommonArgs,
    /// The URL template (`/api/inventory/{id}`), for the span name and `url.template`.
    pub(crate) template: Option<StrArg>,
    /// The request method, for a send the attribute cannot see.
    pub(crate) method: Option<StrArg>,
    /// The request URL, for a send the attribute cannot see.
    pub(crate) url: Option<SpannedExpr>,
}

/// `#[traced_query(...)]`: the common options, the SQL (a literal given first, or
/// `query = CONST`), and the database system when the signature does not tell it.
#[derive(Debug, Default, FromMeta)]
pub(crate) struct QueryArgs {
    #[darling(flatten)]
    pub(crate) common: CommonArgs,
    /// A constant holding the SQL.
    pub(crate) query: Option<SpannedExpr>,
    /// `db.system.name`.
    pub(crate) system: Option<StrArg>,
}

/// An expression kept with the span of the option's key, for errors about the option.
#[derive(Debug, Clone)]
pub(crate) struct SpannedExpr {
    pub(crate) expr: Expr,
    pub(crate) span: Span,
}

impl FromMeta for SpannedExpr {
    fn from_meta(item: &Meta) -> Result<Self> {
        match item {
            Meta::NameValue(nv) => Ok(Self {
                expr: nv.value.clone(),
                span: nv.path.span(),
            }),
            _ => Err(Error::custom("expected `= <expression>`").with_span(item)),
        }
    }
}

/// Picks a name among `choices` from an identifier or a string literal, case-insensitively.
fn name_from_expr(expr: &Expr, what: &str, choices: &[&str]) -> Result<(String, Span)> {
    let (text, span) = match expr {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(lit),
            ..
        }) => (lit.value(), lit.span()),
        Expr::Path(path) if path.qself.is_none() => {
            let last = path.path.segments.last().expect("a path has a segment");
            (last.ident.to_string(), expr.span())
        }
        _ => {
            return Err(
                Error::custom(format!("expected a {what}: one of {}", choices.join(", ")))
                    .with_span(expr),
            );
        }
    };
    let lower = text.to_ascii_lowercase();
    if choices.contains(&lower.as_str()) {
        Ok((lower, span))
    } else {
        Err(Error::custom(format!(
            "unknown {what} `{text}`: expected one of {}",
            choices.join(", ")
        ))
        .with_span(expr))
    }
}

/// `level = "debug"`, `level = debug` or `level = Level::DEBUG`.
#[derive(Debug, Clone)]
pub(crate) struct LevelArg(pub(crate) Ident);

impl FromMeta for LevelArg {
    fn from_expr(expr: &Expr) -> Result<Self> {
        let choices = ["trace", "debug", "info", "warn", "error"];
        let (name, span) = name_from_expr(expr, "level", &choices)?;
        Ok(Self(Ident::new(&name.to_ascii_uppercase(), span)))
    }
}

/// An OpenTelemetry span kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Internal => "internal",
            Kind::Server => "server",
            Kind::Client => "client",
            Kind::Producer => "producer",
            Kind::Consumer => "consumer",
        }
    }
}

/// `kind = client` or `kind = "client"`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KindArg(pub(crate) Kind);

impl FromMeta for KindArg {
    fn from_expr(expr: &Expr) -> Result<Self> {
        let choices = ["internal", "server", "client", "producer", "consumer"];
        let (name, _) = name_from_expr(expr, "span kind", &choices)?;
        Ok(Self(match name.as_str() {
            "server" => Kind::Server,
            "client" => Kind::Client,
            "producer" => Kind::Producer,
            "consumer" => Kind::Consumer,
            _ => Kind::Internal,
        }))
    }
}

/// How a field's value is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sigil {
    /// As a `tracing::Value` (integers, bools, strings keep their type).
    Value,
    /// `%`: with `Display`.
    Display,
    /// `?`: with `Debug`.
    Debug,
}

/// A field key: `a.b.c` (identifiers, keywords allowed) or `"a.b-c"`.
#[derive(Debug, Clone)]
pub(crate) struct FieldKey {
    pub(crate) name: String,
    pub(crate) span: Span,
}

impl Parse for FieldKey {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            if lit.value().is_empty() {
                return Err(syn::Error::new(lit.span(), "a field name cannot be empty"));
            }
            return Ok(Self {
                name: lit.value(),
                span: lit.span(),
            });
        }
        let first: Ident = input.call(syn::ext::IdentExt::parse_any)?;
        let mut name = first.to_string();
        let mut tokens = first.to_token_stream();
        while input.peek(Token![.]) {
            let dot: Token![.] = input.parse()?;
            let part: Ident = input.call(syn::ext::IdentExt::parse_any)?;
            name.push('.');
            name.push_str(&part.to_string());
            dot.to_tokens(&mut tokens);
            part.to_tokens(&mut tokens);
        }
        let name = name.strip_prefix("r#").map(str::to_owned).unwrap_or(name);
        // Spanning the whole dotted key points errors at all of it (on stable, at its start).
        let span = first_span_joined(&tokens);
        Ok(Self { name, span })
    }
}

fn first_span_joined(tokens: &TokenStream) -> Span {
    let mut iter = tokens.clone().into_iter();
    let first = iter
        .next()
        .map(|t| t.span())
        .unwrap_or_else(Span::call_site);
    iter.fold(first, |span, t| span.join(t.span()).unwrap_or(span))
}

/// One entry of `fields(...)` or `record!(...)`: `key = expr`, `key = %expr`,
/// `key = ?expr`, or a bare `key` (declared, recorded later).
#[derive(Debug, Clone)]
pub(crate) struct FieldSpec {
    pub(crate) key: FieldKey,
    pub(crate) value: Option<(Sigil, Expr)>,
}

impl Parse for FieldSpec {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key: FieldKey = input.parse()?;
        if !input.peek(Token![=]) {
            return Ok(Self { key, value: None });
        }
        input.parse::<Token![=]>()?;
        let sigil = if input.peek(Token![%]) {
            input.parse::<Token![%]>()?;
            Sigil::Display
        } else if input.peek(Token![?]) {
            input.parse::<Token![?]>()?;
            Sigil::Debug
        } else {
            Sigil::Value
        };
        let expr: Expr = input.parse()?;
        Ok(Self {
            key,
            value: Some((sigil, expr)),
        })
    }
}

/// `fields(a = 1, b = %x, c = ?y, d)`.
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldsArg(pub(crate) Vec<FieldSpec>);

impl FromMeta for FieldsArg {
    fn from_meta(item: &Meta) -> Result<Self> {
        match item {
            Meta::List(list) => {
                let parsed = list
                    .parse_args_with(Punctuated::<FieldSpec, Token![,]>::parse_terminated)
                    .map_err(Error::from)?;
                Ok(Self(parsed.into_iter().collect()))
            }
            _ => Err(Error::custom(
                "expected `fields(key = value, ...)`: a list of fields in parentheses",
            )
            .with_span(item)),
        }
    }
}

/// A list of identifiers (`self` allowed): `skip(a, b)`.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdentList(pub(crate) Vec<Ident>);

fn parse_idents(list: &syn::MetaList) -> Result<Vec<Ident>> {
    let parsed = list
        .parse_args_with(|input: ParseStream<'_>| {
            Punctuated::<Ident, Token![,]>::parse_terminated_with(
                input,
                syn::ext::IdentExt::parse_any,
            )
        })
        .map_err(Error::from)?;
    Ok(parsed.into_iter().collect())
}

impl FromMeta for IdentList {
    fn from_meta(item: &Meta) -> Result<Self> {
        match item {
            Meta::List(list) => Ok(Self(parse_idents(list)?)),
            _ => Err(Error::custom(
                "expected a list of argument names in parentheses, as `skip(a, b)`",
            )
            .with_span(item)),
        }
    }
}

/// `args` (every argument with `Debug`) or `args(a, b)` (only these).
#[derive(Debug, Clone)]
pub(crate) enum ArgsArg {
    All(Span),
    Only(Vec<Ident>),
}

impl FromMeta for ArgsArg {
    fn from_meta(item: &Meta) -> Result<Self> {
        match item {
            Meta::Path(path) => Ok(Self::All(path.span())),
            Meta::List(list) => Ok(Self::Only(parse_idents(list)?)),
            Meta::NameValue(_) => Err(Error::custom(
                "expected `args` (every argument) or `args(a, b)` (only these)",
            )
            .with_span(item)),
        }
    }
}

/// `err` (the default) or `err = false`, with the option's span.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErrArg(pub(crate) bool, pub(crate) Span);

impl FromMeta for ErrArg {
    fn from_meta(item: &Meta) -> Result<Self> {
        let span = item.path().span();
        match item {
            Meta::Path(_) => Ok(Self(true, span)),
            Meta::NameValue(syn::MetaNameValue {
                value:
                    Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Bool(flag),
                        ..
                    }),
                ..
            }) => Ok(Self(flag.value, span)),
            Meta::NameValue(nv) => Err(Error::custom(
                "expected `err` or `err = false`: errors are recorded by default; \
                 `err = false` turns that off",
            )
            .with_span(&nv.value)),
            Meta::List(_) => Err(Error::custom("expected `err` or `err = false`").with_span(item)),
        }
    }
}

/// A string literal option (`name`, `target`), with a message that says so.
#[derive(Debug, Clone)]
pub(crate) struct StrArg(pub(crate) LitStr);

impl FromMeta for StrArg {
    fn from_meta(item: &Meta) -> Result<Self> {
        let key = item.path().to_token_stream().to_string();
        match item {
            Meta::NameValue(syn::MetaNameValue {
                value:
                    Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(lit),
                        ..
                    }),
                ..
            }) => Ok(Self(lit.clone())),
            Meta::NameValue(nv) => Err(Error::custom(format!(
                "expected a string literal: `{key} = \"...\"`"
            ))
            .with_span(&nv.value)),
            _ => Err(Error::custom(format!("expected `{key} = \"...\"`")).with_span(item)),
        }
    }
}

/// How `ret` prints the return value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetMode {
    Debug,
    Display,
}

/// `ret`, `ret(Debug)` or `ret(Display)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetArg {
    pub(crate) mode: RetMode,
    pub(crate) span: Span,
}

impl FromMeta for RetArg {
    fn from_meta(item: &Meta) -> Result<Self> {
        let span = item.path().span();
        match item {
            Meta::Path(_) => Ok(Self {
                mode: RetMode::Debug,
                span,
            }),
            Meta::List(list) => {
                let idents = parse_idents(list)?;
                match idents.as_slice() {
                    [one] if one == "Debug" => Ok(Self {
                        mode: RetMode::Debug,
                        span,
                    }),
                    [one] if one == "Display" => Ok(Self {
                        mode: RetMode::Display,
                        span,
                    }),
                    _ => Err(Error::custom("expected `ret(Debug)` or `ret(Display)`")
                        .with_span(&list.tokens)),
                }
            }
            Meta::NameValue(_) => {
                Err(Error::custom("expected `ret`, `ret(Debug)` or `ret(Display)`").with_span(item))
            }
        }
    }
}

/// `crate = ::path::to::traced`: where generated code finds the runtime.
#[derive(Debug, Clone)]
pub(crate) struct CratePath(pub(crate) syn::Path);

impl FromMeta for CratePath {
    fn from_expr(expr: &Expr) -> Result<Self> {
        let path = match expr {
            Expr::Path(path) if path.qself.is_none() => path.path.clone(),
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(lit),
                ..
            }) => lit.parse::<syn::Path>().map_err(Error::from)?,
            _ => {
                return Err(Error::custom(
                    "expected a path to the `traced` crate, such as `crate = ::my_traced`",
                )
                .with_span(expr));
            }
        };
        let absolute = path.leading_colon.is_some()
            || path
                .segments
                .first()
                .is_some_and(|s| s.ident == "crate" || s.ident == "$crate");
        if absolute {
            Ok(Self(path))
        } else {
            let suggestion = path.to_token_stream().to_string().replace(' ', "");
            Err(Error::custom(format!(
                "`crate` must be an absolute path: write `crate = ::{suggestion}`"
            ))
            .with_span(expr))
        }
    }
}
