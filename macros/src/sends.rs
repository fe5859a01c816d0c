//! The sends of reqwest in a `#[traced_client]` body: each `.send()` without arguments and
//! each `.execute(request)` becomes a call that traces the request when it is a reqwest one
//! (decided by the receiver's or the argument's type, not by names) and is the call as
//! written otherwise.

use proc_macro2::Span;
use quote::quote_spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, Ident, Item};

/// The local through which rewritten sends reach the call's `ClientScope`.
pub(crate) const SCOPE: &str = "__traced_client";

struct Sends<'a> {
    krate: &'a syn::Path,
}

impl VisitMut for Sends<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        visit_mut::visit_expr_mut(self, expr);
        let Expr::MethodCall(call) = expr else {
            return;
        };
        if call.turbofish.is_some() {
            return;
        }
        let krate = self.krate;
        let scope = Ident::new(SCOPE, Span::call_site());
        let receiver = &call.receiver;
        let method = &call.method;
        let span = method.span();
        if method == "send" && call.args.is_empty() {
            *expr = Expr::Verbatim(quote_spanned! {span=> {
                #[allow(unused_imports)]
                use #krate::__private::http::NoSend as _;
                #krate::__private::http::SendProbe(#receiver)
                    .traced_send(#scope, |__traced_request| __traced_request.#method())
            }});
        } else if method == "execute" && call.args.len() == 1 {
            let arg = &call.args[0];
            *expr = Expr::Verbatim(quote_spanned! {span=> {
                #[allow(unused_imports)]
                use #krate::__private::http::NoExecute as _;
                let mut __traced_argument = #arg;
                let __traced_guard = #krate::__private::http::ExecuteProbe(&mut __traced_argument)
                    .traced_prepare(#scope);
                __traced_guard.wrap(#receiver.#method(__traced_argument))
            }});
        }
    }

    // A nested function is not part of this call.
    fn visit_item_mut(&mut self, _item: &mut Item) {}
}

/// Rewrites the sends of `block` (closures and async blocks included, nested items not).
pub(crate) fn rewrite_sends(block: &mut Block, krate: &syn::Path) {
    Sends { krate }.visit_block_mut(block);
}
