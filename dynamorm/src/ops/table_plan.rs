//! How an existing table differs from its model: the differences that break
//! reads and writes ([`schema_differences`], for `create_if_not_exists`), the
//! changes `update` makes ([`plan`]) and whether the table shows one
//! ([`shows`]); and the SDK shapes of keys, attributes and projections that
//! `create` and `update` both send.

use aws_sdk_dynamodb::error::BuildError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndexDescription, KeySchemaElement, KeyType,
    Projection, ProjectionType, ScalarAttributeType, TableDescription,
};

use crate::schema::{Billing, IndexDef, KeyDef, ProjectionDef, StreamView, TableChange, TableDef};

/// How an existing table differs from the model, in the ways that break
/// reads and writes: key attributes and types, and the declared indexes'
/// presence, keys and projection type.
pub(super) fn schema_differences(def: &TableDef, table: &TableDescription) -> Vec<String> {
    let mut out = Vec::new();
    let keys = KeyTypes::of(table);
    keys.compare(
        "the table",
        table.key_schema(),
        &def.hash_key,
        def.range_key.as_ref(),
        &mut out,
    );
    for index in def.indexes {
        index_differences(&keys, index, table, &mut out);
    }
    out
}

/// What `update` cannot change: the table's keys and its local indexes.
fn fixed_differences(def: &TableDef, table: &TableDescription) -> Vec<String> {
    let mut out = Vec::new();
    let keys = KeyTypes::of(table);
    keys.compare(
        "the table",
        table.key_schema(),
        &def.hash_key,
        def.range_key.as_ref(),
        &mut out,
    );
    for index in def.indexes.iter().filter(|i| !i.global) {
        index_differences(&keys, index, table, &mut out);
    }
    out
}

/// Records how the table's copy of `index` differs from the model's: missing,
/// other keys, other projection.
fn index_differences(
    keys: &KeyTypes<'_>,
    index: &IndexDef,
    table: &TableDescription,
    out: &mut Vec<String>,
) {
    let what = format!("index `{}`", index.name);
    let found = if index.global {
        gsi(table, index.name).map(|i| (i.key_schema(), i.projection()))
    } else {
        table
            .local_secondary_indexes()
            .iter()
            .find(|i| i.index_name() == Some(index.name))
            .map(|i| (i.key_schema(), i.projection()))
    };
    let Some((index_keys, projection)) = found else {
        let kind = if index.global { "global" } else { "local" };
        out.push(format!("the {kind} {what} is missing"));
        return;
    };
    keys.compare(
        &what,
        index_keys,
        &index.hash_key,
        index.range_key.as_ref(),
        out,
    );
    let declared = match index.projection {
        ProjectionDef::All => ProjectionType::All,
        ProjectionDef::KeysOnly => ProjectionType::KeysOnly,
        ProjectionDef::Include(_) => ProjectionType::Include,
    };
    if let Some(actual) = projection.and_then(|p| p.projection_type()) {
        if *actual != declared {
            out.push(format!(
                "{what} projects {}, the model declares {}",
                actual.as_str(),
                declared.as_str()
            ));
        } else if let ProjectionDef::Include(names) = index.projection {
            let held = projection
                .map(|p| p.non_key_attributes())
                .unwrap_or_default();
            let missing: Vec<&str> = names
                .iter()
                .copied()
                .filter(|n| !held.iter().any(|h| h == n))
                .collect();
            if !missing.is_empty() {
                out.push(format!(
                    "{what} does not include {}, which the model declares",
                    missing.join(", ")
                ));
            }
        }
    }
}

/// The changes that bring `table` (with TTL on `ttl`) in line with `def`, in
/// the order they are to be made; `Err` lists what no update can change
/// (the table's keys, its local indexes).
///
/// Order: global indexes to delete (gone from the model, or declared with
/// other keys or projection: those are deleted, then created again), the
/// billing mode, the table's capacity, the kept global indexes' capacity, the
/// global indexes to create, the stream, TTL.
pub(super) fn plan(
    def: &TableDef,
    table: &TableDescription,
    ttl: Option<&str>,
) -> Result<Vec<TableChange>, Vec<String>> {
    let fixed = fixed_differences(def, table);
    if !fixed.is_empty() {
        return Err(fixed);
    }
    let keys = KeyTypes::of(table);
    let mut changes = Vec::new();
    // Global indexes: kept as they are, or deleted.
    let mut kept: Vec<(&IndexDef, (i64, i64))> = Vec::new();
    for found in table.global_secondary_indexes() {
        let name = found.index_name().unwrap_or_default();
        let declared = def.indexes.iter().find(|i| i.global && i.name == name);
        match declared {
            Some(index) => {
                let mut differences = Vec::new();
                index_differences(&keys, index, table, &mut differences);
                if differences.is_empty() {
                    kept.push((index, index_capacity(found)));
                } else {
                    changes.push(TableChange::DeleteIndex {
                        name: name.to_owned(),
                    });
                }
            }
            None => changes.push(TableChange::DeleteIndex {
                name: name.to_owned(),
            }),
        }
    }
    let current = billing(table);
    match (current, def.billing) {
        (
            Billing::Provisioned { read, write },
            Billing::Provisioned {
                read: to_read,
                write: to_write,
            },
        ) => {
            if (read, write) != (to_read, to_write) {
                changes.push(TableChange::Throughput {
                    from: (read, write),
                    to: (to_read, to_write),
                });
            }
            for (index, capacity) in &kept {
                let wanted = index.throughput.unwrap_or((to_read, to_write));
                // A provisioned table's index always has capacity (at least
                // 1/1); an engine that reports 0/0 (the embedded one, for an
                // index added by UpdateTable) does not track it: nothing to sync.
                if *capacity == (0, 0) {
                    continue;
                }
                if *capacity != wanted {
                    changes.push(TableChange::IndexThroughput {
                        name: index.name.to_owned(),
                        from: *capacity,
                        to: wanted,
                    });
                }
            }
        }
        (from, to) if from != to => changes.push(TableChange::Billing { from, to }),
        _ => {}
    }
    for index in def.indexes.iter().filter(|i| i.global) {
        if !kept.iter().any(|(k, _)| k.name == index.name) {
            changes.push(TableChange::CreateIndex {
                name: index.name.to_owned(),
            });
        }
    }
    let current_stream = stream(table);
    if current_stream != def.stream {
        if let (Some(from), Some(to)) = (current_stream, def.stream) {
            changes.push(TableChange::Stream {
                from: Some(from),
                to: None,
            });
            changes.push(TableChange::Stream {
                from: None,
                to: Some(to),
            });
        } else {
            changes.push(TableChange::Stream {
                from: current_stream,
                to: def.stream,
            });
        }
    }
    if ttl != def.ttl {
        if let (Some(from), Some(to)) = (ttl, def.ttl) {
            changes.push(TableChange::Ttl {
                from: Some(from.to_owned()),
                to: None,
            });
            changes.push(TableChange::Ttl {
                from: None,
                to: Some(to.to_owned()),
            });
        } else {
            changes.push(TableChange::Ttl {
                from: ttl.map(str::to_owned),
                to: def.ttl.map(str::to_owned),
            });
        }
    }
    Ok(changes)
}

/// `Ok` when `table` (with TTL on `ttl`) shows `change` made; otherwise what
/// it shows instead.
pub(super) fn shows(
    change: &TableChange,
    table: &TableDescription,
    ttl: Option<&str>,
) -> Result<(), String> {
    let shown = match change {
        TableChange::Throughput { to, .. } => {
            let now = billing(table);
            if now
                == (Billing::Provisioned {
                    read: to.0,
                    write: to.1,
                })
            {
                return Ok(());
            }
            format!("billing {now}")
        }
        TableChange::Billing { to, .. } => {
            let now = billing(table);
            if now == *to {
                return Ok(());
            }
            format!("billing {now}")
        }
        TableChange::Stream { to, .. } => {
            let now = stream(table);
            if now == *to {
                return Ok(());
            }
            match now {
                Some(view) => format!("a {view} stream"),
                None => "no stream".to_owned(),
            }
        }
        TableChange::CreateIndex { name } => match gsi(table, name) {
            Some(_) => return Ok(()),
            None => format!("no global index `{name}`"),
        },
        TableChange::DeleteIndex { name } => match gsi(table, name) {
            None => return Ok(()),
            Some(_) => format!("the global index `{name}` still there"),
        },
        TableChange::IndexThroughput { name, to, .. } => match gsi(table, name) {
            Some(found) if index_capacity(found) == *to => return Ok(()),
            Some(found) => {
                let (read, write) = index_capacity(found);
                format!("the global index `{name}` at {read} read / {write} write")
            }
            None => format!("no global index `{name}`"),
        },
        TableChange::Ttl { to, .. } => {
            if ttl == to.as_deref() {
                return Ok(());
            }
            match ttl {
                Some(attribute) => format!("TTL on `{attribute}`"),
                None => "TTL off".to_owned(),
            }
        }
    };
    Err(format!(
        "the engine accepted the change, but the table shows {shown}"
    ))
}

/// The table's billing: on-demand when its billing summary says so (or, with
/// no summary, when it has no capacity), else its provisioned capacity.
pub(super) fn billing(table: &TableDescription) -> Billing {
    let mode = table.billing_mode_summary().and_then(|s| s.billing_mode());
    let read = table
        .provisioned_throughput()
        .and_then(|p| p.read_capacity_units())
        .unwrap_or(0);
    let write = table
        .provisioned_throughput()
        .and_then(|p| p.write_capacity_units())
        .unwrap_or(0);
    match mode {
        Some(BillingMode::PayPerRequest) => Billing::OnDemand,
        None if read == 0 && write == 0 => Billing::OnDemand,
        _ => Billing::Provisioned { read, write },
    }
}

/// The view type of the table's stream, when it is enabled.
fn stream(table: &TableDescription) -> Option<StreamView> {
    table
        .stream_specification()
        .filter(|s| s.stream_enabled())
        .and_then(|s| s.stream_view_type())
        .and_then(StreamView::from_sdk)
}

/// The table's global index called `name`.
pub(super) fn gsi<'t>(
    table: &'t TableDescription,
    name: &str,
) -> Option<&'t GlobalSecondaryIndexDescription> {
    table
        .global_secondary_indexes()
        .iter()
        .find(|i| i.index_name() == Some(name))
}

/// A global index's provisioned `(read, write)` capacity; `(0, 0)` when it
/// reports none (on-demand).
fn index_capacity(index: &GlobalSecondaryIndexDescription) -> (i64, i64) {
    let throughput = index.provisioned_throughput();
    (
        throughput
            .and_then(|p| p.read_capacity_units())
            .unwrap_or(0),
        throughput
            .and_then(|p| p.write_capacity_units())
            .unwrap_or(0),
    )
}

/// The attribute types an existing table declares, to compare keys with.
struct KeyTypes<'t>(Vec<(&'t str, &'t ScalarAttributeType)>);

impl<'t> KeyTypes<'t> {
    fn of(table: &'t TableDescription) -> Self {
        KeyTypes(
            table
                .attribute_definitions()
                .iter()
                .map(|d| (d.attribute_name(), d.attribute_type()))
                .collect(),
        )
    }

    /// Records how the key schema `actual` of `what` differs from the model's.
    fn compare(
        &self,
        what: &str,
        actual: &[KeySchemaElement],
        hash: &KeyDef,
        range: Option<&KeyDef>,
        out: &mut Vec<String>,
    ) {
        for (kind, declared) in [(KeyType::Hash, Some(hash)), (KeyType::Range, range)] {
            let found = actual
                .iter()
                .find(|k| *k.key_type() == kind)
                .map(|k| k.attribute_name());
            let word = if kind == KeyType::Hash {
                "hash"
            } else {
                "range"
            };
            match (found, declared) {
                (Some(found), Some(declared)) if found != declared.name => out.push(format!(
                    "{what} {word} key is `{found}`, the model declares `{}`",
                    declared.name
                )),
                (Some(found), Some(declared)) => {
                    let actual_type = self.0.iter().find(|(n, _)| *n == found).map(|(_, t)| *t);
                    let declared_type = declared.scalar.to_sdk();
                    if let Some(actual_type) = actual_type.filter(|t| **t != declared_type) {
                        out.push(format!(
                            "{what} {word} key `{found}` is of type {}, the model declares {}",
                            actual_type.as_str(),
                            declared_type.as_str()
                        ));
                    }
                }
                (Some(found), None) => out.push(format!(
                    "{what} has the {word} key `{found}`, the model declares none"
                )),
                (None, Some(declared)) => out.push(format!(
                    "{what} has no {word} key, the model declares `{}`",
                    declared.name
                )),
                (None, None) => {}
            }
        }
    }
}

pub(super) fn projection(def: &ProjectionDef) -> Projection {
    match def {
        ProjectionDef::All => Projection::builder()
            .projection_type(ProjectionType::All)
            .build(),
        ProjectionDef::KeysOnly => Projection::builder()
            .projection_type(ProjectionType::KeysOnly)
            .build(),
        ProjectionDef::Include(names) => Projection::builder()
            .projection_type(ProjectionType::Include)
            .set_non_key_attributes(Some(names.iter().map(|n| (*n).to_owned()).collect()))
            .build(),
    }
}

pub(super) fn key_element(key: &KeyDef, kind: KeyType) -> Result<KeySchemaElement, BuildError> {
    KeySchemaElement::builder()
        .attribute_name(key.name)
        .key_type(kind)
        .build()
}

pub(super) fn attribute_definition(key: &KeyDef) -> Result<AttributeDefinition, BuildError> {
    AttributeDefinition::builder()
        .attribute_name(key.name)
        .attribute_type(key.scalar.to_sdk())
        .build()
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::types::{
        GlobalSecondaryIndexDescription, KeySchemaElement, KeyType, Projection, ProjectionType,
        ProvisionedThroughputDescription, ScalarAttributeType, StreamSpecification, StreamViewType,
        TableDescription,
    };

    use super::{plan, schema_differences, shows};
    use crate::prelude::*;
    use crate::schema::{StreamView, TableChange};

    #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    #[dynamo(
        crate = "crate",
        table = "things",
        read = 5,
        write = 1,
        stream = "new_image"
    )]
    #[dynamo(global_index(
        name = "by-color",
        hash_key = "color",
        projection = "keys_only",
        read = 1,
        write = 1
    ))]
    struct Thing {
        #[dynamo(hash_key)]
        id: String,
        color: String,
    }

    fn key(name: &str, kind: KeyType) -> KeySchemaElement {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .unwrap()
    }

    fn attribute(
        name: &str,
        kind: ScalarAttributeType,
    ) -> aws_sdk_dynamodb::types::AttributeDefinition {
        aws_sdk_dynamodb::types::AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(kind)
            .build()
            .unwrap()
    }

    fn capacity(read: i64, write: i64) -> ProvisionedThroughputDescription {
        ProvisionedThroughputDescription::builder()
            .read_capacity_units(read)
            .write_capacity_units(write)
            .build()
    }

    fn by_color() -> GlobalSecondaryIndexDescription {
        GlobalSecondaryIndexDescription::builder()
            .index_name("by-color")
            .key_schema(key("color", KeyType::Hash))
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::KeysOnly)
                    .build(),
            )
            .provisioned_throughput(capacity(1, 1))
            .build()
    }

    /// The table as `Thing` declares it, with `id` of type `id_type`.
    fn table(
        id_type: ScalarAttributeType,
    ) -> aws_sdk_dynamodb::types::builders::TableDescriptionBuilder {
        TableDescription::builder()
            .table_name("things")
            .key_schema(key("id", KeyType::Hash))
            .attribute_definitions(attribute("id", id_type))
            .attribute_definitions(attribute("color", ScalarAttributeType::S))
            .provisioned_throughput(capacity(5, 1))
    }

    fn new_image() -> StreamSpecification {
        StreamSpecification::builder()
            .stream_enabled(true)
            .stream_view_type(StreamViewType::NewImage)
            .build()
            .unwrap()
    }

    #[test]
    fn a_table_as_declared_differs_in_nothing_and_needs_no_change() {
        let live = table(ScalarAttributeType::S)
            .global_secondary_indexes(by_color())
            .stream_specification(new_image())
            .build();
        let def = Thing::table_def();
        assert!(schema_differences(def, &live).is_empty());
        assert_eq!(plan(def, &live, None), Ok(Vec::new()));
    }

    #[test]
    fn a_key_of_another_type_is_a_difference_update_cannot_make() {
        let live = table(ScalarAttributeType::N)
            .global_secondary_indexes(by_color())
            .build();
        let def = Thing::table_def();
        let differences = schema_differences(def, &live);
        assert_eq!(differences.len(), 1, "{differences:?}");
        assert!(differences[0].contains("`id`"), "{differences:?}");
        assert_eq!(plan(def, &live, None), Err(differences));
    }

    #[test]
    fn the_plan_deletes_unknown_indexes_first_and_turns_the_stream_on_last() {
        let old = GlobalSecondaryIndexDescription::builder()
            .index_name("old")
            .key_schema(key("color", KeyType::Hash))
            .build();
        let live = table(ScalarAttributeType::S)
            .provisioned_throughput(capacity(1, 1))
            .global_secondary_indexes(old)
            .build();
        let def = Thing::table_def();
        // A missing declared index is a difference for create_if_not_exists...
        assert!(schema_differences(def, &live)
            .iter()
            .any(|d| d.contains("by-color")));
        // ... and a change for update, in order.
        let changes = plan(def, &live, Some("expires")).unwrap();
        assert_eq!(
            changes,
            [
                TableChange::DeleteIndex { name: "old".into() },
                TableChange::Throughput {
                    from: (1, 1),
                    to: (5, 1)
                },
                TableChange::CreateIndex {
                    name: "by-color".into()
                },
                TableChange::Stream {
                    from: None,
                    to: Some(StreamView::NewImage)
                },
                TableChange::Ttl {
                    from: Some("expires".into()),
                    to: None
                },
            ]
        );
    }

    #[test]
    fn a_change_is_shown_only_once_the_table_has_it() {
        let change = TableChange::Throughput {
            from: (1, 1),
            to: (5, 1),
        };
        let before = table(ScalarAttributeType::S)
            .provisioned_throughput(capacity(1, 1))
            .build();
        let after = table(ScalarAttributeType::S).build();
        assert!(shows(&change, &before, None).is_err());
        assert_eq!(shows(&change, &after, None), Ok(()));
    }
}
