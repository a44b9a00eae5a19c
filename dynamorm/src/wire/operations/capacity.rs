//! The consumed capacity an answer reports, read into the SDK's type.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{Capacity, ConsumedCapacity};
use serde::Deserialize;

/// The consumed capacity of an answer.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CapacityJson {
    table_name: Option<String>,
    capacity_units: Option<f64>,
    read_capacity_units: Option<f64>,
    write_capacity_units: Option<f64>,
    table: Option<UnitsJson>,
    local_secondary_indexes: Option<HashMap<String, UnitsJson>>,
    global_secondary_indexes: Option<HashMap<String, UnitsJson>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UnitsJson {
    capacity_units: Option<f64>,
    read_capacity_units: Option<f64>,
    write_capacity_units: Option<f64>,
}

impl UnitsJson {
    fn into_sdk(self) -> Capacity {
        Capacity::builder()
            .set_capacity_units(self.capacity_units)
            .set_read_capacity_units(self.read_capacity_units)
            .set_write_capacity_units(self.write_capacity_units)
            .build()
    }
}

fn indexes(map: Option<HashMap<String, UnitsJson>>) -> Option<HashMap<String, Capacity>> {
    map.map(|m| m.into_iter().map(|(k, v)| (k, v.into_sdk())).collect())
}

impl CapacityJson {
    pub(crate) fn into_sdk(self) -> ConsumedCapacity {
        ConsumedCapacity::builder()
            .set_table_name(self.table_name)
            .set_capacity_units(self.capacity_units)
            .set_read_capacity_units(self.read_capacity_units)
            .set_write_capacity_units(self.write_capacity_units)
            .set_table(self.table.map(UnitsJson::into_sdk))
            .set_local_secondary_indexes(indexes(self.local_secondary_indexes))
            .set_global_secondary_indexes(indexes(self.global_secondary_indexes))
            .build()
    }
}

/// A list of consumed capacities (one per table), in the SDK's type.
pub(crate) fn capacities(list: Option<Vec<CapacityJson>>) -> Option<Vec<ConsumedCapacity>> {
    list.map(|list| list.into_iter().map(CapacityJson::into_sdk).collect())
}
