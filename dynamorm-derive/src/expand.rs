//! Writes the `DynaModel` impl, the attribute handles and the model functions.

use darling::{Error, FromDeriveInput};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident, Type};

use crate::options::{FieldOptions, ModelOptions};
use crate::serde_attrs;
use crate::shape;

/// One serialized field, as the expansion needs it.
struct Field<'a> {
    ident: &'a Ident,
    ty: &'a Type,
    /// The attribute name in the table.
    name: String,
    shape: TokenStream,
    kind: &'static str,
    optional: bool,
}

struct Key<'a> {
    ty: &'a Type,
    name: String,
}

pub fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let options = ModelOptions::from_derive_input(input)?;
    let mut errors = Error::accumulator();
    // Errors about a whole type (`Vec<String>`): a darling error holds one span,
    // which on stable covers only the type's first token, so these are kept as
    // syn errors, which underline every token of the type.
    let mut type_errors: Vec<syn::Error> = Vec::new();

    if let Some(param) = options.generics.params.first() {
        errors.push(Error::custom("DynaModel does not support generic models").with_span(param));
    }
    let container = errors
        .handle(serde_attrs::container(&options.attrs).map_err(Error::from))
        .unwrap_or_default();

    let fields_opts: Vec<&FieldOptions> = match &options.data {
        darling::ast::Data::Struct(fields) => fields.iter().collect(),
        darling::ast::Data::Enum(_) => Vec::new(),
    };

    let mut fields = Vec::new();
    let mut hash: Option<Key> = None;
    let mut range: Option<Key> = None;
    for f in &fields_opts {
        let Some(ident) = f.ident.as_ref() else {
            continue;
        };
        let Some(serde) = errors.handle(serde_attrs::field(&f.attrs).map_err(Error::from)) else {
            continue;
        };
        let rust_name = ident.to_string().trim_start_matches("r#").to_owned();
        let name = match (&serde.rename, &container.rename_all) {
            (Some(rename), _) => rename.clone(),
            (None, Some(rule)) => errors
                .handle(serde_attrs::apply_rename_all(rule, &rust_name).map_err(Error::from))
                .unwrap_or_else(|| rust_name.clone()),
            (None, None) => rust_name.clone(),
        };
        let is_key = f.hash_key.is_present() || f.range_key.is_present();
        if let Some(span) = serde.flatten {
            errors.push(
                Error::custom("DynaModel cannot map #[serde(flatten)] fields to attributes; declare the fields on the model")
                    .with_span(&span),
            );
            continue;
        }
        if serde.skip {
            if is_key {
                errors
                    .push(Error::custom("a key field cannot be skipped by serde").with_span(ident));
            }
            continue;
        }
        if f.hash_key.is_present() && f.range_key.is_present() {
            errors.push(
                Error::custom("a field cannot be both the hash key and the range key")
                    .with_span(&f.range_key.span()),
            );
        }
        if is_key && serde.custom_codec {
            type_errors.push(syn::Error::new_spanned(
                &f.ty,
                format!(
                    "key field `{rust_name}` cannot use #[serde(with/serialize_with)]: keys are encoded with its KeyPart impl, and the two encodings must match; implement KeyPart for a newtype instead"
                ),
            ));
        }
        if is_key {
            if let Some(why) = shape::not_a_key(&f.ty) {
                type_errors.push(syn::Error::new_spanned(
                    &f.ty,
                    format!(
                        "key field `{rust_name}` must be a string, number or binary (Vec<u8>) scalar, but its type is {why}"
                    ),
                ));
            }
        }
        if f.hash_key.is_present() {
            if hash.is_some() {
                errors.push(
                    Error::custom("the hash key is already declared on another field; a model has exactly one hash key")
                        .with_span(&f.hash_key.span()),
                );
            } else {
                hash = Some(Key {
                    ty: &f.ty,
                    name: name.clone(),
                });
            }
        }
        if f.range_key.is_present() && !f.hash_key.is_present() {
            if range.is_some() {
                errors.push(
                    Error::custom("the range key is already declared on another field; a model has at most one range key")
                        .with_span(&f.range_key.span()),
                );
            } else {
                range = Some(Key {
                    ty: &f.ty,
                    name: name.clone(),
                });
            }
        }
        let optional_inner = shape::option_inner(&f.ty);
        let value_ty = optional_inner.unwrap_or(&f.ty);
        if f.bytes.is_present() && f.set.is_present() {
            errors.push(
                Error::custom("a field is stored either as bytes or as a set, not both")
                    .with_span(&f.set.span()),
            );
        }
        let shape = if serde.custom_codec {
            quote!(Plain)
        } else if f.bytes.is_present() {
            quote!(Bytes)
        } else if f.set.is_present() {
            quote!(Set)
        } else if shape::is_bytes(value_ty) {
            quote!(Bytes)
        } else {
            match shape::set_of_bytes(value_ty) {
                Some(true) => quote!(ByteSet),
                Some(false) => quote!(Set),
                None => quote!(Plain),
            }
        };
        fields.push(Field {
            ident,
            ty: &f.ty,
            name,
            shape,
            kind: shape::value_kind(&f.ty),
            optional: optional_inner.is_some(),
        });
    }

    if hash.is_none() {
        errors.push(
            Error::custom("missing hash key: mark one field with #[dynamo(hash_key)]")
                .with_span(&options.ident),
        );
    }

    match &options.table {
        None => errors.push(
            Error::custom("missing table name: add #[dynamo(table = \"...\")] to the struct")
                .with_span(&options.ident),
        ),
        Some(table) => {
            let valid = !table.is_empty()
                && table.len() <= 255
                && table
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
            if !valid {
                errors.push(
                    Error::custom(format!(
                        "invalid table name {:?}: DynamoDB table names are 1 to 255 characters of a-z, A-Z, 0-9, `_`, `-` and `.`",
                        table.as_str()
                    ))
                    .with_span(&table.span()),
                );
            }
        }
    }

    let known: Vec<crate::index::KnownField> = fields
        .iter()
        .map(|f| crate::index::KnownField {
            ident: f.ident,
            ty: f.ty,
            name: &f.name,
        })
        .collect();
    let table_hash = hash
        .as_ref()
        .and_then(|h| known.iter().find(|f| f.name == h.name));
    let indexes = crate::index::expand(
        &options.ident,
        &options.global_indexes,
        &options.local_indexes,
        &known,
        table_hash,
        range.is_some(),
        &mut errors,
    );

    let billing = billing(&options, &mut errors);
    let stream = stream(&options, &mut errors);
    let validate = validate(&options, &mut errors);
    if let Err(err) = errors.finish() {
        type_errors.insert(0, err.into());
    }
    if let Some(all) = type_errors.into_iter().reduce(|mut all, err| {
        all.combine(err);
        all
    }) {
        return Err(all);
    }

    let Some(hash) = hash else {
        return Err(syn::Error::new_spanned(&options.ident, "missing hash key"));
    };
    let table = TableParts {
        billing,
        stream,
        validate,
        indexes,
    };
    Ok(generate(&options, &fields, &hash, range.as_ref(), table))
}

fn billing(options: &ModelOptions, errors: &mut darling::error::Accumulator) -> TokenStream {
    let mode = options
        .billing
        .as_ref()
        .map(|b| (b.as_str().to_owned(), b.span()));
    match mode.as_ref().map(|(m, s)| (m.as_str(), *s)) {
        Some(("on_demand", span)) => {
            if options.read.is_some() || options.write.is_some() {
                errors.push(
                    Error::custom("billing = \"on_demand\" takes no read/write capacity")
                        .with_span(&span),
                );
            }
            quote!(::dynamorm::model::Billing::OnDemand)
        }
        None | Some(("provisioned", _)) => {
            let read = options.read.as_ref().map_or(1, |r| **r);
            let write = options.write.as_ref().map_or(1, |w| **w);
            for (value, name) in [(&options.read, "read"), (&options.write, "write")] {
                if let Some(v) = value {
                    if **v < 1 {
                        errors.push(
                            Error::custom(format!("{name} capacity must be at least 1"))
                                .with_span(&v.span()),
                        );
                    }
                }
            }
            quote!(::dynamorm::model::Billing::Provisioned { read: #read, write: #write })
        }
        Some((other, span)) => {
            errors.push(
                Error::custom(format!(
                    "unknown billing `{other}`: expected \"on_demand\" or \"provisioned\""
                ))
                .with_span(&span),
            );
            quote!(::dynamorm::model::Billing::OnDemand)
        }
    }
}

fn stream(options: &ModelOptions, errors: &mut darling::error::Accumulator) -> TokenStream {
    let Some(stream) = &options.stream else {
        return quote!(::core::option::Option::None);
    };
    let view = match stream.as_str() {
        "keys_only" => quote!(KeysOnly),
        "new_image" => quote!(NewImage),
        "old_image" => quote!(OldImage),
        "new_and_old_images" => quote!(NewAndOldImages),
        other => {
            errors.push(
                Error::custom(format!(
                    "unknown stream `{other}`: expected \"keys_only\", \"new_image\", \"old_image\" or \"new_and_old_images\""
                ))
                .with_span(&stream.span()),
            );
            return quote!(::core::option::Option::None);
        }
    };
    quote!(::core::option::Option::Some(::dynamorm::model::StreamView::#view))
}

fn validate(options: &ModelOptions, errors: &mut darling::error::Accumulator) -> TokenStream {
    let Some(kind) = &options.validate else {
        return quote!(::core::result::Result::Ok(()));
    };
    let span = kind.span();
    match kind.as_str() {
        "validator" => quote_spanned!(span=> ::dynamorm::validate::run_validator(self)),
        "garde" => quote_spanned!(span=> ::dynamorm::validate::run_garde(self)),
        "custom" => quote_spanned!(span=> ::dynamorm::validate::run_custom(Self::validate(self))),
        other => {
            errors.push(
                Error::custom(format!(
                    "unknown validate `{other}`: expected \"validator\", \"garde\" or \"custom\""
                ))
                .with_span(&span),
            );
            quote!(::core::result::Result::Ok(()))
        }
    }
}

/// The handle const name of a field: `name` -> `NAME`, `r#type` -> `TYPE`.
pub(crate) fn screaming(ident: &Ident) -> Ident {
    let name = ident.to_string();
    let name = name.trim_start_matches("r#");
    Ident::new(&name.to_ascii_uppercase(), ident.span())
}

/// The table-level pieces of the expansion.
struct TableParts {
    billing: TokenStream,
    stream: TokenStream,
    validate: TokenStream,
    indexes: crate::index::Expanded,
}

fn generate(
    options: &ModelOptions,
    fields: &[Field],
    hash: &Key,
    range: Option<&Key>,
    table_parts: TableParts,
) -> TokenStream {
    let TableParts {
        billing,
        stream,
        validate,
        indexes,
    } = table_parts;
    let index_defs = &indexes.defs;
    let index_handles = &indexes.handles;
    let model = &options.ident;
    let model_name = model.to_string();
    // Present: `expand` reports a missing table before generating.
    let table = options.table.as_ref().map_or("", |t| t.as_str());

    let key_part = |ty: &Type| quote_spanned!(ty.span()=> <#ty as ::dynamorm::model::KeyPart>);
    let key_def = |key: &Key| {
        let name = &key.name;
        let part = key_part(key.ty);
        quote!(::dynamorm::model::KeyDef { name: #name, scalar: #part::SCALAR })
    };
    let hash_def = key_def(hash);
    let range_def = match range {
        Some(range) => {
            let def = key_def(range);
            quote!(::core::option::Option::Some(#def))
        }
        None => quote!(::core::option::Option::None),
    };

    let field_defs = fields.iter().map(|f| {
        let name = &f.name;
        let rust_name = f.ident.to_string();
        let rust_name = rust_name.trim_start_matches("r#");
        let shape = &f.shape;
        let kind = format_ident!("{}", f.kind);
        let optional = f.optional;
        quote! {
            ::dynamorm::model::FieldDef {
                name: #name,
                rust_name: #rust_name,
                shape: ::dynamorm::model::FieldShape::#shape,
                kind: ::dynamorm::model::ValueKind::#kind,
                optional: #optional,
            }
        }
    });

    let hash_ident = fields
        .iter()
        .find(|f| f.name == hash.name)
        .map(|f| f.ident.clone())
        .unwrap_or_else(|| Ident::new("id", Span::call_site()));
    let hash_ty = hash.ty;
    let hash_part = key_part(hash.ty);
    let (key_ty, key_fn, key_item_fn) = match range {
        None => (
            quote!(#hash_ty),
            quote!(::core::clone::Clone::clone(&self.#hash_ident)),
            quote!(::dynamorm::model::hash_key_item(
                &<Self as ::dynamorm::DynaModel>::table_def().hash_key,
                #hash_part::to_attr(key),
            )),
        ),
        Some(range) => {
            let range_ty = range.ty;
            let range_part = key_part(range.ty);
            let range_ident = fields
                .iter()
                .find(|f| f.name == range.name)
                .map(|f| f.ident.clone())
                .unwrap_or_else(|| Ident::new("id", Span::call_site()));
            (
                quote!((#hash_ty, #range_ty)),
                quote!((
                    ::core::clone::Clone::clone(&self.#hash_ident),
                    ::core::clone::Clone::clone(&self.#range_ident),
                )),
                quote!(::dynamorm::model::hash_range_key_item(
                    <Self as ::dynamorm::DynaModel>::table_def(),
                    #hash_part::to_attr(&key.0),
                    #range_part::to_attr(&key.1),
                )),
            )
        }
    };

    let handles = fields.iter().map(|f| {
        let const_name = screaming(f.ident);
        let ty = f.ty;
        let name = &f.name;
        let doc = format!(
            "Typed handle to the `{name}` attribute (field `{}`).",
            f.ident
        );
        quote! {
            #[doc = #doc]
            #[allow(dead_code)]
            pub const #const_name: ::dynamorm::Attr<#model, #ty> = ::dynamorm::Attr::new(#name);
        }
    });

    let key_param = format_ident!("__DynamormKey");
    quote! {
        #[automatically_derived]
        impl ::dynamorm::DynaModel for #model {
            type Key = #key_ty;
            type HashKey = #hash_ty;

            fn table_def() -> &'static ::dynamorm::model::TableDef {
                static FIELDS: &[::dynamorm::model::FieldDef] = &[#(#field_defs),*];
                static DEF: ::dynamorm::model::TableDef = ::dynamorm::model::TableDef {
                    model: #model_name,
                    name: #table,
                    hash_key: #hash_def,
                    range_key: #range_def,
                    billing: #billing,
                    stream: #stream,
                    fields: FIELDS,
                    indexes: &[#(#index_defs),*],
                };
                &DEF
            }

            fn key(&self) -> Self::Key {
                #key_fn
            }

            fn key_item(key: &Self::Key) -> ::dynamorm::codec::Item {
                #key_item_fn
            }

            fn validate_model(&self) -> ::core::result::Result<(), ::dynamorm::ValidationErrors> {
                #validate
            }
        }

        #[automatically_derived]
        #[allow(dead_code)]
        impl #model {
            #(#handles)*
            #(#index_handles)*

            /// This model's table on `db`: create, describe, delete.
            pub fn table(db: &::dynamorm::Db) -> ::dynamorm::ops::table::TableHandle<'_, Self> {
                ::dynamorm::ops::table::TableHandle::new(db)
            }

            /// Reads the item with `key` (a bare value, or `(hash, range)`).
            pub fn get<#key_param>(db: &::dynamorm::Db, key: #key_param) -> ::dynamorm::ops::item::Get<'_, Self>
            where
                #key_param: ::dynamorm::model::IntoKey<<Self as ::dynamorm::DynaModel>::Key>,
            {
                ::dynamorm::ops::item::Get::new(db, ::dynamorm::model::IntoKey::into_key(key))
            }

            /// Writes `model` (PutItem), validating it first.
            pub fn put<'a>(db: &'a ::dynamorm::Db, model: &'a Self) -> ::dynamorm::ops::item::Put<'a, Self> {
                ::dynamorm::ops::item::Put::new(db, model)
            }

            /// Writes a raw JSON document, checked against the model and validated first.
            pub fn put_json(db: &::dynamorm::Db, doc: ::dynamorm::__private::serde_json::Value) -> ::dynamorm::ops::item::PutJson<'_, Self> {
                ::dynamorm::ops::item::PutJson::new(db, doc)
            }

            /// Queries the items whose hash key is `hash`.
            pub fn query<#key_param>(db: &::dynamorm::Db, hash: #key_param) -> ::dynamorm::ops::query::Query<'_, Self>
            where
                #key_param: ::core::convert::Into<<Self as ::dynamorm::DynaModel>::HashKey>,
            {
                ::dynamorm::ops::query::Query::new(db, ::core::convert::Into::into(hash))
            }

            /// Queries with DynamORM's double-under terms: `[("isbn", "1".into()), ("year__gt", 2000.into())]`.
            pub fn query_kw<'a, __DynamormTerm: ::core::convert::AsRef<str>>(
                db: &'a ::dynamorm::Db,
                terms: impl ::core::iter::IntoIterator<Item = (__DynamormTerm, ::dynamorm::__private::serde_json::Value)>,
            ) -> ::dynamorm::ops::query::Query<'a, Self> {
                ::dynamorm::ops::query::Query::from_kw(db, ::core::option::Option::None, terms)
            }

            /// Scans with a filter of DynamORM's double-under terms: `[("author__ne", "Mr. Bar".into())]`.
            pub fn scan_kw<'a, __DynamormTerm: ::core::convert::AsRef<str>>(
                db: &'a ::dynamorm::Db,
                terms: impl ::core::iter::IntoIterator<Item = (__DynamormTerm, ::dynamorm::__private::serde_json::Value)>,
            ) -> ::dynamorm::ops::scan::Scan<'a, Self> {
                ::dynamorm::ops::scan::Scan::from_kw(db, ::core::option::Option::None, terms)
            }

            /// Scans the whole table.
            pub fn scan(db: &::dynamorm::Db) -> ::dynamorm::ops::scan::Scan<'_, Self> {
                ::dynamorm::ops::scan::Scan::new(db)
            }

            /// Deletes the item with `key` (a bare value, or `(hash, range)`).
            pub fn delete<#key_param>(db: &::dynamorm::Db, key: #key_param) -> ::dynamorm::ops::item::Delete<'_, Self>
            where
                #key_param: ::dynamorm::model::IntoKey<<Self as ::dynamorm::DynaModel>::Key>,
            {
                ::dynamorm::ops::item::Delete::new(db, ::dynamorm::model::IntoKey::into_key(key))
            }
        }
    }
}
