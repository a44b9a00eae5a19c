//! Generate: the `DynaModel` impl and the typed handles, from the checked
//! model. Everything generated is per model; the operations come from
//! dynamorm's `ModelOps` and `InstanceOps` traits.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ir::{
    Billing, Field, Index, Kind, Model, Projection, Relation, RelationKind, Shape, StreamView,
    Validate,
};

/// The whole expansion.
pub fn model(m: &Model) -> TokenStream {
    let ident = m.ident;
    let model_name = ident.to_string();
    let table = &m.table;
    let hash = &m.fields[m.hash];
    let range = m.range.map(|r| &m.fields[r]);

    let field_defs = m.fields.iter().enumerate().map(|(position, field)| {
        let encode_json = match field.serialize_with {
            Some(_) => {
                let model = m.ident;
                let ty = field.ty;
                quote!(::core::option::Option::Some(::dynamorm::schema::JsonEncoder(
                    <#model as ::dynamorm::expr::FieldEncoding<#ty, #position>>::encode_json,
                )))
            }
            None => quote!(::core::option::Option::None),
        };
        field_def(field, encode_json)
    });
    let hash_def = table_key_def(hash);
    let range_def = option(range.map(table_key_def));
    let billing = billing(m.billing);
    let stream = option(m.stream.map(stream_view));
    let index_defs = m.indexes.iter().map(|i| index_def(m, i));
    let validate = validate(m.validate);
    let validates = m.validate.is_some();
    let role_name = |role: Option<usize>| {
        option(role.map(|i| {
            let name = &m.fields[i].attr;
            quote!(#name)
        }))
    };
    let version = role_name(m.roles.version);
    let ttl = role_name(m.roles.ttl);
    let created_at = role_name(m.roles.created_at);
    let updated_at = role_name(m.roles.updated_at);
    let role_checks = role_checks(m);
    let group_checks = group_checks(m);
    let group_json_error = group_json_error(m);
    let groups = &m.groups;
    let hooks = if m.hooks {
        quote!(::dynamorm::model::UserHooks<Self>)
    } else {
        quote!(::dynamorm::model::NoHooks)
    };
    let check_arms = m
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.custom_codec)
        .map(|(i, f)| {
            let name = &f.attr;
            let ty = f.ty;
            quote! {
                #name => ::core::option::Option::Some(
                    ::dynamorm::__private::check_field::<#ty>(&fields[#i], value),
                ),
            }
        });

    let hash_ty = hash.ty;
    let hash_ident = hash.ident;
    let hash_part = key_part(hash);
    let (key_ty, key_fn, key_item_fn) = match range {
        None => (
            quote!(#hash_ty),
            quote!(::core::clone::Clone::clone(&self.#hash_ident)),
            quote!(::dynamorm::__private::hash_key_item(
                &<Self as ::dynamorm::DynaModel>::table_def().hash_key,
                #hash_part::to_attr(key),
            )),
        ),
        Some(range) => {
            let range_ty = range.ty;
            let range_ident = range.ident;
            let range_part = key_part(range);
            (
                quote!((#hash_ty, #range_ty)),
                quote!((
                    ::core::clone::Clone::clone(&self.#hash_ident),
                    ::core::clone::Clone::clone(&self.#range_ident),
                )),
                quote!(::dynamorm::__private::hash_range_key_item(
                    <Self as ::dynamorm::DynaModel>::table_def(),
                    #hash_part::to_attr(&key.0),
                    #range_part::to_attr(&key.1),
                )),
            )
        }
    };

    let key_fields: Vec<&Field> = match m.entity.as_ref().and_then(|e| e.key.as_ref()) {
        Some(key) => key.key_fields.iter().map(|&i| &m.fields[i]).collect(),
        None => std::iter::once(hash).chain(range).collect(),
    };
    let key_from_fields_fn = key_from_fields(&key_fields);
    let (hash_ty, key_ty, key_fn, key_item_fn, hash_value_fn) =
        match m.entity.as_ref().and_then(|e| e.key.as_ref()) {
            Some(key) => {
                let (key_ty, hash_ty, key_fn, key_item_fn, hash_value_fn) =
                    crate::generate_entity::template_key(m, key);
                (hash_ty, key_ty, key_fn, key_item_fn, hash_value_fn)
            }
            None => (quote!(#hash_ty), key_ty, key_fn, key_item_fn, quote!()),
        };
    let (entity_statics, def_head, entity_ref) = match &m.entity {
        Some(e) => {
            let (statics, from_shared) = crate::generate_entity::entity_def(m, e);
            (
                statics,
                from_shared,
                quote!(::core::option::Option::Some(&ENTITY)),
            )
        }
        None => (
            quote!(),
            quote! {
                name: #table,
                hash_key: #hash_def,
                range_key: #range_def,
                billing: #billing,
                stream: #stream,
                indexes: &[#(#index_defs),*],
            },
            quote!(::core::option::Option::None),
        ),
    };

    let attribute_types = m.fields.iter().map(|f| {
        let id = crate::generate_entity::key_id(Some(&f.attr));
        let ty = f.ty;
        quote! {
            #[automatically_derived]
            impl ::dynamorm::__private::HasAttribute<#id> for #ident {
                type Value = #ty;
            }
        }
    });
    let encode_fields = encode_fields(m);
    let field_encodings = field_encodings(m);
    let field_handles = m.fields.iter().map(|f| field_handle(m, f));
    let relations = m.relations.iter().map(|r| relation(m, r));
    let index_handles = m.indexes.iter().map(|i| index_handle(m, i));
    let entity_handles = m
        .entity
        .as_ref()
        .map(|e| crate::generate_entity::index_handles(m, e));
    let entity_members = m
        .entity
        .as_ref()
        .map(|e| crate::generate_entity::members(m, e));

    quote! {
        #(#attribute_types)*

        #[automatically_derived]
        impl ::dynamorm::DynaModel for #ident {
            type Key = #key_ty;
            type HashKey = #hash_ty;
            type Hooks = #hooks;

            fn table_def() -> &'static ::dynamorm::schema::TableDef {
                static FIELDS: &[::dynamorm::schema::FieldDef] = &[#(#field_defs),*];
                #entity_statics
                static DEF: ::dynamorm::schema::TableDef = ::dynamorm::schema::TableDef {
                    model: #model_name,
                    #def_head
                    fields: FIELDS,
                    groups: &[#(<#groups as ::dynamorm::model::FieldGroup>::FIELDS),*],
                    validates: #validates,
                    version: #version,
                    ttl: #ttl,
                    created_at: #created_at,
                    updated_at: #updated_at,
                    entity: #entity_ref,
                };
                &DEF
            }

            fn key(&self) -> Self::Key {
                #key_fn
            }

            fn key_item(key: &Self::Key) -> ::dynamorm::Item {
                #key_item_fn
            }

            #hash_value_fn

            #key_from_fields_fn

            fn validate_model(&self) -> ::core::result::Result<(), ::dynamorm::ValidationErrors> {
                #validate
            }

            fn check_attribute(
                name: &str,
                value: &::dynamorm::AttributeValue,
            ) -> ::core::option::Option<::core::result::Result<(), ::std::string::String>> {
                let fields = <Self as ::dynamorm::DynaModel>::table_def().fields;
                match name {
                    #(#check_arms)*
                    _ => ::core::option::Option::None,
                }
            }

            #encode_fields
            #group_json_error
        }

        #role_checks
        #group_checks
        #entity_members

        #field_encodings

        #(
            #[automatically_derived]
            impl ::dynamorm::model::Includes<#groups> for #ident {}
        )*

        #[automatically_derived]
        #[allow(dead_code)]
        impl #ident {
            #(#field_handles)*
            #(#index_handles)*
            #entity_handles
            #(#relations)*
        }
    }
}

/// `DynaModel::encode_fields`: each stored field's value, written as
/// `#[derive(Serialize)]` writes it (by `DirectAttr` when the field's type
/// has it, else by the type's `Serialize`; autoref picks at compile time).
/// Nothing for a model whose item serde must write.
fn encode_fields(m: &Model) -> TokenStream {
    if !m.encode_fields {
        return TokenStream::new();
    }
    let writes = m.fields.iter().enumerate().map(|(i, f)| {
        let ident = f.ident;
        let encode = match f.shape {
            Shape::Set => quote!(encode_set),
            _ => quote!(encode_attr),
        };
        quote! {
            sink.field(
                &fields[#i],
                (&&::dynamorm::__private::FieldValue(&self.#ident)).#encode(),
            );
        }
    });
    quote! {
        fn encode_fields<S: ::dynamorm::model::FieldSink>(&self, sink: &mut S) -> bool {
            #[allow(unused_imports)]
            use ::dynamorm::__private::{EncodeDirect as _, EncodeSerde as _};
            let fields = <Self as ::dynamorm::DynaModel>::table_def().fields;
            #(#writes)*
            true
        }

        fn fields_match_serialize() -> ::core::option::Option<&'static ::std::sync::OnceLock<bool>> {
            static CHECKED: ::std::sync::OnceLock<bool> = ::std::sync::OnceLock::new();
            ::core::option::Option::Some(&CHECKED)
        }
    }
}

/// Compile-time checks of the write-time roles' types: a `version` is an
/// integer, `created_at` / `updated_at` are timestamps (a `ttl`'s type is
/// checked by its `FieldDef`). Each is reported at the field's type.
fn role_checks(m: &Model) -> TokenStream {
    let check = |role: Option<usize>, bound: TokenStream| {
        role.map(|i| {
            let ty = m.fields[i].ty;
            quote_spanned!(ty.span()=> {
                fn role<T: #bound>() {}
                role::<#ty>();
            })
        })
    };
    let checks = [
        check(m.roles.version, quote!(::dynamorm::model::VersionField)),
        check(m.roles.created_at, quote!(::dynamorm::model::Timestamp)),
        check(m.roles.updated_at, quote!(::dynamorm::model::Timestamp)),
    ];
    let checks = checks.iter().flatten();
    quote! {
        const _: fn() = || {
            #(#checks)*
        };
    }
}

/// `DynaModel::group_json_error`: each group, in order, reads its part of
/// the document. Nothing for a model without groups.
fn group_json_error(m: &Model) -> TokenStream {
    if m.groups.is_empty() {
        return TokenStream::new();
    }
    let groups = &m.groups;
    quote! {
        fn group_json_error(
            doc: &::dynamorm::__private::JsonMap,
        ) -> ::core::option::Option<(::std::string::String, ::std::string::String)> {
            #(
                if let ::core::option::Option::Some(found) =
                    ::dynamorm::__private::group_json_error::<#groups>(
                        <#groups as ::dynamorm::model::FieldGroup>::FIELDS,
                        doc,
                    )
                {
                    return ::core::option::Option::Some(found);
                }
            )*
            ::core::option::Option::None
        }
    }
}

/// Compile-time checks that no two fields of the model use the same
/// attribute across its field groups: a field of the model and a field of a
/// group, or fields of two groups. serde reads an attribute into one field
/// only, so the item would not read back. The derive cannot see a group's
/// fields, so the checks compare names in constants, through the groups'
/// `FieldGroup::FIELDS`; a clash panics there, reported at the model's field
/// (or at the later group) with a message naming both fields.
fn group_checks(m: &Model) -> TokenStream {
    let model = m.ident.to_string();
    let checks = m.groups.iter().enumerate().map(|(j, ty)| {
        let group = type_name(ty);
        let with_fields = m.fields.iter().map(|f| {
            let name = &f.attr;
            let aliases = &f.aliases;
            let head = format!("field `{}` of model `{model}` and field `", f.rust_name);
            let middle = format!("` of its group `{group}` both use the attribute `");
            quote_spanned! {f.ident.span()=>
                if let ::core::option::Option::Some(clash) =
                    ::dynamorm::__private::group_clash(#name, &[#(#aliases),*], FIELDS)
                {
                    ::core::panic!(
                        "{}",
                        ::dynamorm::__private::ConstMessage::new()
                            .push(#head)
                            .push(clash.field)
                            .push(#middle)
                            .push(clash.attribute)
                            .push(#CLASH_ADVICE)
                            .as_str()
                    );
                }
            }
        });
        let with_groups = m.groups[..j].iter().map(|earlier| {
            let head = "field `";
            let middle = format!("` of the group `{}` and field `", type_name(earlier));
            let tail = format!(
                "` of the group `{group}`, both flattened into model `{model}`, use the attribute `"
            );
            quote_spanned! {ty.span()=>
                if let ::core::option::Option::Some((field, clash)) =
                    ::dynamorm::__private::groups_clash(
                        <#earlier as ::dynamorm::model::FieldGroup>::FIELDS,
                        FIELDS,
                    )
                {
                    ::core::panic!(
                        "{}",
                        ::dynamorm::__private::ConstMessage::new()
                            .push(#head)
                            .push(field)
                            .push(#middle)
                            .push(clash.field)
                            .push(#tail)
                            .push(clash.attribute)
                            .push(#CLASH_ADVICE)
                            .as_str()
                    );
                }
            }
        });
        quote! {
            const _: () = {
                const FIELDS: &[::dynamorm::schema::FieldDef] =
                    <#ty as ::dynamorm::model::FieldGroup>::FIELDS;
                #(#with_fields)*
                #(#with_groups)*
            };
        }
    });
    quote!(#(#checks)*)
}

/// The end of a clash's message: why it is refused, and the way out.
const CLASH_ADVICE: &str = "`: serde reads an attribute into one field only, so items saved with both could not be read back; rename one of them";

/// A type as written, without the token spacing (`a::Audit`).
fn type_name(ty: &syn::Type) -> String {
    quote!(#ty).to_string().replace(' ', "")
}

fn option(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(value) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    }
}

/// `<T as KeyPart>`, spanned at the field's type so a type that is not a key
/// is reported there.
/// `DynaModel::key_from_fields`: the key read from its fields' stored values.
fn key_from_fields(fields: &[&Field]) -> TokenStream {
    let read = |f: &Field| {
        let ty = f.ty;
        let attr = &f.attr;
        quote!(::dynamorm::__private::key_field::<#ty>(fields, #attr))
    };
    let body = match fields {
        [only] => read(only),
        many => {
            let reads = many.iter().map(|f| read(f));
            quote! {
                (|| ::core::result::Result::Ok((#(#reads?),*)))()
            }
        }
    };
    quote! {
        fn key_from_fields(
            fields: &::dynamorm::Item,
        ) -> ::core::option::Option<::core::result::Result<Self::Key, ::std::string::String>> {
            ::core::option::Option::Some(#body)
        }
    }
}

fn key_part(field: &Field) -> TokenStream {
    let ty = field.ty;
    quote_spanned!(ty.span()=> <#ty as ::dynamorm::model::KeyPart>)
}

fn table_key_def(field: &Field) -> TokenStream {
    let name = &field.attr;
    let part = key_part(field);
    quote!(::dynamorm::schema::KeyDef { name: #name, scalar: #part::SCALAR })
}

/// An index key: its scalar is the field type's `IndexKey::SCALAR`; for a
/// type the derive cannot see into, its `KeyPart::SCALAR` when it has one,
/// else `S` (an enum or other serde string).
fn index_key_def(field: &Field) -> TokenStream {
    let name = &field.attr;
    let ty = field.ty;
    let scalar = if field.kind == Kind::Any {
        quote!({
            #[allow(unused_imports)]
            use ::dynamorm::__private::StringScalar as _;
            ::dynamorm::__private::IndexScalar::<#ty>::SCALAR
        })
    } else {
        quote_spanned!(ty.span()=> <#ty as ::dynamorm::model::IndexKey>::SCALAR)
    };
    quote!(::dynamorm::schema::KeyDef { name: #name, scalar: #scalar })
}

/// A field's `FieldDef`; `encode_json` is its `FieldDef::encode_json`.
fn field_def(field: &Field, encode_json: TokenStream) -> TokenStream {
    let name = &field.attr;
    let rust_name = &field.rust_name;
    let shape = match field.shape {
        Shape::Plain => quote!(Plain),
        Shape::Bytes => quote!(Bytes),
        Shape::Set => quote!(Set),
        Shape::ByteSet => quote!(ByteSet),
        Shape::Epoch => {
            let ty = field.ty;
            quote_spanned!(ty.span()=> Epoch(<#ty as ::dynamorm::model::EpochSeconds>::FORM))
        }
    };
    let kind = match field.kind {
        Kind::String => quote!(String),
        Kind::Number => quote!(Number),
        Kind::Binary => quote!(Binary),
        Kind::Bool => quote!(Bool),
        Kind::List => quote!(List),
        Kind::Map => quote!(Map),
        Kind::Set => quote!(Set),
        Kind::Any => quote!(Any),
    };
    let optional = field.optional;
    let required = field.required;
    let aliases = &field.aliases;
    let ty = field.ty;
    let bounds = if field.kind == Kind::Number && !field.custom_codec {
        quote!({
            #[allow(unused_imports)]
            use ::dynamorm::__private::NoBounds as _;
            ::dynamorm::__private::Bounds::<#ty>::BOUNDS
        })
    } else {
        quote!(::core::option::Option::None)
    };
    quote! {
        ::dynamorm::schema::FieldDef {
            name: #name,
            rust_name: #rust_name,
            shape: ::dynamorm::schema::FieldShape::#shape,
            kind: ::dynamorm::schema::ValueKind::#kind,
            optional: #optional,
            required: #required,
            aliases: &[#(#aliases),*],
            bounds: #bounds,
            encode_json: #encode_json,
        }
    }
}

fn billing(billing: Billing) -> TokenStream {
    match billing {
        Billing::OnDemand => quote!(::dynamorm::schema::Billing::OnDemand),
        Billing::Provisioned { read, write } => {
            quote!(::dynamorm::schema::Billing::Provisioned { read: #read, write: #write })
        }
    }
}

fn stream_view(view: StreamView) -> TokenStream {
    let view = match view {
        StreamView::KeysOnly => quote!(KeysOnly),
        StreamView::NewImage => quote!(NewImage),
        StreamView::OldImage => quote!(OldImage),
        StreamView::NewAndOldImages => quote!(NewAndOldImages),
    };
    quote!(::dynamorm::schema::StreamView::#view)
}

fn validate(validate: Option<(Validate, proc_macro2::Span)>) -> TokenStream {
    match validate {
        None => quote!(::core::result::Result::Ok(())),
        Some((Validate::Validator, span)) => {
            quote_spanned!(span=> ::dynamorm::__private::run_validator(self))
        }
        Some((Validate::Garde, span)) => {
            quote_spanned!(span=> ::dynamorm::__private::run_garde(self))
        }
        Some((Validate::Custom, span)) => {
            quote_spanned!(span=> ::dynamorm::__private::run_custom(Self::validate(self)))
        }
    }
}

fn index_def(m: &Model, index: &Index) -> TokenStream {
    let name = &index.name;
    let global = index.global;
    let hash_def = index_key_def(&m.fields[index.hash]);
    let range_def = option(index.range.map(|r| index_key_def(&m.fields[r])));
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
            hash_key: #hash_def,
            range_key: #range_def,
            projection: #projection,
            throughput: #throughput,
        }
    }
}

/// The handle's value type: the field's type, or for a field serde writes
/// with its own function, [`Encoded`](dynamorm::expr::Encoded) by the
/// model's `FieldEncoding` for the field's position.
fn handle_type(m: &Model, field: &Field) -> TokenStream {
    let ty = field.ty;
    match m.fields.iter().position(|f| std::ptr::eq(f, field)) {
        Some(position) if field.serialize_with.is_some() => {
            let model = m.ident;
            quote!(::dynamorm::expr::Encoded<#ty, #model, #position>)
        }
        _ => quote!(#ty),
    }
}

/// `FieldEncoding` for each field serde writes with its own function: a
/// value goes through that function into the codec, and a `__` value is
/// read as the field's type (or as the field's `deserialize_with` reads it)
/// first.
fn field_encodings(m: &Model) -> TokenStream {
    let model = m.ident;
    let impls = m.fields.iter().enumerate().filter_map(|(position, field)| {
        let serialize = field.serialize_with.as_ref()?;
        let ty = field.ty;
        let read = match &field.deserialize_with {
            Some(deserialize) => quote! {
                ::core::option::Option::Some(|value: &::dynamorm::__private::serde_json::Value| {
                    #deserialize(value)
                })
            },
            None => quote!(::core::option::Option::None),
        };
        Some(quote! {
            #[automatically_derived]
            impl ::dynamorm::expr::FieldEncoding<#ty, #position> for #model {
                fn encode(value: &#ty) -> ::core::result::Result<::dynamorm::AttributeValue, ::std::string::String> {
                    struct With<'a>(&'a #ty);
                    impl ::dynamorm::__private::serde::Serialize for With<'_> {
                        fn serialize<S: ::dynamorm::__private::serde::Serializer>(
                            &self,
                            serializer: S,
                        ) -> ::core::result::Result<S::Ok, S::Error> {
                            #serialize(self.0, serializer)
                        }
                    }
                    ::dynamorm::__private::encode_value(&With(value))
                }

                fn encode_json(
                    value: &::dynamorm::__private::serde_json::Value,
                ) -> ::core::result::Result<::dynamorm::AttributeValue, ::std::string::String> {
                    ::dynamorm::__private::encode_json_with::<#ty>(
                        value,
                        #read,
                        <Self as ::dynamorm::expr::FieldEncoding<#ty, #position>>::encode,
                    )
                }
            }
        })
    });
    quote!(#(#impls)*)
}

fn field_handle(m: &Model, field: &Field) -> TokenStream {
    let model = m.ident;
    let handle = &field.handle;
    let ty = handle_type(m, field);
    let name = &field.attr;
    let doc = format!(
        "Typed handle to the `{name}` attribute (field `{}`).",
        field.rust_name
    );
    quote! {
        #[doc = #doc]
        pub const #handle: ::dynamorm::Attr<#model, #ty> = ::dynamorm::Attr::new(#name);
    }
}

fn index_handle(m: &Model, index: &Index) -> TokenStream {
    let model = m.ident;
    let handle = &index.handle;
    let name = &index.name;
    let hash = &m.fields[index.hash];
    let hash_ty = hash.ty;
    let value = if hash.kind == Kind::Any {
        quote!(::dynamorm::expr::Untyped)
    } else {
        quote!(<#hash_ty as ::dynamorm::model::IndexKey>::Value)
    };
    let doc = format!(
        "The {} index `{name}`: query or scan it.",
        if index.global { "global" } else { "local" }
    );
    quote! {
        #[doc = #doc]
        pub const #handle: ::dynamorm::Index<#model, #value> = ::dynamorm::Index::new(#name);
    }
}

/// One relationship method: `has_many` returns the related model's query
/// builder, `has_one` and `belongs_to` resolve to `Option<Related>`.
fn relation(m: &Model, rel: &Relation) -> TokenStream {
    let name = &rel.name;
    let model = &rel.model;
    let key_handle = &rel.key_handle;
    let hash = m.fields[m.hash].ident;
    let this = m.ident.to_string();
    let related = quote!(#model).to_string().replace(' ', "");
    let own_hash = quote!(::core::clone::Clone::clone(&self.#hash));
    // Through the related model's index, or its hash key.
    let query = match &rel.index {
        Some(index) => quote!(#model::#index.query(db, #own_hash)),
        None => quote!(<#model as ::dynamorm::ModelOps>::query(db, #own_hash)),
    };
    match rel.kind {
        RelationKind::HasMany => {
            let doc = format!(
                "The `{related}` items of this `{this}` (their `{}` is this item's hash key): a query to refine and run (`.all()`, `.count()`, `.filter(..)`, `.stream()`, `.page(..)`).",
                rel.key_handle.to_string().to_lowercase()
            );
            quote! {
                #[doc = #doc]
                pub fn #name<'a>(&self, db: &'a ::dynamorm::Db) -> ::dynamorm::ops::query::Query<'a, #model> {
                    let _ = #model::#key_handle;
                    #query
                }
            }
        }
        RelationKind::HasOne => {
            let doc = format!("The `{related}` of this `{this}`, if there is one.");
            let read = match &rel.index {
                Some(_) => quote!(::std::boxed::Box::pin(#query.first())),
                None => quote!(::std::boxed::Box::pin(::core::future::IntoFuture::into_future(
                    <#model as ::dynamorm::ModelOps>::get(db, #own_hash)
                ))),
            };
            quote! {
                #[doc = #doc]
                pub fn #name<'a>(&self, db: &'a ::dynamorm::Db) -> ::dynamorm::OpFuture<'a, ::core::option::Option<#model>> {
                    let _ = #model::#key_handle;
                    #read
                }
            }
        }
        RelationKind::BelongsTo => {
            let doc = format!("The `{related}` this `{this}` belongs to, if it exists.");
            let own = rel.own_key.map(|i| m.fields[i].ident);
            quote! {
                #[doc = #doc]
                pub fn #name<'a>(&self, db: &'a ::dynamorm::Db) -> ::dynamorm::OpFuture<'a, ::core::option::Option<#model>> {
                    match ::dynamorm::__private::RelatedKey::related_key(&self.#own) {
                        ::core::option::Option::Some(key) => ::std::boxed::Box::pin(
                            ::core::future::IntoFuture::into_future(
                                <#model as ::dynamorm::ModelOps>::get(db, key),
                            ),
                        ),
                        ::core::option::Option::None => ::std::boxed::Box::pin(async {
                            ::core::result::Result::Ok(::core::option::Option::None)
                        }),
                    }
                }
            }
        }
    }
}

/// The expansion of `#[derive(DynaFields)]`: the group's `FieldGroup` impl
/// and a trait of typed handles (`CommonFields`) that every model including
/// the group implements, so `Thing::CREATED_BY` names a group field.
pub fn group(g: &crate::ir::Group) -> TokenStream {
    let ident = g.ident;
    let vis = g.vis;
    let field_defs = g
        .fields
        .iter()
        .map(|field| field_def(field, quote!(::core::option::Option::None)));
    let handles_trait = quote::format_ident!("{}Fields", ident);
    let handles = g.fields.iter().map(|field| {
        let handle = &field.handle;
        let ty = field.ty;
        let name = &field.attr;
        let doc = format!(
            "Typed handle to the `{name}` attribute (field `{}` of `{ident}`).",
            field.rust_name
        );
        quote! {
            #[doc = #doc]
            const #handle: ::dynamorm::Attr<M, #ty> = ::dynamorm::Attr::new(#name);
        }
    });
    let trait_doc = format!(
        "Typed handles to the fields of `{ident}` on every model that flattens it (`#[serde(flatten)]`); bring it into scope to write `Model::FIELD`."
    );
    quote! {
        #[automatically_derived]
        impl ::dynamorm::model::FieldGroup for #ident {
            const FIELDS: &'static [::dynamorm::schema::FieldDef] = &[#(#field_defs),*];
        }

        #[doc = #trait_doc]
        #[allow(dead_code)]
        #vis trait #handles_trait<M>: ::dynamorm::model::Includes<#ident> {
            #(#handles)*
        }

        #[automatically_derived]
        impl<M: ::dynamorm::model::Includes<#ident>> #handles_trait<M> for M {}
    }
}
