//! `record!(field = value)` in an annotated function's body: checked against the declared
//! fields at compile time, and rewritten to record on this function's span.

use darling::Error;
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, Macro, Stmt, Token};

use crate::attr::{FieldSpec, Sigil};
use crate::valid::{SpanSpec, did_you_mean};

/// The local through which rewritten `record!` calls reach the span.
pub(crate) const HANDLE: &str = "__traced_span_handle";

/// Whether `mac` is this crate's `record!`: `record!`, `traced::record!`, `::traced::record!`
/// or `<crate path>::record!`.
fn is_record(mac: &Macro, krate: &syn::Path) -> bool {
    let segments: Vec<String> = mac
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    if segments.last().map(String::as_str) != Some("record") {
        return false;
    }
    let prefix = &segments[..segments.len() - 1];
    let krate: Vec<String> = krate.segments.iter().map(|s| s.ident.to_string()).collect();
    prefix.is_empty() || prefix == ["traced"] || prefix == krate.as_slice()
}

struct Rewriter<'a> {
    spec: &'a SpanSpec,
    errors: &'a mut darling::error::Accumulator,
    found: bool,
}

impl Rewriter<'_> {
    fn rewrite(&mut self, mac: &Macro) -> TokenStream {
        self.found = true;
        let parsed = mac.parse_body_with(Punctuated::<FieldSpec, Token![,]>::parse_terminated);
        let specs = match parsed {
            Ok(specs) => specs,
            Err(error) => {
                self.errors.push(Error::from(error));
                return quote!(());
            }
        };
        let krate = &self.spec.krate;
        let handle = syn::Ident::new(HANDLE, Span::call_site());
        let mut calls = TokenStream::new();
        for spec in specs {
            let key = &spec.key.name;
            if !self.spec.fields.iter().any(|f| &f.key == key) {
                let hint = did_you_mean(key, self.spec.fields.iter().map(|f| f.key.as_str()));
                self.errors.push(
                    Error::custom(format!(
                        "`{}` declares no field `{key}`{hint}{}",
                        self.spec.attribute,
                        if hint.is_empty() {
                            format!("; declare it with `fields({key})`")
                        } else {
                            String::new()
                        }
                    ))
                    .with_span(&spec.key.span),
                );
                continue;
            }
            let Some((sigil, expr)) = spec.value else {
                self.errors.push(
                    Error::custom(format!(
                        "`record!` needs a value: write `record!({key} = ...)`"
                    ))
                    .with_span(&spec.key.span),
                );
                continue;
            };
            let span = expr.span();
            let value = match sigil {
                Sigil::Value => quote_spanned!(span=> #expr),
                Sigil::Display => {
                    quote_spanned!(span=> #krate::__private::tracing::field::display(#expr))
                }
                Sigil::Debug => {
                    quote_spanned!(span=> #krate::__private::tracing::field::debug(#expr))
                }
            };
            calls.extend(quote_spanned! {span=>
                #krate::__private::record(#handle, #key, #value);
            });
        }
        quote!({ #calls })
    }
}

impl VisitMut for Rewriter<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Expr::Macro(m) = expr
            && is_record(&m.mac, &self.spec.krate)
        {
            *expr = Expr::Verbatim(self.rewrite(&m.mac));
            return;
        }
        visit_mut::visit_expr_mut(self, expr);
    }

    fn visit_stmt_mut(&mut self, stmt: &mut Stmt) {
        if let Stmt::Macro(m) = stmt
            && is_record(&m.mac, &self.spec.krate)
        {
            let tokens = self.rewrite(&m.mac);
            *stmt = Stmt::Expr(Expr::Verbatim(tokens), None);
            return;
        }
        visit_mut::visit_stmt_mut(self, stmt);
    }

    // A nested function is another function: its `record!` calls are its own business.
    fn visit_item_mut(&mut self, _item: &mut syn::Item) {}
}

/// Rewrites the `record!` calls of `block`; returns whether there were any.
pub(crate) fn rewrite_records(
    block: &mut Block,
    spec: &SpanSpec,
    errors: &mut darling::error::Accumulator,
) -> bool {
    let mut rewriter = Rewriter {
        spec,
        errors,
        found: false,
    };
    rewriter.visit_block_mut(block);
    rewriter.found
}

/// Replaces every `record!` of `block` with `()`, for the item emitted beside an error: the
/// error already says what is wrong, and `record!`'s own "only in an annotated function"
/// error would only add noise.
pub(crate) fn neutralise_records(block: &mut Block, krate: &syn::Path) {
    struct Neutraliser<'a>(&'a syn::Path);
    impl VisitMut for Neutraliser<'_> {
        fn visit_expr_mut(&mut self, expr: &mut Expr) {
            if let Expr::Macro(m) = expr
                && is_record(&m.mac, self.0)
            {
                *expr = Expr::Verbatim(quote!(()));
                return;
            }
            visit_mut::visit_expr_mut(self, expr);
        }

        fn visit_stmt_mut(&mut self, stmt: &mut Stmt) {
            if let Stmt::Macro(m) = stmt
                && is_record(&m.mac, self.0)
            {
                *stmt = Stmt::Expr(Expr::Verbatim(quote!(();)), None);
                return;
            }
            visit_mut::visit_stmt_mut(self, stmt);
        }

        fn visit_item_mut(&mut self, _item: &mut syn::Item) {}
    }
    Neutraliser(krate).visit_block_mut(block);
}
