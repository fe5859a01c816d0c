//! Checks that involve several arguments, or an argument and the function, and the
//! resolution of the arguments into the [`SpanSpec`] that the expansion engine consumes.

use darling::Error;
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote_spanned};
use syn::ext::IdentExt as _;
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ItemFn, LitStr, Pat, ReturnType, Type};

use crate::attr::{
    ArgsArg, ClientArgs, CommonArgs, HandlerArgs, Kind, QueryArgs, RetArg, Sigil, SpannedExpr,
};

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
    /// For `#[traced_handler]`: where the request comes from.
    pub(crate) server: Option<ServerSpec>,
    /// For `#[traced_client]`: the request, when declared in the attribute.
    pub(crate) client: Option<ClientSpec>,
    /// For `#[traced_query]`: the database and the SQL.
    pub(crate) query: Option<QuerySpec>,
}

/// What `#[traced_query]` knows of its query before the body runs.
#[derive(Debug)]
pub(crate) struct QuerySpec {
    pub(crate) system: String,
    /// The parameter whose type told the system (a pool's connect options are read).
    pub(crate) executor: Option<Ident>,
    pub(crate) sql: QuerySql,
}

#[derive(Debug)]
pub(crate) enum QuerySql {
    /// Analysed at compile time.
    Literal(traced_sql::Analysis),
    /// A constant, analysed once, on first use.
    Const(syn::Expr),
    /// Given at run time with `traced::db::record_query`.
    Dynamic,
}

/// What `#[traced_client]` knows of its request before the body runs.
#[derive(Debug)]
pub(crate) struct ClientSpec {
    pub(crate) template: Option<LitStr>,
    /// `method` and `url`, when the attribute declares the request.
    pub(crate) declared: Option<(LitStr, TokenStream)>,
}

/// The request a server span is built from.
#[derive(Debug)]
pub(crate) struct ServerSpec {
    pub(crate) source: RequestSpec,
    pub(crate) method: Option<LitStr>,
    pub(crate) route: Option<LitStr>,
    /// The span name the user gave, which replaces `{method} {route}`.
    pub(crate) name: Option<LitStr>,
}

#[derive(Debug)]
pub(crate) enum RequestSpec {
    /// An axum handler: a hidden first extractor reads the request.
    Axum,
    /// An expression that borrows a `RequestSource` (a request, its parts, its headers).
    Expr(TokenStream),
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
        // A value that is plainly not a `Result` has no `Err` to look for: no code for it.
        None => !matches!(&item.sig.output, ReturnType::Type(_, ty) if plainly_not_result(ty)),
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
        server: None,
        client: None,
        query: None,
    }
}

/// `db.system.name` of a sqlx type name (pools, connections, database markers).
fn system_of_type_name(name: &str) -> Option<&'static str> {
    Some(match name {
        "PgPool" | "PgConnection" | "PgPoolOptions" | "PgTransaction" | "PgExecutor"
        | "Postgres" => "postgresql",
        "MySqlPool" | "MySqlConnection" | "MySqlPoolOptions" | "MySqlTransaction" | "MySql" => {
            "mysql"
        }
        "SqlitePool" | "SqliteConnection" | "SqlitePoolOptions" | "SqliteTransaction"
        | "Sqlite" => "sqlite",
        _ => return None,
    })
}

/// The first parameter whose type names a sqlx database, with that database.
fn executor_parameter(item: &ItemFn) -> Option<(Result<Ident, Box<Pat>>, &'static str)> {
    use syn::visit::Visit;
    struct Finder(Option<&'static str>);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_path_segment(&mut self, segment: &'ast syn::PathSegment) {
            if self.0.is_none() {
                self.0 = system_of_type_name(&segment.ident.to_string());
            }
            syn::visit::visit_path_segment(self, segment);
        }
    }
    item.sig.inputs.iter().find_map(|arg| {
        let FnArg::Typed(typed) = arg else {
            return None;
        };
        let mut finder = Finder(None);
        finder.visit_type(&typed.ty);
        let system = finder.0?;
        let binding = match &*typed.pat {
            Pat::Ident(pat) => Ok(pat.ident.clone()),
            other => Err(Box::new(other.clone())),
        };
        Some((binding, system))
    })
}

/// Resolves `#[traced_query]`: the common options, the database system, the SQL.
pub(crate) fn resolve_query(
    attribute: &'static str,
    sql: Option<LitStr>,
    args: QueryArgs,
    item: &ItemFn,
    errors: &mut darling::error::Accumulator,
) -> SpanSpec {
    // The kind (CLIENT, or INTERNAL for in-memory SQLite) is decided when the span starts.
    let mut spec = resolve(attribute, args.common, Kind::Internal, item, errors);
    let found = executor_parameter(item);
    let executor = match &found {
        Some((Ok(ident), _)) => Some(ident.clone()),
        _ => None,
    };
    let system = match (args.system.map(|s| s.0), found) {
        (Some(system), _) => {
            let value = system.value();
            let valid = !value.is_empty()
                && value
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._".contains(&b));
            if !valid {
                errors.push(
                    Error::custom(format!(
                        "`system` in `{attribute}` is a `db.system.name` value such as \
                         \"postgresql\", \"mysql\", \"mariadb\" or \"sqlite\""
                    ))
                    .with_span(&system),
                );
            }
            value
        }
        (None, Some((_, system))) => system.to_owned(),
        (None, None) => {
            errors.push(
                Error::custom(format!(
                    "`{attribute}` cannot tell which database this function queries: no \
                     parameter is a sqlx pool, connection or transaction; add \
                     `system = \"postgresql\"` (or \"mysql\", \"mariadb\", \"sqlite\")"
                ))
                .with_span(&item.sig.ident),
            );
            String::new()
        }
    };
    let sql = match (sql, args.query) {
        (Some(literal), Some(constant)) => {
            errors.push(
                Error::custom(format!(
                    "`{attribute}` takes the SQL once: either a literal or `query = ...`"
                ))
                .with_span(&constant.span),
            );
            QuerySql::Literal(traced_sql::analyze(&literal.value()))
        }
        (Some(literal), None) => {
            if literal.value().trim().is_empty() {
                errors.push(
                    Error::custom(format!("the SQL of `{attribute}` is empty")).with_span(&literal),
                );
            }
            QuerySql::Literal(traced_sql::analyze(&literal.value()))
        }
        (None, Some(constant)) => QuerySql::Const(constant.expr),
        (None, None) => QuerySql::Dynamic,
    };
    spec.query = Some(QuerySpec {
        system,
        executor,
        sql,
    });
    spec
}

fn check_method(attribute: &str, method: &LitStr, errors: &mut darling::error::Accumulator) {
    let value = method.value();
    let valid = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !valid {
        errors.push(
            Error::custom(format!(
                "`method` in `{attribute}` must be an HTTP method such as \"GET\""
            ))
            .with_span(method),
        );
    }
}

fn check_template(
    attribute: &str,
    option: &str,
    path: &LitStr,
    errors: &mut darling::error::Accumulator,
) {
    if !path.value().starts_with('/') {
        errors.push(
            Error::custom(format!(
                "`{option}` in `{attribute}` is a path template that starts with `/`, such as \
                 \"/users/{{id}}\""
            ))
            .with_span(path),
        );
    }
}

/// Resolves `#[traced_client]`: the common options, the template, and the request when the
/// attribute declares it.
pub(crate) fn resolve_client(
    attribute: &'static str,
    args: ClientArgs,
    item: &ItemFn,
    errors: &mut darling::error::Accumulator,
) -> SpanSpec {
    let mut spec = resolve(attribute, args.common, Kind::Client, item, errors);
    let template = args.template.map(|t| t.0);
    if let Some(template) = &template {
        check_template(attribute, "template", template, errors);
    }
    let method = args.method.map(|m| m.0);
    if let Some(method) = &method {
        check_method(attribute, method, errors);
    }
    let declared = match (method, args.url) {
        (Some(method), Some(url)) => {
            let expr = &url.expr;
            Some((method, quote_spanned!(url.expr.span()=> &(#expr))))
        }
        (None, Some(url)) => {
            errors.push(
                Error::custom(format!(
                    "`url` in `{attribute}` needs `method` too: the span is named after it"
                ))
                .with_span(&url.span),
            );
            None
        }
        (Some(method), None) => {
            errors.push(
                Error::custom(format!(
                    "`method` in `{attribute}` declares a request the attribute cannot see, and \
                     needs its `url` too; without both, the sends in the body are traced"
                ))
                .with_span(&method),
            );
            None
        }
        (None, None) => None,
    };
    spec.client = Some(ClientSpec { template, declared });
    spec
}

/// Whether `#[traced_handler]` generates axum extraction (the `axum` feature of `traced`).
const AXUM: bool = cfg!(feature = "axum");

/// Resolves `#[traced_handler]`: the common options, then where the request comes from.
pub(crate) fn resolve_handler(
    attribute: &'static str,
    mut args: HandlerArgs,
    item: &ItemFn,
    errors: &mut darling::error::Accumulator,
) -> SpanSpec {
    if let Some(parent) = args.common.parent.take() {
        errors.push(
            Error::custom(format!(
                "`parent` cannot be set on `{attribute}`: a server span's parent is the caller's \
                 span, read from the request headers"
            ))
            .with_span(&parent.span),
        );
    }
    let name = args.common.name.as_ref().map(|n| n.0.clone());
    let mut spec = resolve(attribute, args.common, Kind::Server, item, errors);
    let method = args.method.map(|m| m.0);
    if let Some(method) = &method {
        check_method(attribute, method, errors);
    }
    let route = args.route.map(|r| r.0);
    if let Some(route) = &route {
        check_template(attribute, "route", route, errors);
    }
    let source = match args.headers {
        Some(headers) => {
            let expr = &headers.expr;
            RequestSpec::Expr(quote_spanned!(headers.expr.span()=> &(#expr)))
        }
        None if AXUM && item.sig.asyncness.is_some() => {
            if let Some(FnArg::Receiver(receiver)) = item.sig.inputs.first() {
                errors.push(
                    Error::custom(format!(
                        "`{attribute}` on a method: an axum handler is a free function; for \
                         another framework, give the request with `headers = ...`"
                    ))
                    .with_span(receiver),
                );
            }
            if item.sig.inputs.len() >= 16 {
                errors.push(
                    Error::custom(format!(
                        "`{attribute}` adds an extractor to the handler, and axum handlers take \
                         at most 16: group some arguments into one extractor"
                    ))
                    .with_span(&item.sig.inputs),
                );
            }
            if let Some(method) = &method {
                errors.push(
                    Error::custom(format!(
                        "`method` has no effect on an axum handler: `{attribute}` reads it from \
                         the request"
                    ))
                    .with_span(method),
                );
            }
            RequestSpec::Axum
        }
        None => match request_parameter(item) {
            Some(Ok(ident)) => RequestSpec::Expr(quote_spanned!(ident.span()=> &#ident)),
            Some(Err(pattern)) => {
                errors.push(
                    Error::custom(format!(
                        "`{attribute}` reads the request from this parameter: bind it to a name \
                         (`request: Request<B>`) instead of destructuring it"
                    ))
                    .with_span(&pattern),
                );
                RequestSpec::Expr(TokenStream::new())
            }
            None => {
                let how = if AXUM {
                    "an axum handler is an `async fn`; for a synchronous handler"
                } else {
                    "enable the `axum` feature of `traced` for axum handlers; otherwise"
                };
                errors.push(
                    Error::custom(format!(
                        "`{attribute}` cannot see the request: {how} take an `http::Request<B>`, \
                         `http::request::Parts` or `http::HeaderMap` parameter, or give one with \
                         `headers = ...`"
                    ))
                    .with_span(&item.sig.ident),
                );
                RequestSpec::Expr(TokenStream::new())
            }
        },
    };
    spec.server = Some(ServerSpec {
        source,
        method,
        route,
        name,
    });
    spec
}

/// The parameter a handler outside axum reads the request from: the first whose type is
/// (a reference to) `Request<..>`, `Parts` or `HeaderMap`. `Err` holds a pattern that
/// destructures it.
fn request_parameter(item: &ItemFn) -> Option<Result<Ident, Box<Pat>>> {
    item.sig.inputs.iter().find_map(|arg| {
        let FnArg::Typed(typed) = arg else {
            return None;
        };
        let mut ty = &*typed.ty;
        while let Type::Reference(reference) = ty {
            ty = &reference.elem;
        }
        let Type::Path(path) = ty else {
            return None;
        };
        let last = path.path.segments.last()?.ident.to_string();
        if !matches!(last.as_str(), "Request" | "Parts" | "HeaderMap") {
            return None;
        }
        Some(match &*typed.pat {
            Pat::Ident(pat) => Ok(pat.ident.clone()),
            other => Err(Box::new(other.clone())),
        })
    })
}

/// Whether `ty` is written as a type that is never a `Result`: a primitive, a tuple, an
/// array, or a standard container by its usual name (`String`, `Vec<_>`, `Option<_>`, ...),
/// alone or from `std`, `core` or `alloc`. Any other name might be a `Result` (an alias,
/// another crate's type), so it is not.
fn plainly_not_result(ty: &Type) -> bool {
    const NAMES: &[&str] = &[
        "bool", "char", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
        "i128", "isize", "f32", "f64", "String", "Vec", "Option", "Box", "Arc", "Rc", "HashMap",
        "BTreeMap", "HashSet", "BTreeSet", "VecDeque",
    ];
    match ty {
        Type::Tuple(_) | Type::Array(_) => true,
        Type::Paren(inner) => plainly_not_result(&inner.elem),
        // `Vec<_>` as written, or a path from the standard library (`std::vec::Vec<_>`);
        // `api::Vec` may be anything.
        Type::Path(path) if path.qself.is_none() => {
            let segments = &path.path.segments;
            let from_std = path.path.leading_colon.is_none()
                && (segments.len() == 1
                    || segments.first().is_some_and(|first| {
                        ["std", "core", "alloc"].iter().any(|s| first.ident == s)
                    }));
            from_std
                && segments
                    .last()
                    .is_some_and(|last| NAMES.iter().any(|name| last.ident == name))
        }
        _ => false,
    }
}
