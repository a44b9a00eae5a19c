//! Hooks on a model, and signals for an audit log.
//!
//! ```text
//! cargo run --example hooks_signals
//! ```

use std::sync::{Arc, Mutex};

use dynamorm::events::EventKind;
use dynamorm::model::{Changes, HookError, Hooks};
use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "accounts", billing = "on_demand", hooks)]
struct Account {
    #[dynamo(hash_key)]
    id: String,
    balance: i64,
    #[serde(skip)]
    fresh: bool,
}

impl Hooks for Account {
    /// Refuse to save frozen accounts: nothing is written.
    fn before_save(&self) -> Result<(), HookError> {
        if self.id.starts_with("frozen-") {
            return Err(format!("{} is frozen", self.id).into());
        }
        Ok(())
    }

    fn before_update(key: &String, changes: &Changes) -> Result<(), HookError> {
        println!("  hook: updating {key}: {changes}");
        Ok(())
    }

    fn after_delete(key: &String) {
        println!("  hook: {key} is gone");
    }

    /// Mark every model read from the table.
    fn after_load(&mut self) -> Result<(), HookError> {
        self.fresh = true;
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = Db::embedded().await?;
    Account::table(&db).create().await?;

    // Signals: an audit log of every write on this Db.
    let audit = Arc::new(Mutex::new(Vec::new()));
    let log = audit.clone();
    db.subscribe(move |event| {
        if matches!(
            event.kind,
            EventKind::PostSave | EventKind::PostUpdate | EventKind::PostDelete
        ) {
            log.lock().unwrap().push(event.to_string());
        }
    });

    Account {
        id: "a1".into(),
        balance: 10,
        fresh: false,
    }
    .save(&db)
    .await?;
    match (Account {
        id: "frozen-1".into(),
        balance: 0,
        fresh: false,
    })
    .save(&db)
    .await
    {
        Err(err @ Error::Hook { .. }) => println!("refused: {err}"),
        other => return Err(format!("expected a hook error, got {other:?}").into()),
    }
    Account::update(&db, "a1").plus(Account::BALANCE, 5).await?;
    let loaded = Account::get(&db, "a1").await?.ok_or("a1 exists")?;
    println!("loaded a1 (after_load ran: {})", loaded.fresh);
    loaded.delete(&db).await?;

    println!("audit log:");
    for line in audit.lock().unwrap().iter() {
        println!("  {line}");
    }
    Ok(())
}
