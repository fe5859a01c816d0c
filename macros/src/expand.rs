//! Code generation shared by every attribute: the span's creation, running the body inside
//! it (sync, `async fn`, or an async-trait `Box::pin(async move { .. })` body), and recording
//! what the body returned. Attributes differ only in the [`SpanSpec`] they hand in.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Block, Expr, ItemFn, ReturnType, Stmt, Type};

use crate::attr::{Kind, RetMode};
use crate::record::HANDLE;
use crate::valid::{QuerySpec, QuerySql, RequestSpec, ServerSpec, SpanSpec};

/// The expression that creates the span.
fn span_creation(spec: &SpanSpec) -> TokenStream {
    let krate = &spec.krate;
    let tracing = quote!(#krate::__private::tracing);
    let level = &spec.level;
    let name = &spec.name;
    let target = spec.target.as_ref().map(|t| quote!(target: #t,));
    let kind = (spec.kind != Kind::Internal).then(|| {
        let kind = spec.kind.as_str();
        quote!("otel.kind" = #kind,)
    });

    // Options the span needs at creation that fields cannot carry go through `SpanStart`,
    // filled after the field values are evaluated (so that nothing they call can see it).
    let declared_client = spec.client.as_ref().and_then(|c| c.declared.as_ref());
    if !needs_start(spec) {
        let fields = spec.fields.iter().map(|field| {
            let key = &field.key;
            let span = field.span;
            match &field.value {
                Some(value) => quote_spanned!(span=> #key = #value,),
                None => quote_spanned!(span=> #key = #tracing::field::Empty,),
            }
        });
        return quote! {
            #tracing::span!(#target #tracing::Level::#level, #name, #kind #(#fields)*)
        };
    }

    let mut bindings = TokenStream::new();
    let mut fields = TokenStream::new();
    for (index, field) in spec.fields.iter().enumerate() {
        let key = &field.key;
        let span = field.span;
        let local = format_ident!("__traced_field_{}", index);
        match &field.value {
            Some(value) => {
                // `value` may start with `%` or `?`: bind the expression, keep the sigil.
                let (sigil, expr) = split_sigil(value);
                bindings.extend(quote_spanned!(span=> let #local = &(#expr);));
                fields.extend(quote_spanned!(span=> #key = #sigil #local,));
            }
            None => fields.extend(quote_spanned!(span=> #key = #tracing::field::Empty,)),
        }
    }
    let links = spec.follows_from.as_ref().map(|f| {
        let expr = &f.expr;
        quote_spanned! {f.span=>
            let __traced_start = __traced_start
                .links(#krate::__private::IntoLinks::into_links(#expr));
        }
    });
    let creation = match &spec.parent {
        Some(parent) => {
            let expr = &parent.expr;
            let into_parent = quote_spanned! {parent.span=>
                #krate::__private::IntoParent::into_parent(#expr)
            };
            quote! {
                let (__traced_parent, __traced_start) =
                    match #into_parent {
                        #krate::__private::Parent::Tracing(id) => (id, __traced_start),
                        #krate::__private::Parent::Context(cx) => {
                            (::core::option::Option::None, __traced_start.parent(cx))
                        }
                    };
                #links
                __traced_start.create(|| {
                    #tracing::span!(#target parent: __traced_parent, #tracing::Level::#level,
                        #name, #kind #fields)
                })
            }
        }
        None => quote! {
            #links
            __traced_start.create(|| {
                #tracing::span!(#target #tracing::Level::#level, #name, #kind #fields)
            })
        },
    };
    let start = match (&spec.server, declared_client) {
        _ if spec.query.is_some() => query_start(spec, spec.query.as_ref().expect("checked")),
        (Some(server), _) => server_start(spec, server),
        (None, Some((method, url))) => {
            // With an explicit parent, the layer decides on it once the span is created.
            let presample = spec.parent.is_none();
            let template = option_str(spec.client.as_ref().and_then(|c| c.template.as_ref()));
            quote! {
                #krate::__private::http::client_start(
                    #method, ::core::convert::AsRef::<str>::as_ref(#url), #template, #presample)
            }
        }
        (None, None) => quote!(#krate::__private::SpanStart::default()),
    };
    quote! {{
        #bindings
        let __traced_start = #start;
        #creation
    }}
}

/// Whether the span needs options at creation that fields cannot carry (see `SpanStart`).
fn needs_start(spec: &SpanSpec) -> bool {
    spec.parent.is_some()
        || spec.follows_from.is_some()
        || spec.server.is_some()
        || spec.query.is_some()
        || spec.client.as_ref().is_some_and(|c| c.declared.is_some())
}

fn option_str(lit: Option<&syn::LitStr>) -> TokenStream {
    match lit {
        Some(lit) => quote!(::core::option::Option::Some(#lit)),
        None => quote!(::core::option::Option::None),
    }
}

/// The creation options of a query's span: the system, the pool's target, the SQL's
/// analysis (made here, at compile time, for a literal).
fn query_start(spec: &SpanSpec, query: &QuerySpec) -> TokenStream {
    let krate = &spec.krate;
    let db = quote!(#krate::__private::db);
    let system = &query.system;
    // A closure: the pool's options are read only for a span the sampler keeps.
    let target = match &query.executor {
        Some(executor) => quote! {
            || {
                #[allow(unused_imports)]
                use #db::{KnownTarget as _, UnknownTarget as _};
                (&&#db::TargetOf(&#executor)).traced_target()
            }
        },
        None => quote!(::core::default::Default::default),
    };
    let info = match &query.sql {
        QuerySql::Literal(analysis) => {
            let text = &analysis.sanitized;
            let operation = option_string(analysis.operation.as_deref());
            let collection = option_string(analysis.collection.as_deref());
            let summary = option_string(analysis.summary.as_deref());
            quote! {
                ::core::option::Option::Some(
                    &#db::QueryInfo::literal(#text, #operation, #collection, #summary))
            }
        }
        QuerySql::Const(constant) => quote! {{
            static __TRACED_QUERY: ::std::sync::LazyLock<#db::QueryInfo> =
                ::std::sync::LazyLock::new(|| #db::QueryInfo::analyze(#constant));
            ::core::option::Option::Some(&*__TRACED_QUERY)
        }},
        QuerySql::Dynamic => quote!(::core::option::Option::None),
    };
    let presample = spec.parent.is_none();
    quote!(#db::query_start(#system, #target, #info, #presample))
}

fn option_string(value: Option<&str>) -> TokenStream {
    match value {
        Some(value) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    }
}

/// The creation options of a server span: name, kind, parent and attributes from the
/// request.
fn server_start(spec: &SpanSpec, server: &ServerSpec) -> TokenStream {
    let krate = &spec.krate;
    let name = option_str(server.name.as_ref());
    let route = option_str(server.route.as_ref());
    match &server.source {
        RequestSpec::Axum => quote! {
            #krate::__private::http::axum::Incoming::span_start(
                __traced_incoming, #route, #name)
        },
        RequestSpec::Expr(request) => {
            let method = option_str(server.method.as_ref());
            quote! {
                #krate::__private::http::IncomingRequest::new(
                    #krate::__private::http::RequestSource::server_parts(#request),
                    #method, #route, ::core::option::Option::None,
                ).span_start(#name)
            }
        }
    }
}

/// Splits a leading `%` or `?` off a field value.
fn split_sigil(value: &TokenStream) -> (TokenStream, TokenStream) {
    let mut iter = value.clone().into_iter().peekable();
    match iter.peek() {
        Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == '%' || p.as_char() == '?' => {
            let sigil = iter.next().into_iter().collect();
            (sigil, iter.collect())
        }
        _ => (TokenStream::new(), value.clone()),
    }
}

/// What to do with the return value `__traced_ret` once the body finished.
fn outcome(spec: &SpanSpec) -> TokenStream {
    let krate = &spec.krate;
    let mut tokens = TokenStream::new();
    if spec.client.is_some() {
        // A request that failed already said why on its span.
        let failure = failure(spec);
        tokens.extend(quote!(__traced_client_scope.record_outcome(#failure);));
    }
    if let Some(query) = &spec.query {
        let db = quote!(#krate::__private::db);
        let system = &query.system;
        let failure = failure(spec);
        tokens.extend(quote! {{
            #[allow(unused_imports)]
            use #db::{FindSqlxError as _, KnownRows as _, NoRows as _, NoSqlxError as _};
            #db::record_outcome(
                &__traced_span,
                #system,
                (&&#db::RowsOf(&__traced_ret)).traced_rows(),
                #failure,
                (&&#db::SqlxErrorOf(&__traced_ret)).traced_sqlx_error(),
            );
        }});
    }
    match spec.server.as_ref().map(|s| &s.source) {
        None if spec.client.is_some() || spec.query.is_some() => {}
        None if spec.err => tokens.extend(quote! {
            #krate::__private::record_outcome!(&__traced_ret, &__traced_span);
        }),
        None => {}
        // An axum handler's status is known only once its value becomes a response: the
        // failure waits in `Traced` until then.
        Some(RequestSpec::Axum) => {
            let failure = failure(spec);
            tokens.extend(quote! {
                let __traced_failure = if __traced_span.is_none() {
                    ::core::option::Option::None
                } else {
                    #failure
                };
            });
        }
        Some(RequestSpec::Expr(_)) => {
            let failure = failure(spec);
            tokens.extend(quote! {{
                #[allow(unused_imports)]
                use #krate::__private::http::{KnownStatus as _, NoStatus as _};
                #krate::__private::http::record_server_status(
                    &__traced_span,
                    (&&#krate::__private::http::StatusOf(&__traced_ret)).traced_status(),
                    #failure,
                );
            }});
        }
    }
    if let Some(ret) = &spec.ret {
        let (method, traits) = match ret.mode {
            RetMode::Debug => (
                quote_spanned!(ret.span=> traced_ret_debug),
                quote!(ResultRetDebug as _, DebugRet as _),
            ),
            RetMode::Display => (
                quote_spanned!(ret.span=> traced_ret_display),
                quote!(ResultRetDisplay as _, DisplayRet as _),
            ),
        };
        tokens.extend(quote! {{
            #[allow(unused_imports)]
            use #krate::__private::{#traits};
            #krate::__private::record_return(
                &__traced_span,
                (&&#krate::__private::RetOf(&__traced_ret)).#method(),
            );
        }});
    }
    tokens
}

/// The failure the return value describes, unless `err = false`.
fn failure(spec: &SpanSpec) -> TokenStream {
    let krate = &spec.krate;
    if spec.err {
        quote!(#krate::__private::failure_of!(&__traced_ret))
    } else {
        quote!(::core::option::Option::None)
    }
}

/// For `#[traced_client]`: the call's `ClientScope`, and the reference the rewritten sends
/// use.
fn client_scope(spec: &SpanSpec) -> TokenStream {
    let Some(client) = &spec.client else {
        return TokenStream::new();
    };
    let krate = &spec.krate;
    let template = option_str(client.template.as_ref());
    let constructor = if client.declared.is_some() {
        quote!(declared)
    } else {
        quote!(new)
    };
    let scope = syn::Ident::new(crate::sends::SCOPE, Span::call_site());
    quote! {
        let __traced_client_scope =
            #krate::__private::http::ClientScope::#constructor(&__traced_span, #template);
        #[allow(unused_variables)]
        let #scope = &__traced_client_scope;
    }
}

/// The value the instrumented function returns.
fn tail(spec: &SpanSpec) -> TokenStream {
    let krate = &spec.krate;
    match spec.server.as_ref().map(|s| &s.source) {
        Some(RequestSpec::Axum) => quote! {
            #krate::__private::http::axum::Traced::new(
                __traced_ret, __traced_span, __traced_failure)
        },
        _ => quote! {{
            #krate::__private::finish_and_drop(__traced_span);
            __traced_ret
        }},
    }
}

/// A plain `#[traced]` span may be left out when the sampler drops it (the layer decides,
/// see `TracedLayer::skip_unsampled`); spans that carry a request, a query, an explicit
/// parent or links are always created.
fn may_skip(spec: &SpanSpec) -> bool {
    spec.parent.is_none()
        && spec.follows_from.is_none()
        && spec.server.is_none()
        && spec.query.is_none()
        && spec.client.is_none()
}

/// The span's creation, or, where it may be left out, the sampler's question first.
fn creation_or_skip(spec: &SpanSpec) -> TokenStream {
    let create = span_creation(spec);
    let krate = &spec.krate;
    let tracing = quote!(#krate::__private::tracing);
    if !may_skip(spec) {
        if !needs_start(spec) {
            return quote!(let __traced_span = #create;);
        }
        // A request's or a query's creation options (its attributes, the request read, the
        // URL parsed) are built only for a level someone takes: `span!` would not evaluate
        // the fields either.
        let level_enabled = level_enabled(spec);
        // An axum handler still tells the fallback layer that it served the request.
        let unused = match spec.server.as_ref().map(|s| &s.source) {
            Some(RequestSpec::Axum) => quote! {
                #krate::__private::http::axum::Incoming::served_without_span(__traced_incoming);
            },
            _ => TokenStream::new(),
        };
        return quote! {
            let __traced_span = if !#level_enabled {
                #unused
                #tracing::Span::none()
            } else {
                #create
            };
        };
    }
    let level = &spec.level;
    let ask = quote!(#krate::__private::skipped(#tracing::Level::#level));
    let choose = unless_skipped(spec, &create);
    let level_enabled = level_enabled(spec);
    quote! {
        let __traced_skipped;
        let __traced_span = if !#level_enabled {
            // Nobody takes spans of this level: the cheapest way out.
            __traced_skipped = ::core::option::Option::None;
            #tracing::Span::none()
        } else {
            __traced_skipped = #ask;
            #choose
        };
    }
}

/// The span `create` makes, or none when `__traced_skipped` says it is left out. `matches!`
/// reads the variant without borrowing (a borrow would keep room for it across an async
/// body's awaits).
fn unless_skipped(spec: &SpanSpec, create: &TokenStream) -> TokenStream {
    let krate = &spec.krate;
    quote! {
        if ::core::matches!(__traced_skipped, ::core::option::Option::Some(_)) {
            #krate::__private::tracing::Span::none()
        } else {
            #create
        }
    }
}

/// For a plain span whose body is wrapped first: what the body runs in, `None` when it runs
/// as it is (nobody takes the level, or nobody listens and no context was left out), as
/// `__private::run_in` answers.
fn run_decision(spec: &SpanSpec) -> TokenStream {
    let krate = &spec.krate;
    let level_enabled = level_enabled(spec);
    let asked = asked_span(spec);
    quote! {
        if !#level_enabled {
            // Nobody takes spans of this level: the cheapest way out.
            ::core::option::Option::None
        } else {
            #asked
            #krate::__private::run_in(__traced_span, __traced_skipped)
        }
    }
}

/// Whether anyone takes spans of the span's level.
fn level_enabled(spec: &SpanSpec) -> TokenStream {
    let krate = &spec.krate;
    let level = &spec.level;
    quote!(#krate::__private::level_enabled(#krate::__private::tracing::Level::#level))
}

/// For a plain span of an enabled level: the sampler's question (`__traced_skipped`), then
/// the span, or none when it is left out (`__traced_span`).
fn asked_span(spec: &SpanSpec) -> TokenStream {
    let krate = &spec.krate;
    let level = &spec.level;
    let span = unless_skipped(spec, &span_creation(spec));
    quote! {
        let __traced_skipped = #krate::__private::skipped(#krate::__private::tracing::Level::#level);
        let __traced_span = #span;
    }
}

/// Whether the body may be wrapped before the span is created: a plain span whose fields
/// evaluate nothing (none has a value, and the body does not `record!`), so that moving the
/// arguments into the body first changes nothing. Then a span nobody listens to returns at
/// the first question, with nothing to undo.
fn body_first(spec: &SpanSpec, records: bool) -> bool {
    may_skip(spec) && !records && spec.fields.iter().all(|field| field.value.is_none())
}

/// For a span nobody listens to, return the body's value as it is: there is nothing to
/// record (an axum handler still wraps its value, so it goes on to its tail).
fn skip_when_disabled(spec: &SpanSpec) -> TokenStream {
    if matches!(
        spec.server.as_ref().map(|s| &s.source),
        Some(RequestSpec::Axum)
    ) {
        return TokenStream::new();
    }
    quote! {
        if __traced_span.is_none() {
            return __traced_ret;
        }
    }
}

/// An axum handler gets the hidden extractor that reads the request as its first argument,
/// and returns its value wrapped in `Traced`, which records the status of the response.
fn axum_signature(spec: &SpanSpec, item: &mut ItemFn) {
    if !matches!(
        spec.server.as_ref().map(|s| &s.source),
        Some(RequestSpec::Axum)
    ) {
        return;
    }
    let krate = &spec.krate;
    item.sig.inputs.insert(
        0,
        syn::parse_quote!(__traced_incoming: #krate::__private::http::axum::Incoming),
    );
    let output = match &item.sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => quote!(#ty),
    };
    let span = item.sig.output.span();
    item.sig.output = syn::parse_quote_spanned!(span=>
        -> #krate::__private::http::axum::Traced<#output>);
}

/// A statement that never runs but tells inference the body's return type, so that `?` in
/// a body moved into a closure or an async block converts errors as it did in the function.
fn return_type_hint(output: &ReturnType) -> TokenStream {
    let ty = match output {
        // `impl Trait` cannot be named in a `let`; `!` cannot be written there on stable.
        ReturnType::Type(_, ty) if contains_impl_trait(ty) || matches!(**ty, Type::Never(_)) => {
            return TokenStream::new();
        }
        ReturnType::Type(_, ty) => quote!(#ty),
        // A body that diverges (`panic!()`) would otherwise leave the type to inference.
        ReturnType::Default => quote!(()),
    };
    quote! {
        #[allow(unreachable_code, clippy::diverging_sub_expression, clippy::needless_return)]
        if false {
            let __traced_type_hint: #ty = loop {};
            return __traced_type_hint;
        }
    }
}

fn contains_impl_trait(ty: &Type) -> bool {
    use syn::visit::Visit;
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_type_impl_trait(&mut self, _: &'ast syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    finder.visit_type(ty);
    finder.0
}

/// If the function is an async-trait method (`Box::pin(async move { .. })` as its only
/// expression), the async block to instrument.
fn async_trait_body(block: &mut Block) -> Option<&mut Expr> {
    let Some(Stmt::Expr(Expr::Call(call), None)) = block.stmts.last_mut() else {
        return None;
    };
    let Expr::Path(func) = &*call.func else {
        return None;
    };
    let segments: Vec<String> = func
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    if !segments.ends_with(&["Box".to_owned(), "pin".to_owned()]) || call.args.len() != 1 {
        return None;
    }
    match call.args.first_mut() {
        Some(arg @ Expr::Async(_)) => Some(arg),
        _ => None,
    }
}

/// For an async body that calls `record!`: a clone of the span made before the body is
/// moved into its future, and the binding of the handle inside it.
fn async_record_handle(records: bool, handle: &syn::Ident) -> (TokenStream, TokenStream) {
    if !records {
        return (TokenStream::new(), TokenStream::new());
    }
    (
        quote!(let __traced_span_clone = ::core::clone::Clone::clone(&__traced_span);),
        quote!(let #handle = &__traced_span_clone;),
    )
}

/// Generates the instrumented function. `records` says whether the body calls `record!`.
pub(crate) fn expand(spec: &SpanSpec, mut item: ItemFn, records: bool) -> TokenStream {
    let krate = &spec.krate;
    // Built only where it is used: a body wrapped first creates its span on its own path.
    let create = || creation_or_skip(spec);
    let scope = client_scope(spec);
    // The future that runs the body in its span (or, for a span left out, in its context).
    let instrumented = |inner: TokenStream| match may_skip(spec) {
        true => quote! {
            #krate::__private::Instrumented::with_context(
                #inner,
                __traced_span,
                __traced_skipped.and_then(#krate::__private::Skipped::into_context),
            )
        },
        false => quote!(#krate::__private::Instrumented::new(#inner, __traced_span)),
    };
    let outcome = outcome(spec);
    let handle = syn::Ident::new(HANDLE, Span::call_site());
    let body_first = body_first(spec, records);

    if item.sig.asyncness.is_some() {
        let hint = return_type_hint(&item.sig.output);
        let body = &item.block;
        let (clone, bind) = async_record_handle(records, &handle);
        let tail = tail(spec);
        // With no outcome to record, the tail alone does nothing for a span nobody listens to.
        let skip = match outcome.is_empty() {
            true => TokenStream::new(),
            false => skip_when_disabled(spec),
        };
        let future =
            quote_spanned!(body.span()=> let __traced_future = async move { #bind #hint #body };);
        // What a plain span's body runs in, a temporary: a local not moved on the way to
        // the other `.await` would be kept in the function's future across it.
        let (start, decision) = match body_first {
            true => (quote!(#future), run_decision(spec)),
            false => (
                {
                    let create = create();
                    quote!(#create #scope #clone #future)
                },
                quote!(#krate::__private::run_in(__traced_span, __traced_skipped)),
            ),
        };
        // A plain span nobody listens to (and none left out, whose context must be
        // current): the body's future is awaited as it is, the cheapest way, in one place.
        // Other spans carry a request or a query and are polled through `Instrumented`
        // whatever happens, which saves compiling a second `.await` for them. The span and
        // the sampler's answer are moved, not borrowed, before the awaits.
        let run = match may_skip(spec) {
            true => quote! {
                let ::core::option::Option::Some((__traced_span, __traced_context)) = (#decision)
                else {
                    return __traced_future.await;
                };
                #[allow(clippy::let_unit_value)]
                let (__traced_ret, __traced_span) = #krate::__private::Instrumented::with_context(
                    __traced_future,
                    __traced_span,
                    __traced_context,
                )
                .await;
            },
            false => quote! {
                #[allow(clippy::let_unit_value)]
                let (__traced_ret, __traced_span) =
                    #krate::__private::Instrumented::new(__traced_future, __traced_span).await;
            },
        };
        let new_body = quote_spanned! {body.span()=> {
            #start
            #run
            #skip
            #outcome
            #tail
        }};
        axum_signature(spec, &mut item);
        return with_body(&item, new_body);
    }

    if let Some(async_block) = async_trait_body(&mut item.block) {
        let inner = async_block.clone();
        let (clone, bind) = async_record_handle(records, &handle);
        let inner = if records {
            quote!(async move { #bind #inner.await })
        } else {
            quote!(#inner)
        };
        let future = instrumented(inner.clone());
        let create = create();
        *async_block = Expr::Verbatim(quote_spanned! {inner.span()=>
            async move {
                #create
                #scope
                #clone
                let (__traced_ret, __traced_span) = #future.await;
                if __traced_span.is_none() {
                    return __traced_ret;
                }
                #outcome
                #krate::__private::finish_and_drop(__traced_span);
                __traced_ret
            }
        });
        return quote!(#item);
    }

    let bind = records.then(|| quote!(let #handle = &__traced_span;));
    // A function that never returns has no value to record: its body runs in the entered
    // span as it is (wrapping it in a closure would change its `!` type to `()`).
    if matches!(&item.sig.output, ReturnType::Type(_, ty) if matches!(**ty, Type::Never(_))) {
        let body = &item.block;
        let create = span_creation(spec);
        let new_body = quote_spanned! {body.span()=> {
            let __traced_span = #create;
            #scope
            #bind
            let __traced_entered = __traced_span.enter();
            #body
        }};
        return with_body(&item, new_body);
    }
    let hint = return_type_hint(&item.sig.output);
    let body = &item.block;
    // An `unsafe fn`'s body keeps its unsafe context inside the closure.
    let body = if matches!(item.sig.safety, syn::Safety::Unsafe(_)) {
        quote_spanned!(body.span()=> { #[allow(unused_unsafe)] unsafe #body })
    } else {
        quote!(#body)
    };
    let run_unlistened = if may_skip(spec) {
        quote! {
            let __traced_attached = #krate::__private::attach(__traced_skipped);
            return __traced_body();
        }
    } else {
        quote!(return __traced_body();)
    };
    // The body's `record!` handle borrows the span; moving it as well would add a second
    // error to a body whose handle escapes.
    let finish = match records {
        true => quote!(#krate::__private::finish(&__traced_span);),
        false => quote!(#krate::__private::finish_and_drop(__traced_span);),
    };
    let closure = quote_spanned! {item.block.span()=>
        #[allow(unused_mut)]
        let mut __traced_body = move || { #hint #body };
    };
    // The span's part, once it may exist: a span nobody listens to costs only its
    // creation, and the body runs as it is. Spanned like the block it goes into, so that
    // borrow errors point where they did.
    let run = quote_spanned! {item.block.span()=>
        if __traced_span.is_none() {
            #run_unlistened
        }
        #[allow(clippy::let_unit_value)]
        let __traced_ret = #krate::__private::in_span(&__traced_span, __traced_body);
        #outcome
        #finish
        __traced_ret
    };
    let new_body = match body_first {
        // The span's path out of line: the function a level nobody takes runs is the
        // level check and the body, with no frame set up for the rest.
        true => {
            let level_enabled = level_enabled(spec);
            let asked = asked_span(spec);
            quote_spanned! {item.block.span()=> {
                #closure
                if !#level_enabled {
                    // Nobody takes spans of this level: the cheapest way out.
                    return __traced_body();
                }
                #krate::__private::out_of_line(move || {
                    #asked
                    #run
                })
            }}
        }
        false => {
            let create = create();
            quote_spanned! {item.block.span()=> {
                #create
                #scope
                #bind
                #closure
                #run
            }}
        }
    };
    with_body(&item, new_body)
}

/// The function with its body replaced by `body` (a braced block), written out as tokens:
/// parsing the generated block back into syntax would only cost compile time.
fn with_body(item: &ItemFn, body: TokenStream) -> TokenStream {
    let ItemFn {
        attrs, vis, sig, ..
    } = item;
    let outer = attrs
        .iter()
        .filter(|attr| matches!(attr.style, syn::AttrStyle::Outer));
    let inner: Vec<_> = attrs
        .iter()
        .filter(|attr| matches!(attr.style, syn::AttrStyle::Inner(_)))
        .collect();
    if inner.is_empty() {
        return quote!(#(#outer)* #vis #sig #body);
    }
    // Inner attributes (`#![allow(..)]` at the top of the body) stay at the top of the body.
    let mut tokens = body.into_iter();
    let body = match (tokens.next(), tokens.next()) {
        (Some(proc_macro2::TokenTree::Group(group)), None) => {
            let stream = group.stream();
            let mut braced =
                proc_macro2::Group::new(proc_macro2::Delimiter::Brace, quote!(#(#inner)* #stream));
            braced.set_span(group.span());
            quote!(#braced)
        }
        _ => unreachable!("the generated body is one braced block"),
    };
    quote!(#(#outer)* #vis #sig #body)
}
