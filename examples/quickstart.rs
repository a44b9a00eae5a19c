//! dynamorm quickstart: DynamORM's usage guide, step by step, in Rust.
//!
//! ```text
//! cargo run --example quickstart                                   # embedded engine
//! DYNAMODB_ENDPOINT=http://127.0.0.1:8000 cargo run --example quickstart  # DynamoDB Local
//! ```

use std::collections::HashMap;

use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use validator::{Validate, ValidationError};

/// `color = fields.String(validate=OneOf(('purple', 'red', 'yellow')))`:
/// in Rust the choice is a type, so no other color can even be built.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Color {
    Purple,
    Red,
    Yellow,
}

/// The model: the Table options and the Schema, declared once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel, Validate)]
#[dynamo(table = "things", read = 5, write = 1, validate = "validator")]
pub struct Thing {
    #[dynamo(hash_key)]
    #[validate(length(min = 1, max = 10))]
    pub id: String,
    #[validate(custom(function = "no_evans"))]
    pub name: Option<String>,
    pub color: Option<Color>,
    pub compound: HashMap<String, i64>,
}

/// `@validates('name')`: a very silly rule, to show custom validation.
fn no_evans(name: &str) -> Result<(), ValidationError> {
    if name.to_lowercase() == "evan" {
        return Err(ValidationError::new("no_evans").with_message("No Evan's allowed".into()));
    }
    Ok(())
}

impl Thing {
    /// Business logic lives on the model, as in DynamORM.
    pub fn say_hello(&self) {
        println!(
            "Hello.  {} here.  My ID is {} and I'm colored {:?}",
            self.name.as_deref().unwrap_or("(no name)"),
            self.id,
            self.color
        );
    }
}

/// The usage guide's query and scan examples use a `Book` model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "books", billing = "on_demand")]
#[dynamo(global_index(
    name = "by-author",
    hash_key = "author",
    range_key = "year",
    projection = "all"
))]
pub struct Book {
    #[dynamo(hash_key)]
    pub publisher: String,
    #[dynamo(range_key)]
    pub isbn: String,
    pub title: String,
    pub author: String,
    pub year: i32,
}

fn book(isbn: &str, title: &str, author: &str, year: i32) -> Book {
    Book {
        publisher: "Acme".into(),
        isbn: isbn.into(),
        title: title.into(),
        author: author.into(),
        year,
    }
}

fn titles(books: &[Book]) -> Vec<&str> {
    books.iter().map(|b| b.title.as_str()).collect()
}

/// Querying and scanning: typed conditions, or DynamORM's `field__op` terms.
async fn books(db: &Db) -> Result<(), Box<dyn std::error::Error>> {
    Book::table(db).create_if_not_exists().await?;
    for b in [
        book("12345-1", "Foo", "Mr. Bar", 1999),
        book("12345-2", "Foo, second edition", "Mr. Bar", 2005),
        book("67890-1", "Baz draft", "Ms. Qux", 2010),
        book("12399-1", "Quux", "Ms. Qux", 2015),
    ] {
        b.save(db).await?;
    }

    // Book.query(publisher="Acme", isbn__begins_with="12345")
    let found = Book::query_kw(
        db,
        [
            ("publisher", "Acme".into()),
            ("isbn__begins_with", "12345".into()),
        ],
    )
    .all()
    .await?;
    println!("isbn begins with 12345: {:?}", titles(&found));
    // ... and the same query with typed, compile-checked conditions.
    let typed = Book::query(db, "Acme")
        .range(Book::ISBN.begins_with("12345"))
        .all()
        .await?;
    assert_eq!(found, typed);

    // Book.scan(author="Mr. Bar") and Book.scan(author__ne="Mr. Bar")
    let by_bar = Book::scan_kw(db, [("author", "Mr. Bar".into())])
        .all()
        .await?;
    let not_bar = Book::scan_kw(db, [("author__ne", "Mr. Bar".into())])
        .all()
        .await?;
    println!(
        "by Mr. Bar: {} books, by others: {}",
        by_bar.len(),
        not_bar.len()
    );

    // Conditions combine with `&`, `|` and `!`; reserved words such as `year` just work.
    let recent_finished = Book::scan(db)
        .filter((Book::YEAR.gt(2000) | Book::AUTHOR.eq("Mr. Bar")) & !Book::TITLE.contains("draft"))
        .all()
        .await?;
    let mut recent_finished = titles(&recent_finished);
    recent_finished.sort();
    println!("after 2000 or by Mr. Bar, and not a draft: {recent_finished:?}");

    // A secondary index, queried like the table.
    let qux = Book::BY_AUTHOR.query(db, "Ms. Qux").reverse().all().await?;
    println!("Ms. Qux, newest first: {:?}", titles(&qux));

    // Counting, and paging with an opaque cursor for a web API.
    println!("Acme has {} books", Book::query(db, "Acme").count().await?);
    let first = Book::query(db, "Acme").page_size(2).page(None).await?;
    if let Some(cursor) = first.next {
        let cursor = cursor.to_string(); // send it to the client ...
        let rest = Book::query(db, "Acme")
            .page_size(2)
            .page(Some(cursor.parse()?))
            .await?;
        println!(
            "page 1: {:?}, page 2: {:?}",
            titles(&first.items),
            titles(&rest.items)
        );
    }

    // A mistyped term is caught before any request is sent.
    match Book::scan_kw(db, [("year__gt", "last year".into())])
        .all()
        .await
    {
        Err(err @ Error::InvalidQuery { .. }) => println!("Rejected a bad scan: {err}"),
        other => return Err(format!("a text year should be rejected, got {other:?}").into()),
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Setting up: the embedded engine needs nothing installed; DYNAMODB_ENDPOINT
    // points at DynamoDB Local (or any compatible endpoint) instead.
    let db = match std::env::var("DYNAMODB_ENDPOINT") {
        Ok(url) if !url.is_empty() => {
            println!("Using the DynamoDB endpoint at {url}");
            Db::connect_local(&url).await
        }
        _ => {
            println!("Using the embedded engine (in-process, in-memory)");
            Db::embedded().await?
        }
    };
    // `name = '{env}-things'`: environment-based table names via a prefix.
    let env = std::env::var("ENVIRONMENT").unwrap_or_else(|_| "dev".into());
    let db = db.with_table_prefix(format!("{env}-"));

    // Create the table the model describes (waits until it is ACTIVE).
    let created = Thing::table(&db).create_if_not_exists().await?;
    println!(
        "Table {} {}",
        Thing::table(&db).name(),
        if created { "created" } else { "already exists" }
    );

    // Creating new documents, using objects.
    let thing = Thing {
        id: "thing1".into(),
        name: Some("Thing One".into()),
        color: Some(Color::Purple),
        compound: HashMap::from([("answer".into(), 42)]),
    };
    thing.save(&db).await?;
    println!("Saved {} via an object", thing.id);

    // Using raw documents: validated against the model just the same.
    Thing::put_json(
        &db,
        json!({"id": "thing2", "name": "Thing Two", "color": "red", "compound": {}}),
    )
    .await?;
    println!("Put thing2 via a raw document");

    // Orange is not a valid choice: nothing is written, and the error says why.
    match Thing::put_json(
        &db,
        json!({"id": "thing3", "name": "Thing Three", "color": "orange", "compound": {}}),
    )
    .await
    {
        Err(Error::Validation { errors, .. }) => println!("Rejected thing3: {errors}"),
        other => return Err(format!("orange should be rejected, got {other:?}").into()),
    }
    // So are Evans, whether built as an object or sent as a document.
    let evan = Thing {
        id: "thing4".into(),
        name: Some("Evan".into()),
        color: None,
        compound: HashMap::new(),
    };
    match evan.save(&db).await {
        Err(err @ Error::Validation { .. }) => println!("Rejected thing4: {err}"),
        other => return Err(format!("Evan should be rejected, got {other:?}").into()),
    }
    assert_eq!(Thing::get(&db, "thing3").await?, None);

    // Fetching existing documents: get based on primary key.
    let thing1 = Thing::get(&db, "thing1")
        .consistent()
        .await?
        .ok_or("thing1 should exist")?;
    assert_eq!(thing1.color, Some(Color::Purple));
    thing1.say_hello();

    // Unique puts: refuse to overwrite an existing key.
    match thing1.save(&db).unique().await {
        Err(Error::AlreadyExists { key, .. }) => println!("thing1 not overwritten: {key} exists"),
        other => return Err(format!("expected AlreadyExists, got {other:?}").into()),
    }

    // Conditional writes with typed attribute handles (reserved words are fine).
    let mut recolored = thing1.clone();
    recolored.color = Some(Color::Yellow);
    recolored
        .save(&db)
        .when(Thing::COLOR.eq(Color::Purple))
        .await?;
    println!("Recolored thing1 yellow, because it was purple");

    // Updates: DynamORM's `Thing.update_item(name=..., compound__...)`, typed or
    // with `__` keywords. The stored result comes back; an update that would
    // make the model invalid is refused before it is written.
    let updated = Thing::update(&db, "thing1")
        .set(Thing::NAME, "Thing Uno")
        .add(Thing::COMPOUND.key("visits"), 1)
        .when(Thing::COLOR.eq(Color::Yellow))
        .await?;
    println!("Updated: {updated:?}");
    let updated = Thing::update_kw(&db, "thing1", [("compound__visits__plus", json!(2))]).await?;
    assert_eq!(updated.compound["visits"], 3);
    match Thing::update(&db, "thing1").set(Thing::NAME, "Evan").await {
        Err(err @ Error::Validation { .. }) => println!("Update refused: {err}"),
        other => return Err(format!("expected a validation error, got {other:?}").into()),
    }
    // ... or in place, on the instance.
    let mut recolored = updated;
    recolored.update(&db).set(Thing::COLOR, Color::Red).await?;
    assert_eq!(recolored.color, Some(Color::Red));

    // Batches and transactions (DynamORM's batch puts, done concurrently).
    let many: Vec<Thing> = (0..30)
        .map(|i| Thing {
            id: format!("many{i}"),
            name: None,
            color: None,
            compound: HashMap::new(),
        })
        .collect();
    Thing::put_batch(&db, &many).await?;
    let back = Thing::get_batch(&db, ["many0", "many29", "nope"]).await?;
    println!("Batch-read {} of 3 keys", back.len());
    Thing::delete_batch(&db, many.iter().map(|t| t.id.clone())).await?;
    db.transact_write()
        .update(Thing::update_op("thing1").add(Thing::COMPOUND.key("visits"), 1))
        .check::<Thing>("thing2", Thing::COLOR.eq(Color::Red))
        .await?;

    // Delete, by key or by instance.
    Thing::delete(&db, "thing2").await?;
    recolored.delete(&db).await?;
    println!(
        "Deleted both; thing1 is now {:?}",
        Thing::get(&db, "thing1").await?
    );

    books(&db).await
}
