//! `#[derive(DynaCollection)]`: an enum of entities of one shared table,
//! read together. Each variant holds one entity; the generated impl decodes
//! an item as the variant whose entity answers to its tag, and compile-time
//! checks make every member an entity of the table with the first member's
//! hash template shape.

use darling::util::SpannedValue;
use darling::{FromDeriveInput, FromField, FromVariant};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident, Type};

use crate::attrs::TableAttr;
use crate::generate_entity::key_id;

/// The enum's attributes.
#[derive(FromDeriveInput)]
#[darling(attributes(dynamo), supports(enum_newtype))]
pub struct CollectionAttrs {
    ident: Ident,
    generics: syn::Generics,
    data: darling::ast::Data<MemberVariant, ()>,
    table: SpannedValue<TableAttr>,
    #[darling(default)]
    index: Option<SpannedValue<String>>,
    #[darling(default, rename = "crate")]
    pub krate: Option<syn::Path>,
}

/// One variant: `User(User)`.
#[derive(FromVariant)]
struct MemberVariant {
    ident: Ident,
    fields: darling::ast::Fields<MemberField>,
}

#[derive(FromField)]
struct MemberField {
    ty: Type,
}

/// Reads `#[derive(DynaCollection)]`'s attributes.
pub fn parse(input: &DeriveInput) -> syn::Result<CollectionAttrs> {
    CollectionAttrs::from_derive_input(input).map_err(syn::Error::from)
}

/// The `DynaCollection` impl and its compile-time checks.
pub fn generate(c: &CollectionAttrs) -> syn::Result<TokenStream> {
    let ident = &c.ident;
    if !c.generics.params.is_empty() {
        return Err(syn::Error::new(
            c.generics.span(),
            "a collection cannot be generic: its members are entities of one table",
        ));
    }
    let table = match &*c.table {
        TableAttr::Shared(path) => path,
        TableAttr::Name(_) => {
            return Err(syn::Error::new(
                c.table.span(),
                "a collection reads a shared table: table = Type (a struct deriving DynaTable), not a name",
            ))
        }
    };
    let variants = c
        .data
        .as_ref()
        .take_enum()
        .ok_or_else(|| syn::Error::new(ident.span(), "DynaCollection derives on an enum"))?;
    let members: Vec<(&Ident, &Type)> = variants
        .iter()
        .map(|v| (&v.ident, &v.fields.fields[0].ty))
        .collect();
    let Some(&(_, first)) = members.first() else {
        return Err(syn::Error::new(
            ident.span(),
            "a collection needs at least one member: `enum Items { User(User), .. }`",
        ));
    };
    for (i, (_, ty)) in members.iter().enumerate() {
        let text = ty.to_token_stream().to_string();
        if members[..i]
            .iter()
            .any(|(_, other)| other.to_token_stream().to_string() == text)
        {
            return Err(syn::Error::new(
                ty.span(),
                "this entity is already a member of the collection: each item would match two variants",
            ));
        }
    }
    let id = key_id(c.index.as_deref().map(String::as_str));
    let name = ident.to_string();
    let index = match &c.index {
        Some(index) => {
            let index = index.as_str();
            quote!(::core::option::Option::Some(#index))
        }
        None => quote!(::core::option::Option::None),
    };
    let index_check = c.index.as_ref().map(|index| {
        let span = index.span();
        let index = index.as_str();
        quote_spanned! {span=>
            const _: &::dynamorm::schema::IndexDef = ::dynamorm::__private::index_named(
                <#table as ::dynamorm::model::DynaTable>::TABLE.indexes,
                #index,
            );
        }
    });
    // A member is an entity, or a projection of one: its entity has the
    // schema, the tag and the key templates.
    let entity = |ty: &Type| quote_spanned!(ty.span()=> <#ty as ::dynamorm::ops::projection::CollectionMember>::Entity);
    let tables = members.iter().map(|(_, ty)| {
        let entity = entity(ty);
        quote!(<#entity as ::dynamorm::DynaModel>::table_def)
    });
    let paths = members.iter().map(
        |(_, ty)| quote!(<#ty as ::dynamorm::ops::projection::CollectionMember>::member_paths()),
    );
    let decodes = members.iter().map(|(variant, ty)| {
        quote! {
            if ::dynamorm::__private::answers_to::<#ty>(tag) {
                return ::core::option::Option::Some(
                    ::dynamorm::__private::decode_member::<#ty>(item, table, index)
                        .map(#ident::#variant),
                );
            }
        }
    });
    let entities = members.iter().map(|(variant, ty)| {
        let ty = entity(ty);
        quote! {
            #ident::#variant(_) => <#ty as ::dynamorm::DynaModel>::table_def()
                .entity
                .map_or("", |e| e.name),
        }
    });
    let checks = members.iter().map(|(_, ty)| {
        let span = ty.span();
        let message = format!(
            "{name}: every member of a collection shares the hash template shape of its first member (`{}`), with placeholders where the fields go; `{}`'s differs",
            first.to_token_stream(),
            ty.to_token_stream(),
        );
        let ty = entity(ty);
        let first = entity(first);
        quote_spanned! {span=>
            let _ = member_of::<#ty>;
            ::core::assert!(
                ::dynamorm::__private::same_str(
                    <#ty as ::dynamorm::__private::Member<#id>>::SHAPE,
                    <#first as ::dynamorm::__private::Member<#id>>::SHAPE,
                ),
                #message,
            );
        }
    });
    let first = entity(first);
    Ok(quote! {
        #[automatically_derived]
        impl ::dynamorm::DynaCollection for #ident {
            type Table = #table;
            type HashKey = <#first as ::dynamorm::__private::Member<#id>>::Hash;
            const NAME: &'static str = #name;
            const INDEX: ::core::option::Option<&'static str> = #index;

            fn members() -> &'static [fn() -> &'static ::dynamorm::schema::TableDef] {
                &[#(#tables),*]
            }

            fn member_paths() -> ::core::option::Option<::std::vec::Vec<&'static str>> {
                ::dynamorm::__private::union_of_paths([#(#paths),*])
            }

            fn hash_key_value(hash: &Self::HashKey) -> ::dynamorm::AttributeValue {
                <#first as ::dynamorm::__private::Member<#id>>::hash_value(hash)
            }

            fn decode_member(
                tag: &str,
                item: ::dynamorm::Item,
                table: &str,
                index: ::core::option::Option<&'static ::dynamorm::schema::IndexDef>,
            ) -> ::core::option::Option<::dynamorm::Result<Self>> {
                #(#decodes)*
                ::core::option::Option::None
            }

            fn entity(&self) -> &'static str {
                match self {
                    #(#entities)*
                }
            }
        }

        #[automatically_derived]
        impl ::dynamorm::stream::ChangeSource for #ident {
            type Key = ::dynamorm::Item;

            fn source_name() -> &'static str {
                #name
            }

            fn stream_table() -> &'static ::dynamorm::schema::TableDef {
                <#table as ::dynamorm::model::TableSource>::table_def()
            }

            fn decode_change(
                images: ::dynamorm::stream::Images<'_>,
                table: &str,
                skip_unknown: bool,
            ) -> ::dynamorm::Result<::core::option::Option<::dynamorm::stream::Decoded<Self>>> {
                ::dynamorm::__private::decode_collection_change::<Self>(images, table, skip_unknown)
            }
        }

        #index_check

        const _: () = {
            fn member_of<M: ::dynamorm::__private::Member<#id, Table = #table>>() {}
            #(#checks)*
        };
    })
}
