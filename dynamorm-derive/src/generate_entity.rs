//! Generate, for single-table design: the `DynaTable` impl of a shared
//! table, and the parts of an entity's `DynaModel` impl that differ from a
//! model with its own table (its `TableDef` taken from the shared table, its
//! `EntityDef`, and a key built from templates).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use crate::ir::{
    Billing, Entity, Field, KeyTemplates, Model, Projection, Rendering, Scalar, SharedIndex,
    SharedTable, StreamView, Template, TemplatePart,
};

/// `impl DynaTable` and `impl TableSource` for a shared table, and its
/// `table(&db)` function.
pub fn shared_table(t: &SharedTable) -> TokenStream {
    let ident = t.ident;
    let model = ident.to_string();
    let name = &t.name;
    let hash = key_def(&t.hash_key);
    let range = option(t.range_key.as_ref().map(key_def));
    let billing = match t.billing {
        Billing::OnDemand => quote!(::dynamorm::schema::Billing::OnDemand),
        Billing::Provisioned { read, write } => {
            quote!(::dynamorm::schema::Billing::Provisioned { read: #read, write: #write })
        }
    };
    let stream = option(t.stream.map(|view| {
        let view = match view {
            StreamView::KeysOnly => quote!(KeysOnly),
            StreamView::NewImage => quote!(NewImage),
            StreamView::OldImage => quote!(OldImage),
            StreamView::NewAndOldImages => quote!(NewAndOldImages),
        };
        quote!(::dynamorm::schema::StreamView::#view)
    }));
    let indexes = t.indexes.iter().map(index_def);
    let ttl = option(t.ttl.as_ref().map(|t| quote!(#t)));
    let entity_attribute = &t.entity_attribute;
    quote! {
        #[automatically_derived]
        impl ::dynamorm::model::DynaTable for #ident {
            const TABLE: ::dynamorm::schema::TableDef = ::dynamorm::schema::TableDef {
                model: #model,
                name: #name,
                hash_key: #hash,
                range_key: #range,
                billing: #billing,
                stream: #stream,
                fields: &[],
                indexes: &[#(#indexes),*],
                groups: &[],
                validates: false,
                version: ::core::option::Option::None,
                ttl: #ttl,
                created_at: ::core::option::Option::None,
                updated_at: ::core::option::Option::None,
                entity: ::core::option::Option::None,
            };
            const ENTITY_ATTRIBUTE: &'static str = #entity_attribute;
        }

        #[automatically_derived]
        impl ::dynamorm::model::TableSource for #ident {
            fn table_def() -> &'static ::dynamorm::schema::TableDef {
                static DEF: ::dynamorm::schema::TableDef =
                    <#ident as ::dynamorm::model::DynaTable>::TABLE;
                &DEF
            }
        }

        #[automatically_derived]
        impl #ident {
            /// The shared table's handle: create, check, describe, update, delete.
            pub fn table(db: &::dynamorm::Db) -> ::dynamorm::ops::table::TableHandle<'_, #ident> {
                ::dynamorm::ops::table::TableHandle::new(db)
            }
        }
    }
}

fn key_def((name, scalar): &(String, Scalar)) -> TokenStream {
    let scalar = match scalar {
        Scalar::S => quote!(S),
        Scalar::N => quote!(N),
        Scalar::B => quote!(B),
    };
    quote!(::dynamorm::schema::KeyDef { name: #name, scalar: ::dynamorm::schema::ScalarType::#scalar })
}

fn index_def(index: &SharedIndex) -> TokenStream {
    let name = &index.name;
    let global = index.global;
    let hash = key_def(&index.hash_key);
    let range = option(index.range_key.as_ref().map(key_def));
    let projection = match &index.projection {
        Projection::All => quote!(::dynamorm::schema::ProjectionDef::All),
        Projection::KeysOnly => quote!(::dynamorm::schema::ProjectionDef::KeysOnly),
        Projection::Include(names) => {
            quote!(::dynamorm::schema::ProjectionDef::Include(&[#(#names),*]))
        }
    };
    let throughput = option(index.throughput.map(|(r, w)| quote!((#r, #w))));
    quote! {
        ::dynamorm::schema::IndexDef {
            name: #name,
            global: #global,
            hash_key: #hash,
            range_key: #range,
            projection: #projection,
            throughput: #throughput,
        }
    }
}

fn option(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

/// The shared table's `TableDef`, as a path expression.
fn shared(e: &Entity) -> TokenStream {
    let table = &e.table;
    quote!(<#table as ::dynamorm::model::DynaTable>::TABLE)
}

/// The entity's `TableDef` fields that come from the shared table, and its
/// `EntityDef` static, for `table_def()`.
pub fn entity_def(m: &Model, e: &Entity) -> (TokenStream, TokenStream) {
    let table = &e.table;
    let shared = shared(e);
    let name = &e.name;
    let aliases = &e.aliases;
    let (hash, range, checks) = match &e.key {
        Some(key) => {
            let hash_attr = quote!(#shared.hash_key.name);
            let hash = template(m, &key.hash, hash_attr);
            let (range, check) = match &key.range {
                Some(range) => {
                    let attr = quote!(::dynamorm::__private::range_attribute(#shared.range_key));
                    (option(Some(template(m, range, attr))), quote!())
                }
                None => (
                    option(None),
                    quote_spanned!(key.hash.span=> const _: () = ::dynamorm::__private::no_range_key(#shared.range_key);),
                ),
            };
            (option(Some(hash)), range, check)
        }
        None => {
            let hash = &m.fields[m.hash].attr;
            let range = option(m.range.map(|r| {
                let attr = &m.fields[r].attr;
                quote!(#attr)
            }));
            (
                option(None),
                option(None),
                quote!(const _: () = ::dynamorm::__private::plain_keys_match(&#shared, #hash, #range);),
            )
        }
    };
    let ttl_check = m.roles.ttl.map(|field| {
        let field = &m.fields[field];
        let attr = &field.attr;
        quote_spanned!(field.ident.span()=> const _: () = ::dynamorm::__private::ttl_matches(&#shared, #attr);)
    });
    let checks = quote!(#checks #ttl_check);
    let index_keys = e.index_keys.iter().map(|i| {
        let index = &i.index;
        let found = quote_spanned!(i.index_span=> ::dynamorm::__private::index_named(#shared.indexes, #index));
        let hash = template(m, &i.hash, quote!(#found.hash_key.name));
        let range = option(i.range.as_ref().map(|r| {
            template(
                m,
                r,
                quote!(::dynamorm::__private::range_attribute(#found.range_key)),
            )
        }));
        quote! {
            ::dynamorm::schema::IndexKeyTemplates { index: #index, hash: #hash, range: #range }
        }
    });
    let tag_checks = e.index_keys.iter().map(|i| {
        let index = &i.index;
        quote_spanned! {i.index_span=>
            const _: () = ::dynamorm::__private::index_keyed_apart_from_tag(
                #shared.indexes,
                #index,
                <#table as ::dynamorm::model::DynaTable>::ENTITY_ATTRIBUTE,
            );
        }
    });
    let checks = quote!(#checks #(#tag_checks)*);
    let statics = quote! {
        #checks
        static ENTITY: ::dynamorm::schema::EntityDef = ::dynamorm::schema::EntityDef {
            name: #name,
            aliases: &[#(#aliases),*],
            tag_attribute: <#table as ::dynamorm::model::DynaTable>::ENTITY_ATTRIBUTE,
            hash: #hash,
            range: #range,
            index_keys: &[#(#index_keys),*],
        };
    };
    let from_shared = quote! {
        name: #shared.name,
        hash_key: #shared.hash_key,
        range_key: #shared.range_key,
        billing: #shared.billing,
        stream: #shared.stream,
        indexes: #shared.indexes,
    };
    (statics, from_shared)
}

fn template(m: &Model, t: &Template, attribute: TokenStream) -> TokenStream {
    let text = &t.text;
    let parts = t.parts.iter().map(|p| match p {
        TemplatePart::Text(text) => quote!(::dynamorm::schema::TemplatePart::Text(#text)),
        TemplatePart::Field { field, rendering } => {
            let attribute = &m.fields[*field].attr;
            let rendering = match rendering {
                Rendering::Plain => quote!(Plain),
                Rendering::Time => quote!(Time),
                Rendering::ZeroPadded(n) => quote!(ZeroPadded(#n)),
            };
            quote! {
                ::dynamorm::schema::TemplatePart::Field {
                    attribute: #attribute,
                    rendering: ::dynamorm::schema::Rendering::#rendering,
                }
            }
        }
    });
    quote! {
        ::dynamorm::schema::KeyTemplate { attribute: #attribute, text: #text, parts: &[#(#parts),*] }
    }
}

/// An entity keyed by templates: `(Key, HashKey, key(), key_item(), hash_key_value())`.
pub fn template_key(
    m: &Model,
    key: &KeyTemplates,
) -> (
    TokenStream,
    TokenStream,
    TokenStream,
    TokenStream,
    TokenStream,
) {
    let fields: Vec<&Field> = key.key_fields.iter().map(|&i| &m.fields[i]).collect();
    let hash = &m.fields[m.hash];
    let hash_ty = hash.ty;
    let part = |f: &Field| {
        let ty = f.ty;
        quote!(<#ty as ::dynamorm::model::KeyPart>)
    };
    let (key_ty, key_fn, values) = match fields.as_slice() {
        [only] => {
            let ty = only.ty;
            let ident = only.ident;
            let attr = &only.attr;
            let part = part(only);
            (
                quote!(#ty),
                quote!(::core::clone::Clone::clone(&self.#ident)),
                quote!([(#attr, #part::to_attr(key))]),
            )
        }
        many => {
            let tys = many.iter().map(|f| f.ty);
            let idents = many.iter().map(|f| f.ident);
            let values = many.iter().enumerate().map(|(i, f)| {
                let attr = &f.attr;
                let part = part(f);
                let i = syn::Index::from(i);
                quote!((#attr, #part::to_attr(&key.#i)))
            });
            (
                quote!((#(#tys),*)),
                quote!((#(::core::clone::Clone::clone(&self.#idents)),*)),
                quote!([#(#values),*]),
            )
        }
    };
    let hash_part = part(hash);
    (
        key_ty,
        quote!(#hash_ty),
        key_fn,
        quote!(::dynamorm::__private::entity_key_item(
            <Self as ::dynamorm::DynaModel>::table_def(),
            &#values,
        )),
        quote! {
            fn hash_key_value(hash: &Self::HashKey) -> ::dynamorm::AttributeValue {
                ::dynamorm::__private::entity_hash_value(
                    <Self as ::dynamorm::DynaModel>::table_def(),
                    #hash_part::to_attr(hash),
                )
            }
        },
    )
}

/// One handle per index key template with a one-field hash template:
/// `User::GSI1.query(&db, email)`.
pub fn index_handles(m: &Model, e: &Entity) -> TokenStream {
    let model = m.ident;
    let handles = e.index_keys.iter().filter_map(|i| {
        let handle = i.handle.as_ref()?;
        let field = &m.fields[i.hash.fields().next()?];
        let ty = field.ty;
        let name = &i.index;
        let doc = format!("The index `{name}`, keyed by `{}`: query or scan it.", i.hash.text);
        Some(quote! {
            #[doc = #doc]
            pub const #handle: ::dynamorm::Index<#model, <#ty as ::dynamorm::model::IndexKey>::Value> =
                ::dynamorm::Index::new(#name);
        })
    });
    quote!(#(#handles)*)
}

/// The number naming a key in `dynamorm::__private::Member`: 0 for the
/// table's key, the index name's FNV-1a hash (never 0) for an index key, as
/// `dynamorm::__private::key_id` computes it.
pub fn key_id(index: Option<&str>) -> u64 {
    let Some(name) = index else {
        return 0;
    };
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in name.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    if hash == 0 {
        1
    } else {
        hash
    }
}

/// A template with every placeholder written `{}`: what collection members
/// must share.
fn shape(t: &Template) -> String {
    t.parts
        .iter()
        .map(|p| match p {
            TemplatePart::Text(text) => text.clone(),
            TemplatePart::Field { .. } => "{}".to_owned(),
        })
        .collect()
}

/// `impl Member<KEY>` for the table key and each index key whose hash
/// template has one field: what a collection of this entity reads by.
pub fn members(m: &Model, e: &Entity) -> TokenStream {
    let model = m.ident;
    let table = &e.table;
    let table_shape = e
        .key
        .as_ref()
        .map_or_else(|| "{}".to_owned(), |k| shape(&k.hash));
    let table_member = quote! {
        #[automatically_derived]
        impl ::dynamorm::__private::Member<0u64> for #model {
            type Table = #table;
            type Hash = <Self as ::dynamorm::DynaModel>::HashKey;
            const SHAPE: &'static str = #table_shape;
            fn hash_value(hash: &Self::Hash) -> ::dynamorm::AttributeValue {
                <Self as ::dynamorm::DynaModel>::hash_key_value(hash)
            }
        }
    };
    let index_members = e.index_keys.iter().filter_map(|i| {
        let mut fields = i.hash.fields();
        let (Some(field), None) = (fields.next(), fields.next()) else {
            return None;
        };
        let ty = m.fields[field].ty;
        let id = key_id(Some(&i.index));
        let name = &i.index;
        let index_shape = shape(&i.hash);
        Some(quote! {
            #[automatically_derived]
            impl ::dynamorm::__private::Member<#id> for #model {
                type Table = #table;
                type Hash = <#ty as ::dynamorm::model::IndexKey>::Value;
                const SHAPE: &'static str = #index_shape;
                fn hash_value(hash: &Self::Hash) -> ::dynamorm::AttributeValue {
                    ::dynamorm::__private::entity_index_hash_value(
                        <Self as ::dynamorm::DynaModel>::table_def(),
                        #name,
                        <Self::Hash as ::dynamorm::model::KeyPart>::to_attr(hash),
                    )
                }
            }
        })
    });
    quote! {
        #table_member
        #(#index_members)*
    }
}
