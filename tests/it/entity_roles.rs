//! Entities of a shared table keep every model behaviour: optimistic
//! locking, timestamps, TTL, hooks, signals and relationships (a parent
//! saved with its children in one transaction, the children found through
//! the parent's key).

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use dynamorm::events::EventKind;
use dynamorm::model::{HookError, Hooks};
use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

use crate::support::common;

#[derive(DynaTable)]
#[dynamo(table = "crm", hash_key = "pk", range_key = "sk", ttl = "expires")]
struct Crm;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = Crm, entity = "account", hooks)]
#[dynamo(key(hash = "ACCOUNT#{id}", range = "ACCOUNT"))]
#[dynamo(has_many(name = "contacts", model = "Contact", key = "account_id"))]
struct Account {
    id: String,
    name: String,
    #[dynamo(version)]
    version: u64,
    #[dynamo(created_at)]
    created: Option<DateTime<Utc>>,
    #[dynamo(updated_at)]
    updated: Option<DateTime<Utc>>,
    #[dynamo(ttl)]
    expires: Option<DateTime<Utc>>,
}

static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

impl Hooks for Account {
    fn before_save(&self) -> Result<(), HookError> {
        if self.name.is_empty() {
            return Err("an account needs a name".into());
        }
        SEEN.lock()
            .unwrap()
            .push(format!("before_save {}", self.id));
        Ok(())
    }
    fn after_save(&self) {
        SEEN.lock().unwrap().push(format!("after_save {}", self.id));
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = Crm, entity = "contact")]
#[dynamo(key(hash = "ACCOUNT#{account_id}", range = "CONTACT#{email}"))]
#[dynamo(belongs_to(name = "account", model = "Account", key = "account_id"))]
struct Contact {
    account_id: String,
    email: String,
}

fn account(id: &str) -> Account {
    Account {
        id: id.into(),
        name: format!("{id} Ltd"),
        version: 0,
        created: None,
        updated: None,
        expires: Some(DateTime::from_timestamp(4_000_000_000, 0).unwrap()),
    }
}

fn contact(account_id: &str, email: &str) -> Contact {
    Contact {
        account_id: account_id.into(),
        email: email.into(),
    }
}

async fn crm() -> Db {
    let db = common::db().await;
    Crm::table(&db).create().await.unwrap();
    db
}

#[tokio::test]
async fn version_timestamps_and_ttl_work_on_an_entity() {
    let db = crm().await;
    let mut acme = account("acme");
    acme.save_mut(&db).await.unwrap();
    assert_eq!(acme.version, 1);
    let created = acme.created.expect("created_at is stamped");
    assert_eq!(acme.updated, Some(created));
    let table = Crm::table(&db).name();
    let stored = common::stored_item(
        &db,
        &table,
        &[
            ("pk", dynamorm::AttributeValue::S("ACCOUNT#acme".into())),
            ("sk", dynamorm::AttributeValue::S("ACCOUNT".into())),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        stored["expires"],
        dynamorm::AttributeValue::N("4000000000".into()),
        "the TTL is stored as epoch seconds under the table's TTL attribute"
    );
    assert_eq!(stored["_et"], dynamorm::AttributeValue::S("account".into()));
    // A stale copy is refused; the current one saves.
    let stale = Account {
        version: 0,
        ..acme.clone()
    };
    let err = stale.save(&db).await.unwrap_err();
    assert!(err.is_version_conflict(), "{err:?}");
    acme.name = "Acme Inc".into();
    acme.save_mut(&db).await.unwrap();
    assert_eq!(acme.version, 2);
    assert_eq!(acme.created, Some(created));
    let updated = Account::update(&db, "acme")
        .set(Account::NAME, "Acme Corp".to_owned())
        .await
        .unwrap();
    assert_eq!(updated.version, 3);
    assert!(updated.updated >= acme.updated);
    assert_eq!(Account::get(&db, "acme").await.unwrap(), Some(updated));
}

#[tokio::test]
async fn hooks_and_signals_run_for_an_entity() {
    let db = crm().await;
    let kinds = Arc::new(Mutex::new(Vec::new()));
    let seen_kinds = kinds.clone();
    db.subscribe(move |event| {
        if event.model == "Account" {
            seen_kinds.lock().unwrap().push(event.kind);
        }
    });
    account("hooked").save(&db).await.unwrap();
    let nameless = Account {
        name: String::new(),
        ..account("nameless")
    };
    let err = nameless.save(&db).await.unwrap_err();
    assert!(err.to_string().contains("needs a name"), "{err}");
    assert_eq!(Account::get(&db, "nameless").await.unwrap(), None);
    let seen = SEEN.lock().unwrap().clone();
    assert!(seen.contains(&"before_save hooked".to_owned()), "{seen:?}");
    assert!(seen.contains(&"after_save hooked".to_owned()), "{seen:?}");
    assert!(!seen.iter().any(|s| s.ends_with("nameless")), "{seen:?}");
    assert!(kinds.lock().unwrap().contains(&EventKind::PostSave));
}

#[tokio::test]
async fn a_parent_entity_saves_with_its_children_and_finds_them_by_its_key() {
    let db = crm().await;
    let acme = Account {
        version: 0,
        ..account("acme")
    };
    acme.clone()
        .save_with(
            &db,
            &[
                contact("acme", "a@acme.test"),
                contact("acme", "b@acme.test"),
            ],
        )
        .await
        .unwrap();
    let contacts = acme.contacts(&db).all().await.unwrap();
    assert_eq!(
        contacts,
        [
            contact("acme", "a@acme.test"),
            contact("acme", "b@acme.test")
        ]
    );
    let owner = contacts[0].account(&db).await.unwrap().unwrap();
    assert_eq!(owner.id, "acme");
    assert_eq!(owner.version, 1);
}
