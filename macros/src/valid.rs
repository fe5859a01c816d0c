//! Checks that involve several arguments, or an argument and the function, and the
//! resolution of the arguments into the [`SpanSpec`] that the expansion engine consumes.

use darling::Error;
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ItemFn, LitStr, Pat, ReturnType};

use crate::attr::{ArgsArg, CommonArgs, Kind, RetArg, Sigil, SpannedExpr};

/// Everything the engine needs to know about the span of one annotated function.
#[derive(Debug)]
pub(crate) struct SpanSpec {
    /// Which attribute this is, for messages: `#[traced]`, `#[traced_handler]`, ...
    pub(crate) attribute: &'static str,
    pub(crate) krate: syn::Path,
    pub(crate) name: LitStr,
    pub(crate) level: Ident,
    pub(crate) target: Option<LitStr>,
    pub(crate) kind: Kind,
    pub(crate) fields: Vec<Field>,
    pub(crate) parent: Option<SpannedExpr>,
    pub(crate) follows_from: Option<SpannedExpr>,
    pub(crate) err: bool,
    pub(crate) ret: Option<RetArg>,
}

/// A field of the span: a key and how its value is computed at creation (`None`: declared
/// now, recorded later with `record!`).
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub(crate) key: String,
    pub(crate) span: Span,
    pub(crate) value: Option<TokenStream>,
}

/// Fields the layer reads as span settings: each has an option of its own.
const RESERVED: &[(&str, &str)] = &[
    ("otel.name", "name = \"...\""),
    ("otel.kind", "kind = ..."),
    (
        "otel.status_code",
        "the function's return value (an `Err` sets status Error)",
    ),
    ("otel.status_description", "the function's return value"),
];

/// The names of the function's arguments that can be recorded (`self` and plain
/// identifiers; destructuring patterns have no single name).
fn argument_names(item: &ItemFn) -> Vec<Ident> {
    item.sig
        .inputs
        .iter()
        .filter_map(|arg| match arg {
            FnArg::Receiver(receiver) => Some(Ident::new("self", receiver.self_token.span)),
            FnArg::Typed(typed) => match &*typed.pat {
                Pat::Ident(pat) => Some(pat.ident.clone()),
                _ => None,
            },
        })
        .collect()
}

/// "; did you mean `x`?" when one of `candidates` is close to `wrong`.
pub(crate) fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(wrong, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

fn check_argument(
    errors: &mut darling::error::Accumulator,
    attribute: &str,
    option: &str,
    ident: &Ident,
    names: &[Ident],
) -> bool {
    if names.iter().any(|n| n == ident) {
        return true;
    }
    let candidates: Vec<String> = names.iter().map(ToString::to_string).collect();
    let hint = did_you_mean(&ident.to_string(), candidates.iter().map(String::as_str));
    errors.push(
        Error::custom(format!(
            "`{option}` in `{attribute}` names `{ident}`, which is not an argument of this \
             function{hint}"
        ))
        .with_span(ident),
    );
    false
}

/// Resolves the common options against the function. `kind` comes from the attribute
/// (fixed for the specialised ones).
pub(crate) fn resolve(
    attribute: &'static str,
    args: CommonArgs,
    kind: Kind,
    item: &ItemFn,
    errors: &mut darling::error::Accumulator,
) -> SpanSpec {
    let names = argument_names(item);
    let returns_nothing = matches!(item.sig.output, ReturnType::Default);

    let name = match args.name.map(|n| n.0) {
        Some(name) if name.value().trim().is_empty() => {
            errors.push(
                Error::custom(format!("`name` in `{attribute}` cannot be empty")).with_span(&name),
            );
            name
        }
        Some(name) => name,
        None => LitStr::new(&item.sig.ident.unraw().to_string(), item.sig.ident.span()),
    };

    let mut fields: Vec<Field> = Vec::new();
    let mut push_field = |errors: &mut darling::error::Accumulator, field: Field| {
        if let Some((_, option)) = RESERVED.iter().find(|(key, _)| *key == field.key) {
            errors.push(
                Error::custom(format!(
                    "`{}` is set by `{attribute}` itself; use {option} instead",
                    field.key
                ))
                .with_span(&field.span),
            );
        } else if fields.iter().any(|f| f.key == field.key) {
            errors.push(
                Error::custom(format!(
                    "field `{}` is declared twice in `{attribute}`",
                    field.key
                ))
                .with_span(&field.span),
            );
        } else {
            fields.push(field);
        }
    };

    for spec in args.fields.map(|f| f.0).unwrap_or_default() {
        let value = spec.value.map(|(sigil, expr)| {
            let span = expr.span();
            match sigil {
                Sigil::Value => expr.into_token_stream(),
                Sigil::Display => quote_spanned!(span=> %#expr),
                Sigil::Debug => quote_spanned!(span=> ?#expr),
            }
        });
        push_field(
            errors,
            Field {
                key: spec.key.name,
                span: spec.key.span,
                value,
            },
        );
    }

    let skipped: Vec<Ident> = args.skip.as_ref().map(|s| s.0.clone()).unwrap_or_default();
    for ident in &skipped {
        check_argument(errors, attribute, "skip", ident, &names);
    }
    if let (Some(skip), None) = (&args.skip, &args.args) {
        let span = skip.0.first().map_or_else(Span::call_site, Ident::span);
        errors.push(
            Error::custom(format!(
                "`skip` has no effect without `args`: `{attribute}` records no argument unless \
                 `args` asks for it"
            ))
            .with_span(&span),
        );
    }
    let recorded: Vec<Ident> = match &args.args {
        None => Vec::new(),
        Some(ArgsArg::All(span)) => {
            if names.iter().all(|n| n == "self") {
                errors.push(
                    Error::custom(format!(
                        "`args` has no effect: this function has no argument `{attribute}` can \
                         record"
                    ))
                    .with_span(span),
                );
            }
            names
                .iter()
                .filter(|n| *n != "self" && !skipped.contains(n))
                .cloned()
                .collect()
        }
        Some(ArgsArg::Only(list)) => {
            let mut chosen = Vec::new();
            for ident in list {
                if !check_argument(errors, attribute, "args", ident, &names) {
                    continue;
                }
                if skipped.contains(ident) {
                    errors.push(
                        Error::custom(format!(
                            "`{ident}` is both in `args(...)` and in `skip(...)`; keep one"
                        ))
                        .with_span(ident),
                    );
                    continue;
                }
                chosen.push(ident.clone());
            }
            chosen
        }
    };
    for ident in recorded {
        let span = ident.span();
        push_field(
            errors,
            Field {
                key: ident.unraw().to_string(),
                span,
                value: Some(quote_spanned!(span=> ?#ident)),
            },
        );
    }

    let err = match args.err {
        Some(flag) if flag.0 && returns_nothing => {
            errors.push(
                Error::custom(format!(
                    "`err` has no effect: this function returns nothing, so `{attribute}` has no \
                     `Err` to record"
                ))
                .with_span(&flag.1),
            );
            false
        }
        Some(flag) => flag.0,
        None => true,
    };
    if let Some(ret) = &args.ret
        && returns_nothing
    {
        errors.push(
            Error::custom(format!(
                "`ret` has no effect: this function returns nothing for `{attribute}` to record"
            ))
            .with_span(&ret.span),
        );
    }

    SpanSpec {
        attribute,
        krate: args
            .krate
            .map(|k| k.0)
            .unwrap_or_else(|| syn::parse_quote!(::traced)),
        name,
        level: args
            .level
            .map(|l| l.0)
            .unwrap_or_else(|| Ident::new("INFO", Span::call_site())),
        target: args.target.map(|t| t.0),
        kind,
        fields,
        parent: args.parent,
        follows_from: args.follows_from,
        err,
        ret: args.ret,
    }
}

use syn::ext::IdentExt as _;
