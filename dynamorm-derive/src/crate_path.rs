//! `#[dynamo(crate = "path")]`: generated code names dynamorm as `::dynamorm`;
//! for a crate that re-exports dynamorm under another path, every such
//! path's root is replaced by the one given (as serde's `crate = "..."`).

use proc_macro2::{Group, TokenStream, TokenTree};
use quote::ToTokens;

/// `tokens` with each `::dynamorm` path root replaced by `krate`, when one
/// is given.
pub fn at(tokens: TokenStream, krate: Option<&syn::Path>) -> TokenStream {
    match krate {
        Some(krate) => rewrite(tokens, &krate.to_token_stream()),
        None => tokens,
    }
}

fn rewrite(tokens: TokenStream, krate: &TokenStream) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if is_dynamorm_root(&tokens[i..]) {
            out.extend(krate.clone());
            i += 3;
            continue;
        }
        match &tokens[i] {
            TokenTree::Group(group) => {
                let mut inner = Group::new(group.delimiter(), rewrite(group.stream(), krate));
                inner.set_span(group.span());
                out.push(TokenTree::Group(inner));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out.into_iter().collect()
}

/// True when `tokens` start with `::dynamorm` (two `:` and the ident).
fn is_dynamorm_root(tokens: &[TokenTree]) -> bool {
    matches!(
        tokens,
        [TokenTree::Punct(a), TokenTree::Punct(b), TokenTree::Ident(name), ..]
            if a.as_char() == ':' && b.as_char() == ':' && name == "dynamorm"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dynamorm_root_is_replaced_at_any_depth() {
        let tokens: TokenStream =
            "impl ::dynamorm::DynaModel for T { fn f() -> ::dynamorm::Item { ::dynamorm::x::y() } }"
                .parse()
                .unwrap();
        let krate: syn::Path = syn::parse_str("my_app::db").unwrap();
        let out = at(tokens, Some(&krate)).to_string();
        assert!(!out.contains("dynamorm"), "{out}");
        assert_eq!(out.matches("my_app :: db").count(), 3, "{out}");
    }

    #[test]
    fn without_a_path_nothing_changes() {
        let tokens: TokenStream = "::dynamorm::Item".parse().unwrap();
        assert_eq!(at(tokens.clone(), None).to_string(), tokens.to_string());
    }
}
