//! Models and requests at DynamoDB's expression limits: a `created_at`
//! model with hundreds of fields saves (its UpdateExpression would pass 4 KB),
//! and every request that would exceed a limit fails before it is sent,
//! naming the model and the table.

use chrono::{DateTime, Utc};
use dynamorm::prelude::*;
use dynamorm::ValidationErrors;
use serde::{Deserialize, Serialize};

use crate::support::common;

/// Declares the wide models: each field of `$field` an `i32`.
macro_rules! wide_models {
    ($($field:ident),*) => {
        /// A model with `created_at` and 320 fields.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
        #[dynamo(table = "wide", billing = "on_demand")]
        struct Wide {
            #[dynamo(hash_key)]
            id: String,
            $($field: i32,)*
            #[dynamo(created_at)]
            created: Option<DateTime<Utc>>,
        }

        /// A validated model with 320 fields and no version.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
        #[dynamo(table = "wide_checked", billing = "on_demand", validate = "custom")]
        struct WideChecked {
            #[dynamo(hash_key)]
            id: String,
            $($field: i32,)*
        }

        /// The same, with a version.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
        #[dynamo(table = "wide_versioned", billing = "on_demand", validate = "custom")]
        struct WideVersioned {
            #[dynamo(hash_key)]
            id: String,
            $($field: i32,)*
            #[dynamo(version)]
            #[serde(default)]
            version: u64,
        }

        fn wide(id: &str, n: i32) -> Wide {
            Wide { id: id.into(), $($field: n,)* created: None }
        }

        fn wide_checked(id: &str) -> WideChecked {
            WideChecked { id: id.into(), $($field: 0,)* }
        }

        fn wide_versioned(id: &str) -> WideVersioned {
            WideVersioned { id: id.into(), $($field: 0,)* version: 0 }
        }
    };
}

wide_models!(
    f000, f001, f002, f003, f004, f005, f006, f007, f008, f009, f010, f011, f012, f013, f014, f015,
    f016, f017, f018, f019, f020, f021, f022, f023, f024, f025, f026, f027, f028, f029, f030, f031,
    f032, f033, f034, f035, f036, f037, f038, f039, f040, f041, f042, f043, f044, f045, f046, f047,
    f048, f049, f050, f051, f052, f053, f054, f055, f056, f057, f058, f059, f060, f061, f062, f063,
    f064, f065, f066, f067, f068, f069, f070, f071, f072, f073, f074, f075, f076, f077, f078, f079,
    f080, f081, f082, f083, f084, f085, f086, f087, f088, f089, f090, f091, f092, f093, f094, f095,
    f096, f097, f098, f099, f100, f101, f102, f103, f104, f105, f106, f107, f108, f109, f110, f111,
    f112, f113, f114, f115, f116, f117, f118, f119, f120, f121, f122, f123, f124, f125, f126, f127,
    f128, f129, f130, f131, f132, f133, f134, f135, f136, f137, f138, f139, f140, f141, f142, f143,
    f144, f145, f146, f147, f148, f149, f150, f151, f152, f153, f154, f155, f156, f157, f158, f159,
    f160, f161, f162, f163, f164, f165, f166, f167, f168, f169, f170, f171, f172, f173, f174, f175,
    f176, f177, f178, f179, f180, f181, f182, f183, f184, f185, f186, f187, f188, f189, f190, f191,
    f192, f193, f194, f195, f196, f197, f198, f199, f200, f201, f202, f203, f204, f205, f206, f207,
    f208, f209, f210, f211, f212, f213, f214, f215, f216, f217, f218, f219, f220, f221, f222, f223,
    f224, f225, f226, f227, f228, f229, f230, f231, f232, f233, f234, f235, f236, f237, f238, f239,
    f240, f241, f242, f243, f244, f245, f246, f247, f248, f249, f250, f251, f252, f253, f254, f255,
    f256, f257, f258, f259, f260, f261, f262, f263, f264, f265, f266, f267, f268, f269, f270, f271,
    f272, f273, f274, f275, f276, f277, f278, f279, f280, f281, f282, f283, f284, f285, f286, f287,
    f288, f289, f290, f291, f292, f293, f294, f295, f296, f297, f298, f299, f300, f301, f302, f303,
    f304, f305, f306, f307, f308, f309, f310, f311, f312, f313, f314, f315, f316, f317, f318, f319
);

impl WideChecked {
    fn validate(&self) -> Result<(), ValidationErrors> {
        Ok(())
    }
}

impl WideVersioned {
    fn validate(&self) -> Result<(), ValidationErrors> {
        Ok(())
    }
}

#[tokio::test]
async fn a_created_at_model_with_hundreds_of_fields_saves_and_keeps_its_created_at() {
    let db = common::db().await;
    Wide::table(&db).create().await.unwrap();
    wide("w1", 1).save(&db).await.unwrap();
    let first = Wide::get(&db, "w1").consistent().await.unwrap().unwrap();
    let created = first.created.expect("created_at set by the first save");
    assert_eq!(first.f319, 1);

    // Saved again from a model that does not know it: the stored one stays.
    wide("w1", 2).save(&db).await.unwrap();
    let second = Wide::get(&db, "w1").consistent().await.unwrap().unwrap();
    assert_eq!((second.f000, second.f319), (2, 2));
    assert_eq!(second.created, Some(created), "created_at kept");

    // Conditions hold as for any save.
    let err = wide("w1", 3).save(&db).unique().await.unwrap_err();
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err:?}");
    let err = wide("w1", 3)
        .save(&db)
        .when(Wide::F000.eq(99))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");
    wide("w1", 4)
        .save(&db)
        .when(Wide::F000.eq(2))
        .await
        .unwrap();
    let stored = Wide::get(&db, "w1").consistent().await.unwrap().unwrap();
    assert_eq!((stored.f000, stored.created), (4, Some(created)));

    // A new item through `unique`.
    wide("w2", 5).save(&db).unique().await.unwrap();
    assert!(Wide::get(&db, "w2")
        .await
        .unwrap()
        .unwrap()
        .created
        .is_some());
}

#[tokio::test]
async fn requests_over_the_expression_limits_fail_before_sending_and_name_the_model() {
    let db = common::db().await;
    Wide::table(&db).create().await.unwrap();
    wide("w1", 1).save(&db).await.unwrap();
    let (counted, requests) = common::counting(&db);
    let table = db.table_name(Wide::table_def());

    // A condition of more than 4 KB.
    let mut long: Option<Cond<Wide>> = None;
    for n in 0..400 {
        let next = Wide::F001.eq(n);
        long = Some(match long {
            Some(cond) => cond | next,
            None => next,
        });
    }
    let long = long.unwrap();
    let err = wide("w1", 1)
        .save(&counted)
        .when(long.clone())
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert!(
        message.contains("Wide") && message.contains(&table),
        "{message}"
    );
    assert!(message.contains("4096 bytes"), "{message}");
    let err = Wide::scan(&counted)
        .filter(long.clone())
        .all()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("FilterExpression"), "{err}");
    let err = Wide::delete(&counted, "w1").when(long).await.unwrap_err();
    assert!(err.to_string().contains("ConditionExpression"), "{err}");

    // An update of 301 fields at once: its UpdateExpression passes 4 KB
    // before it reaches DynamoDB's 300 operators.
    Wide::update(&counted, "w1")
        .plus(Wide::F000, 1)
        .plus(Wide::F001, 1)
        .await
        .unwrap();
    let before = requests.get();
    let handles = Wide::table_def().fields.len();
    assert!(handles > 301);
    let err = Wide::update_kw(
        &counted,
        "w1",
        (0..301).map(|i| (format!("f{i:03}__plus"), serde_json::json!(1))),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert!(err.to_string().contains("UpdateExpression"), "{err}");
    assert_eq!(requests.get(), before, "nothing was sent");
    assert_eq!(requests.get(), 1, "only the valid update was sent");
}

#[tokio::test]
async fn a_wide_validated_update_needs_a_version_to_check_it_is_unchanged() {
    let db = common::db().await;
    WideChecked::table(&db).create().await.unwrap();
    WideVersioned::table(&db).create().await.unwrap();
    wide_checked("c1").save(&db).await.unwrap();
    let err = WideChecked::update(&db, "c1")
        .set(WideChecked::F000, 5)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("WideChecked"), "{message}");
    assert!(message.contains("#[dynamo(version)]"), "{message}");
    assert_eq!(
        WideChecked::get(&db, "c1")
            .consistent()
            .await
            .unwrap()
            .unwrap()
            .f000,
        0
    );

    // With a version, only the version is checked, and the update goes through.
    wide_versioned("v1").save(&db).await.unwrap();
    let updated = WideVersioned::update(&db, "v1")
        .set(WideVersioned::F000, 5)
        .await
        .unwrap();
    assert_eq!((updated.f000, updated.version), (5, 2));
}

#[tokio::test]
async fn a_wide_created_at_model_in_a_transaction_keeps_its_created_at() {
    let db = common::db().await;
    Wide::table(&db).create().await.unwrap();
    db.transact_write().put(&wide("t1", 1)).await.unwrap();
    let first = Wide::get(&db, "t1").consistent().await.unwrap().unwrap();
    let created = first.created.expect("created_at set by the first write");
    db.transact_write()
        .put(&wide("t1", 2))
        .put(&wide("t2", 2))
        .await
        .unwrap();
    let second = Wide::get(&db, "t1").consistent().await.unwrap().unwrap();
    assert_eq!((second.f319, second.created), (2, Some(created)));
    assert!(Wide::get(&db, "t2")
        .await
        .unwrap()
        .unwrap()
        .created
        .is_some());

    // Its own condition still applies, at its position.
    let err = db
        .transact_write()
        .put(dynamorm::PutRequest::new(&wide("t1", 3)).unique())
        .await
        .unwrap_err();
    let Error::TransactionCanceled { reasons } = &err else {
        panic!("{err:?}")
    };
    assert!(reasons[0].is_condition_failed(), "{err}");
    assert_eq!(
        Wide::get(&db, "t1")
            .consistent()
            .await
            .unwrap()
            .unwrap()
            .f000,
        2
    );
}
