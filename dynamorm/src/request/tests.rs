//! Request values render to the SDK's types deterministically and run no
//! hook; their conditions say what the write requires.

use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_dynamodb::types::AttributeValue;

use super::{ConditionCheck, DeleteRequest, PutRequest, UpdateRequest};
use crate::model::{Changes, HookError, Hooks};
use crate::prelude::*;

/// Every before-hook call of [`Hooked`].
static HOOK_CALLS: AtomicUsize = AtomicUsize::new(0);

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
#[dynamo(crate = "crate", table = "hooked", hooks)]
struct Hooked {
    #[dynamo(hash_key)]
    id: String,
    count: u8,
}

impl Hooks for Hooked {
    fn before_save(&self) -> Result<(), HookError> {
        HOOK_CALLS.fetch_add(1, Ordering::SeqCst);
        Err("refused".into())
    }
    fn before_update(_: &String, _: &Changes) -> Result<(), HookError> {
        HOOK_CALLS.fetch_add(1, Ordering::SeqCst);
        Err("refused".into())
    }
    fn before_delete(_: &String) -> Result<(), HookError> {
        HOOK_CALLS.fetch_add(1, Ordering::SeqCst);
        Err("refused".into())
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
#[dynamo(crate = "crate", table = "docs")]
struct Doc {
    #[dynamo(hash_key)]
    id: String,
    text: String,
    #[dynamo(version)]
    version: u64,
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

fn n(number: &str) -> AttributeValue {
    AttributeValue::N(number.to_owned())
}

#[test]
fn rendering_runs_no_hook() {
    let hooked = Hooked {
        id: "h1".into(),
        count: 1,
    };
    PutRequest::new(&hooked).to_put("hooked").unwrap();
    PutRequest::new(&hooked).to_write_request("hooked").unwrap();
    UpdateRequest::<Hooked>::new("h1")
        .add(Hooked::COUNT, 1)
        .to_update("hooked")
        .unwrap();
    DeleteRequest::<Hooked>::new("h1")
        .to_delete("hooked")
        .unwrap();
    DeleteRequest::<Hooked>::new("h1")
        .to_write_request("hooked")
        .unwrap();
    ConditionCheck::<Hooked>::new("h1", Hooked::COUNT.exists())
        .to_condition_check("hooked")
        .unwrap();
    assert_eq!(HOOK_CALLS.load(Ordering::SeqCst), 0);
}

#[test]
fn rendering_twice_gives_the_same_request() {
    let doc = Doc {
        id: "d1".into(),
        text: "x".into(),
        version: 2,
    };
    let request = PutRequest::new(&doc).when(Doc::TEXT.exists());
    assert_eq!(
        request.to_put("docs").unwrap(),
        request.to_put("docs").unwrap()
    );
    let update = UpdateRequest::<Doc>::new("d1").set(Doc::TEXT, "y");
    assert_eq!(
        update.to_update("docs").unwrap(),
        update.to_update("docs").unwrap()
    );
}

#[test]
fn a_versioned_put_stores_the_next_version_if_the_stored_one_is_unchanged() {
    let doc = Doc {
        id: "d1".into(),
        text: "x".into(),
        version: 2,
    };
    let put = PutRequest::new(&doc).to_put("docs").unwrap();
    assert_eq!(put.item()["version"], n("3"));
    assert_eq!(put.condition_expression(), Some("#n0 = :v0"));
    let names = put.expression_attribute_names().unwrap();
    assert_eq!(names["#n0"], "version");
    assert_eq!(put.expression_attribute_values().unwrap()[":v0"], n("2"));

    // Never saved (version 0): no item with the key may exist.
    let new = Doc { version: 0, ..doc };
    let put = PutRequest::new(&new).to_put("docs").unwrap();
    assert_eq!(put.item()["version"], n("1"));
    assert_eq!(
        put.condition_expression(),
        Some("attribute_not_exists(#n0)")
    );
    assert_eq!(put.expression_attribute_names().unwrap()["#n0"], "id");
}

#[test]
fn a_unique_put_with_a_condition_requires_both() {
    let hooked = Hooked {
        id: "h1".into(),
        count: 1,
    };
    let put = PutRequest::new(&hooked)
        .unique()
        .when(Hooked::COUNT.lt(5))
        .to_put("hooked")
        .unwrap();
    assert_eq!(
        put.condition_expression(),
        Some("(attribute_not_exists(#n0) AND #n1 < :v0)")
    );
    assert_eq!(put.item()["id"], s("h1"));
}

#[test]
fn an_update_keeps_a_bounded_integer_in_its_range() {
    let update = UpdateRequest::<Hooked>::new("h1")
        .add(Hooked::COUNT, 10)
        .to_update("hooked")
        .unwrap();
    assert_eq!(update.update_expression(), "ADD #n0 :v0");
    // The item exists, and count + 10 stays a u8 (an absent count is 0).
    assert_eq!(
        update.condition_expression(),
        Some("(attribute_exists(#n1) AND (attribute_not_exists(#n0) OR #n0 <= :v1))")
    );
    assert_eq!(
        update.expression_attribute_values().unwrap()[":v1"],
        n("245")
    );
}

#[test]
fn an_update_refuses_what_dynamorm_maintains_and_an_empty_change() {
    let err = UpdateRequest::<Doc>::new("d1")
        .set(Doc::VERSION, 9u64)
        .to_update("docs")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("`version` is maintained by dynamorm"),
        "{err}"
    );
    let err = UpdateRequest::<Doc>::new("d1")
        .to_update("docs")
        .unwrap_err();
    assert!(err.to_string().contains("nothing to update"), "{err}");
}

#[test]
fn a_delete_of_a_loaded_model_expects_its_version() {
    let mut delete = DeleteRequest::<Doc>::new("d1");
    delete.expect_version(4);
    let rendered = delete.to_delete("docs").unwrap();
    assert_eq!(rendered.condition_expression(), Some("#n0 = :v0"));
    assert_eq!(
        rendered.expression_attribute_values().unwrap()[":v0"],
        n("4")
    );
    // A batch cannot carry that condition.
    let err = delete.to_write_request("docs").unwrap_err();
    assert!(matches!(err, crate::Error::InvalidQuery { .. }), "{err:?}");
}

#[test]
fn a_versioned_model_cannot_be_put_in_a_batch() {
    let doc = Doc {
        id: "d1".into(),
        text: "x".into(),
        version: 1,
    };
    let err = PutRequest::new(&doc).to_write_request("docs").unwrap_err();
    assert!(
        err.to_string()
            .contains("a batch write cannot check the version"),
        "{err}"
    );
}

#[test]
fn a_condition_check_asks_for_the_stored_item_when_it_fails() {
    let check = ConditionCheck::<Doc>::new("d1", Doc::TEXT.begins_with("dr"))
        .to_condition_check("dev-docs")
        .unwrap();
    assert_eq!(check.table_name(), "dev-docs");
    assert_eq!(check.key()["id"], s("d1"));
    assert_eq!(check.condition_expression(), "begins_with(#n0, :v0)");
    assert_eq!(
        check.return_values_on_condition_check_failure(),
        Some(&aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::AllOld)
    );
}
