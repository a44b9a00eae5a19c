//! The web API example, over real HTTP: a client walks every page with the
//! signed cursors it is handed, and a tampered or foreign cursor is a 400.

#[allow(dead_code, unreachable_pub)]
#[path = "../../examples/web_api.rs"]
mod example;

use dynamorm::prelude::*;

use crate::support::common;

#[tokio::test]
async fn every_page_is_walked_over_http_and_a_tampered_cursor_is_a_400() {
    let db = common::db()
        .await
        .with_cursor_key(b"0123456789abcdef0123456789abcdef");
    example::seed(&db, 23).await.unwrap();
    let addr = example::serve(db.clone()).await.unwrap();
    let ids = example::walk(addr).await.unwrap();
    assert_eq!(
        ids,
        (0..23).collect::<Vec<_>>(),
        "every widget once, no gadget"
    );

    let (status, body) = example::http_get(addr, "/things").await.unwrap();
    assert_eq!(status, 200);
    assert!(
        !body.contains("internal_note"),
        "only the projection is served: {body}"
    );
    let page: example::PageBody = serde_json::from_str(&body).unwrap();
    let next = page.next.unwrap();
    for tampered in [
        format!(
            "{}{}",
            &next[..next.len() - 1],
            if next.ends_with('A') { "B" } else { "A" }
        ),
        next[..next.len() / 2].to_owned(),
        "not-a-cursor".to_owned(),
    ] {
        let (status, body) = example::http_get(addr, &format!("/things?cursor={tampered}"))
            .await
            .unwrap();
        assert_eq!(status, 400, "{tampered}: {body}");
    }

    // A cursor of another query (a scan of the same table) is refused too.
    let scan_cursor = example::Thing::scan(&db)
        .limit(2)
        .page(None)
        .await
        .unwrap()
        .next
        .unwrap();
    let (status, body) = example::http_get(addr, &format!("/things?cursor={scan_cursor}"))
        .await
        .unwrap();
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("not issued for this query"), "{body}");
}
