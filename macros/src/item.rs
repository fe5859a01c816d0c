//! Entry points: parse the arguments and the item, and on any error emit the errors together
//! with the untouched item, so that one mistake gives one message and the rest of the crate
//! (and rust-analyzer) keeps working.

use darling::ast::NestedMeta;
use darling::{Error, FromMeta};
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::ItemFn;
use syn::spanned::Spanned;

use crate::attr::{Kind, TracedArgs};
use crate::expand::expand;
use crate::record::{neutralise_records, rewrite_records};
use crate::valid::{SpanSpec, resolve, resolve_client, resolve_handler, resolve_query};

/// A function whose body is kept as tokens, unparsed: most bodies are only written out
/// again, and parsing every statement into syntax was a good part of what the attribute
/// cost a build.
struct OpaqueBodyFn(ItemFn);

impl syn::parse::Parse for OpaqueBodyFn {
    fn parse(input: syn::parse::ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(syn::Attribute::parse_outer)?;
        let vis: syn::Visibility = input.parse()?;
        let sig: syn::Signature = input.parse()?;
        let content;
        let brace_token = syn::braced!(content in input);
        let body: TokenStream = content.parse()?;
        let block = syn::Block {
            brace_token,
            stmts: vec![syn::Stmt::Expr(syn::Expr::Verbatim(body), None)],
        };
        Ok(OpaqueBodyFn(ItemFn {
            attrs,
            vis,
            modifiers: syn::FnModifiers::default(),
            sig,
            block: Box::new(block),
        }))
    }
}

/// Whether the function's body must be parsed into syntax: it may call `record!`, be an
/// async-trait `Box::pin(async move { .. })` body, start with inner attributes, or (for a
/// client) send requests that are rewritten. Decided on tokens, conservatively: any `record`
/// or `pin` identifier, at any depth.
fn body_needs_syntax(attribute: &str, item: &TokenStream) -> bool {
    use proc_macro2::TokenTree;
    fn mentions(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|tree| match tree {
            TokenTree::Ident(ident) => ident == "record" || ident == "pin",
            TokenTree::Group(group) => mentions(group.stream()),
            _ => false,
        })
    }
    if attribute == "#[traced_client]" {
        return true;
    }
    let Some(TokenTree::Group(body)) = item.clone().into_iter().last() else {
        return true;
    };
    if body.delimiter() != proc_macro2::Delimiter::Brace {
        return true;
    }
    let mut tokens = body.stream().into_iter();
    let inner_attribute = matches!(
        (tokens.next(), tokens.next()),
        (Some(TokenTree::Punct(hash)), Some(TokenTree::Punct(bang)))
            if hash.as_char() == '#' && bang.as_char() == '!'
    );
    inner_attribute || mentions(body.stream())
}

/// Parses the annotated item as a function with a body, or explains why it is not one.
fn parse_function(attribute: &str, item: &TokenStream) -> Result<ItemFn, Error> {
    let parsed = match body_needs_syntax(attribute, item) {
        true => syn::parse2::<ItemFn>(item.clone()),
        false => syn::parse2::<OpaqueBodyFn>(item.clone()).map(|function| function.0),
    };
    match parsed {
        Ok(function) => {
            if let Some(constness) = &function.sig.constness {
                return Err(Error::custom(format!(
                    "`{attribute}` cannot trace a `const fn`: a span cannot be created at \
                     compile time; remove `const` or the attribute"
                ))
                .with_span(constness));
            }
            if let Some(abi) = &function.sig.abi {
                return Err(Error::custom(format!(
                    "`{attribute}` cannot trace an `extern` function; put it on a Rust \
                     function that this one calls"
                ))
                .with_span(abi));
            }
            if let Some(variadic) = &function.sig.variadic {
                return Err(Error::custom(format!(
                    "`{attribute}` cannot trace a variadic function"
                ))
                .with_span(variadic));
            }
            Ok(function)
        }
        Err(_) => {
            if let Ok(declaration) = syn::parse2::<syn::TraitItemFn>(item.clone()) {
                return Err(Error::custom(format!(
                    "`{attribute}` needs a function body: put it on the implementation of \
                     `{}`, not on its declaration",
                    declaration.sig.ident
                ))
                .with_span(&declaration.sig.ident));
            }
            let span = match syn::parse2::<syn::Item>(item.clone()) {
                Ok(other) => item_keyword_span(&other),
                Err(_) => item.span(),
            };
            Err(
                Error::custom(format!("`{attribute}` can only be put on functions"))
                    .with_span(&span),
            )
        }
    }
}

/// The span of the keyword that says what an item is (`struct`, `impl`, ...), the token an
/// error about the item's kind should point at.
fn item_keyword_span(item: &syn::Item) -> proc_macro2::Span {
    use syn::Item;
    match item {
        Item::Struct(i) => i.struct_token.span,
        Item::Enum(i) => i.enum_token.span,
        Item::Impl(i) => i.impl_token.span,
        Item::Trait(i) => i.trait_token.span,
        Item::Mod(i) => i.mod_token.span,
        Item::Const(i) => i.const_token.span,
        Item::Static(i) => i.static_token.span,
        Item::Type(i) => i.type_token.span,
        Item::Use(i) => i.use_token.span,
        Item::Union(i) => i.union_token.span,
        other => other.span(),
    }
}

/// `#[traced(...)]`.
pub(crate) fn traced(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute(
        "#[traced]",
        args,
        item,
        |attribute, args: TracedArgs, function, errors| {
            let kind = args.kind.map_or(Kind::Internal, |k| k.0);
            resolve(attribute, args.common, kind, function, errors)
        },
    )
}

/// `#[traced_handler(...)]`.
pub(crate) fn traced_handler(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute("#[traced_handler]", args, item, resolve_handler)
}

/// `#[traced_client(...)]`.
pub(crate) fn traced_client(args: TokenStream, item: TokenStream) -> TokenStream {
    attribute("#[traced_client]", args, item, resolve_client)
}

/// `#[traced_query(...)]`: a string literal first is the SQL.
pub(crate) fn traced_query(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut metas = match NestedMeta::parse_meta_list(args) {
        Ok(metas) => metas,
        Err(error) => {
            return with_errors_only(Error::from(error), neutralised(item));
        }
    };
    let sql = match metas.first() {
        Some(NestedMeta::Lit(syn::Lit::Str(sql))) => {
            let sql = sql.clone();
            metas.remove(0);
            Some(sql)
        }
        Some(NestedMeta::Lit(other)) => {
            let error = Error::custom(
                "the SQL of `#[traced_query]` is a string literal (\"SELECT ...\"), or a \
                 constant given with `query = NAME`",
            )
            .with_span(other);
            return with_errors_only(error, neutralised(item));
        }
        _ => None,
    };
    let rest = quote!(#(#metas),*);
    attribute(
        "#[traced_query]",
        rest,
        item,
        move |attribute, args, function, errors| {
            resolve_query(attribute, sql, args, function, errors)
        },
    )
}

/// The one pipeline of every attribute: parse the arguments and the function, resolve them
/// into a [`SpanSpec`], rewrite `record!`, expand; on any error, the errors and the
/// untouched item.
fn attribute<A: FromMeta>(
    attribute: &'static str,
    args: TokenStream,
    item: TokenStream,
    resolve: impl FnOnce(&'static str, A, &ItemFn, &mut darling::error::Accumulator) -> SpanSpec,
) -> TokenStream {
    let mut errors = Error::accumulator();
    let parsed = errors.handle(
        NestedMeta::parse_meta_list(args)
            .map_err(Error::from)
            .and_then(|metas| A::from_list(&metas)),
    );
    let function = errors.handle(parse_function(attribute, &item));
    let (Some(args), Some(mut function)) = (parsed, function) else {
        return with_errors(errors, neutralised(item));
    };
    let spec = resolve(attribute, args, &function, &mut errors);
    let records = rewrite_records(&mut function.block, &spec, &mut errors);
    if spec.client.is_some() {
        crate::sends::rewrite_sends(&mut function.block, &spec.krate);
    }
    if let Err(error) = errors.finish() {
        // The function as written (parsed again: errors are rare, a copy of every
        // function would cost every build), with its `record!` calls neutralised.
        let mut untouched = parse_function(attribute, &item).expect("it parsed above");
        neutralise_records(&mut untouched.block, &spec.krate);
        return with_errors_only(error, untouched.into_token_stream());
    }
    expand(&spec, function, records)
}

/// The item with its `record!` calls replaced by `()`, when it is a function.
fn neutralised(item: TokenStream) -> TokenStream {
    match syn::parse2::<ItemFn>(item.clone()) {
        Ok(mut function) => {
            neutralise_records(&mut function.block, &syn::parse_quote!(::traced));
            function.into_token_stream()
        }
        Err(_) => item,
    }
}

fn with_errors(errors: darling::error::Accumulator, item: TokenStream) -> TokenStream {
    match errors.finish() {
        Err(error) => with_errors_only(error, item),
        Ok(()) => item,
    }
}

fn with_errors_only(error: Error, item: TokenStream) -> TokenStream {
    let errors = error.write_errors();
    let item = item.into_token_stream();
    quote!(#errors #item)
}
