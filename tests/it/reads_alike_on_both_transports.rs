//! Query and scan pages and batch gets read the same models, and fail on
//! the same items with the same errors, whichever transport carried them
//! (the direct one reads a model's items straight from the answer's text),
//! in every form a model stores: binary, sets, nulls, nested maps and
//! lists, enums, and attributes the model does not declare; an entity's tag
//! and key attributes are left out of what its model reads.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use dynamorm::prelude::*;
use dynamorm::Transport;
use futures::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};

use crate::support::common::db;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Kind {
    Plain,
    Sized { width: u32, label: Option<String> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Inner {
    at: (i64, String),
    weights: HashMap<String, f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "docs", billing = "on_demand")]
struct Doc {
    #[dynamo(hash_key)]
    group: String,
    #[dynamo(range_key)]
    id: String,
    data: Vec<u8>,
    labels: Option<BTreeSet<String>>,
    scores: Vec<u32>,
    note: Option<String>,
    inner: Inner,
    kind: Kind,
}

fn doc(group: &str, i: u32) -> Doc {
    Doc {
        group: group.into(),
        id: format!("d{i:03}"),
        data: vec![0, 255, i as u8],
        labels: i
            .is_multiple_of(2)
            .then(|| BTreeSet::from(["a \"quoted\" é".into(), format!("l{i}")])),
        scores: (0..i % 4).collect(),
        note: i.is_multiple_of(3).then(|| format!("note\n{i}")),
        inner: Inner {
            at: (-(i as i64), format!("at {i}")),
            weights: HashMap::from([("w".into(), f64::from(i) / 8.0)]),
        },
        kind: if i.is_multiple_of(2) {
            Kind::Plain
        } else {
            Kind::Sized {
                width: i,
                label: None,
            }
        },
    }
}

/// The handle on each transport.
fn both(db: &Db) -> [Db; 2] {
    [
        db.with_transport(Transport::Direct),
        db.with_transport(Transport::Sdk),
    ]
}

fn sorted(mut docs: Vec<Doc>) -> Vec<Doc> {
    docs.sort_by(|a, b| (&a.group, &a.id).cmp(&(&b.group, &b.id)));
    docs
}

#[tokio::test]
async fn every_stored_form_reads_back_alike_from_queries_and_scans() {
    let db = db().await;
    Doc::table(&db).create().await.unwrap();
    let docs: Vec<Doc> = (0..40)
        .map(|i| doc(if i < 25 { "g1" } else { "g2" }, i))
        .collect();
    Doc::put_batch(&db, &docs).await.unwrap();
    // Attributes the model does not declare are skipped, whatever their type.
    db.client()
        .update_item()
        .table_name(Doc::table(&db).name())
        .key("group", AttributeValue::S("g1".into()))
        .key("id", AttributeValue::S("d001".into()))
        .update_expression("SET extra = :m, more = :l, flag = :b")
        .expression_attribute_values(
            ":m",
            AttributeValue::M(HashMap::from([(
                "x".into(),
                AttributeValue::Ns(vec!["1".into()]),
            )])),
        )
        .expression_attribute_values(":l", AttributeValue::L(vec![AttributeValue::Null(true)]))
        .expression_attribute_values(":b", AttributeValue::Bool(false))
        .send()
        .await
        .unwrap();

    for db in both(&db) {
        let transport = db.transport();
        let scanned = Doc::scan(&db).all().await.unwrap();
        assert_eq!(sorted(scanned), docs, "{transport:?}");
        let streamed: Vec<Doc> = Doc::scan(&db)
            .page_size(7)
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(sorted(streamed), docs, "{transport:?}");
        let segmented = Doc::scan(&db).segments(3).page_size(4).all().await.unwrap();
        assert_eq!(sorted(segmented), docs, "{transport:?}");
        let queried = Doc::query(&db, "g1").page_size(10).all().await.unwrap();
        assert_eq!(queried, docs[..25], "{transport:?}");
        let limited = Doc::query(&db, "g2")
            .limit(6)
            .page_size(4)
            .all()
            .await
            .unwrap();
        assert_eq!(limited, docs[25..31], "{transport:?}");
        let filtered = Doc::scan(&db)
            .filter(Doc::NOTE.exists())
            .all()
            .await
            .unwrap();
        let with_notes: Vec<Doc> = docs.iter().filter(|d| d.note.is_some()).cloned().collect();
        assert_eq!(sorted(filtered), with_notes, "{transport:?}");
    }
}

#[tokio::test]
async fn an_item_that_does_not_fit_the_model_fails_the_read_alike_naming_its_attribute() {
    let db = db().await;
    Doc::table(&db).create().await.unwrap();
    let docs: Vec<Doc> = (0..6).map(|i| doc("g", i)).collect();
    Doc::put_batch(&db, &docs).await.unwrap();
    // d003's `inner.at[0]` becomes a string.
    db.client()
        .update_item()
        .table_name(Doc::table(&db).name())
        .key("group", AttributeValue::S("g".into()))
        .key("id", AttributeValue::S("d003".into()))
        .update_expression("SET #inner.#at[0] = :s")
        .expression_attribute_names("#inner", "inner")
        .expression_attribute_names("#at", "at")
        .expression_attribute_values(":s", AttributeValue::S("minus three".into()))
        .send()
        .await
        .unwrap();

    let mut errors = Vec::new();
    for db in both(&db) {
        let transport = db.transport();
        let err = Doc::query(&db, "g").all().await.unwrap_err();
        let dynamorm::Error::Codec { path, message, .. } = &err else {
            panic!("{transport:?}: {err:?}")
        };
        assert_eq!(path.as_deref(), Some("inner.at[0]"), "{transport:?}");
        assert!(message.contains("minus three"), "{transport:?}: {message}");
        errors.push(err.to_string());

        // A stream yields the items before it, then the error, then the
        // items after it.
        let read: Vec<Result<Doc, String>> = Doc::query(&db, "g")
            .page_size(4)
            .stream()
            .map_err(|e| e.to_string())
            .into_stream()
            .collect::<Vec<_>>()
            .await;
        let expected: Vec<Result<Doc, String>> = docs
            .iter()
            .map(|d| {
                if d.id == "d003" {
                    Err(err.to_string())
                } else {
                    Ok(d.clone())
                }
            })
            .collect();
        assert_eq!(read, expected, "{transport:?}");
    }
    assert_eq!(errors[0], errors[1]);
}

#[derive(DynaTable)]
#[dynamo(
    table = "shared",
    billing = "on_demand",
    hash_key = "pk",
    range_key = "sk"
)]
struct Shared;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = Shared, entity = "visit")]
#[dynamo(key(hash = "PAGE#{page}", range = "VISIT#{at}"))]
#[serde(deny_unknown_fields)]
struct Visit {
    page: String,
    at: String,
    data: Vec<u8>,
    tags: Option<BTreeSet<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = Shared, entity = "page")]
#[dynamo(key(hash = "PAGE#{page}", range = "META"))]
struct Page {
    page: String,
    title: String,
}

#[tokio::test]
async fn an_entitys_pages_read_alike_without_its_tag_and_key_attributes() {
    let db = db().await;
    Shared::table(&db).create().await.unwrap();
    let visits: Vec<Visit> = (0..12)
        .map(|i| Visit {
            page: "home".into(),
            at: format!("2026-12-06T10:{i:02}"),
            data: vec![i],
            tags: (i % 3 == 1).then(|| BTreeSet::from([format!("t{i}")])),
        })
        .collect();
    Visit::put_batch(&db, &visits).await.unwrap();
    let page = Page {
        page: "home".into(),
        title: "Home".into(),
    };
    page.save(&db).await.unwrap();
    // Written by another program: no tag, under a visit's key.
    db.client()
        .put_item()
        .table_name(Shared::table(&db).name())
        .item("pk", AttributeValue::S("PAGE#home".into()))
        .item("sk", AttributeValue::S("VISIT#2026-12-06T11:00".into()))
        .item("page", AttributeValue::S("home".into()))
        .item("at", AttributeValue::S("2026-12-06T11:00".into()))
        .item("data", AttributeValue::B(vec![9].into()))
        .send()
        .await
        .unwrap();
    let untagged = Visit {
        page: "home".into(),
        at: "2026-12-06T11:00".into(),
        data: vec![9],
        tags: None,
    };

    for db in both(&db) {
        let transport = db.transport();
        let queried = Visit::query(&db, "home").page_size(5).all().await.unwrap();
        let mut expected = visits.clone();
        expected.push(untagged.clone());
        assert_eq!(queried, expected, "{transport:?}");
        // A scan returns tagged items only.
        let mut scanned = Visit::scan(&db).all().await.unwrap();
        scanned.sort_by(|a, b| a.at.cmp(&b.at));
        assert_eq!(scanned, visits, "{transport:?}");
        assert_eq!(
            Page::scan(&db).all().await.unwrap(),
            std::slice::from_ref(&page)
        );
    }
}

#[tokio::test]
async fn batch_gets_read_alike_in_the_order_asked_for() {
    let db = db().await;
    Doc::table(&db).create().await.unwrap();
    let docs: Vec<Doc> = (0..250).map(|i| doc("g", i)).collect();
    Doc::put_batch(&db, &docs).await.unwrap();
    // Backwards, with a key given twice and two keys of no item.
    let mut keys: Vec<(String, String)> = docs
        .iter()
        .rev()
        .map(|d| (d.group.clone(), d.id.clone()))
        .collect();
    keys.insert(3, ("g".into(), "d007".into()));
    keys.push(("g".into(), "missing".into()));
    keys.insert(0, ("nobody".into(), "d001".into()));
    // Each key once, where it is first asked for; keys of no item left out.
    let mut expected: Vec<Doc> = Vec::new();
    for (group, id) in &keys {
        let stored = docs.iter().find(|d| &d.group == group && &d.id == id);
        if let Some(d) = stored.filter(|d| !expected.contains(d)) {
            expected.push(d.clone());
        }
    }
    assert_eq!(expected.len(), docs.len());
    assert_eq!(expected[3].id, "d007");

    let mut errors = Vec::new();
    for db in both(&db) {
        let transport = db.transport();
        let found = Doc::get_batch(&db, keys.clone()).await.unwrap();
        assert_eq!(found, expected, "{transport:?}");
        let consistent = Doc::get_batch(&db, keys.clone())
            .consistent()
            .await
            .unwrap();
        assert_eq!(consistent, expected, "{transport:?}");
    }

    // d101's `scores[0]` becomes a string: the batch fails naming it.
    db.client()
        .update_item()
        .table_name(Doc::table(&db).name())
        .key("group", AttributeValue::S("g".into()))
        .key("id", AttributeValue::S("d101".into()))
        .update_expression("SET scores[0] = :s")
        .expression_attribute_values(":s", AttributeValue::S("one".into()))
        .send()
        .await
        .unwrap();
    for db in both(&db) {
        let transport = db.transport();
        let err = Doc::get_batch(&db, keys.clone()).await.unwrap_err();
        let dynamorm::Error::Codec { path, .. } = &err else {
            panic!("{transport:?}: {err:?}")
        };
        assert_eq!(path.as_deref(), Some("scores[0]"), "{transport:?}");
        errors.push(err.to_string());
    }
    assert_eq!(errors[0], errors[1]);
}

#[tokio::test]
async fn an_entitys_batch_get_reads_alike_and_refuses_another_entitys_item() {
    let db = db().await;
    Shared::table(&db).create().await.unwrap();
    let visits: Vec<Visit> = (0..5)
        .map(|i| Visit {
            page: format!("p{i}"),
            at: "2026-12-06T10:00".into(),
            data: vec![i],
            tags: None,
        })
        .collect();
    Visit::put_batch(&db, &visits).await.unwrap();
    let keys: Vec<(String, String)> = visits
        .iter()
        .map(|v| (v.page.clone(), v.at.clone()))
        .collect();
    for db in both(&db) {
        let found = Visit::get_batch(&db, keys.clone()).await.unwrap();
        assert_eq!(found, visits, "{:?}", db.transport());
    }

    // p2's visit is re-tagged as a page.
    db.client()
        .update_item()
        .table_name(Shared::table(&db).name())
        .key("pk", AttributeValue::S("PAGE#p2".into()))
        .key("sk", AttributeValue::S("VISIT#2026-12-06T10:00".into()))
        .update_expression("SET #et = :page")
        .expression_attribute_names("#et", "_et")
        .expression_attribute_values(":page", AttributeValue::S("page".into()))
        .send()
        .await
        .unwrap();
    let mut errors = Vec::new();
    for db in both(&db) {
        let err = Visit::get_batch(&db, keys.clone()).await.unwrap_err();
        assert!(
            matches!(&err, dynamorm::Error::WrongEntity { found, .. } if found == "page"),
            "{:?}: {err:?}",
            db.transport()
        );
        errors.push(err.to_string());
    }
    assert_eq!(errors[0], errors[1]);
}
