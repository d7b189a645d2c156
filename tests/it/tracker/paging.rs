#![allow(clippy::unwrap_used)]

//! Keyset pages read in id windows (`Repo::page`) against the real database: the same documents in the
//! same order as one unbounded query, whatever the spread of ids in time, the page size, the filter, or
//! ids that are not UUIDv7.

use bson::{doc, Document, Uuid};
use datatracker::store::Repo;
use futures::TryStreamExt;

use crate::harness::spawn_app;

/// A UUIDv7-shaped id made at `ms` (ms since the epoch) with `tail` in its last bytes.
fn v7_at(ms: i64, tail: u16) -> Uuid {
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    b[6] = 0x70;
    b[8] = 0x80;
    b[14..].copy_from_slice(&tail.to_be_bytes());
    Uuid::from_bytes(b)
}

fn id_of(d: &Document) -> Uuid {
    match d.get("_id") {
        Some(bson::Bson::Binary(b)) => Uuid::from_bytes(b.bytes.as_slice().try_into().unwrap()),
        other => panic!("not a UUID id: {other:?}"),
    }
}

async fn walk(repo: &Repo<Document>, filter: Document, limit: i64) -> Vec<Uuid> {
    let (mut out, mut after) = (Vec::new(), None);
    loop {
        let page = repo.page(filter.clone(), after, limit).await.unwrap();
        assert!(page.len() as i64 <= limit);
        let ids: Vec<Uuid> = page.iter().map(id_of).collect();
        out.extend(ids.iter().copied());
        if (page.len() as i64) < limit {
            return out;
        }
        after = ids.last().copied();
    }
}

#[tokio::test]
async fn windowed_pages_equal_one_unbounded_read() {
    let app = spawn_app().await;
    let coll = app.store.db().collection::<Document>("paging_probe");
    let now = chrono::Utc::now().timestamp_millis();
    let day = 86_400_000_i64;
    let mut docs = Vec::new();
    let mut tail = 0u16;
    let push = |id: Uuid, tail: u16, docs: &mut Vec<Document>| {
        docs.push(doc! { "_id": id, "k": i32::from(tail.is_multiple_of(3)) })
    };
    // Dense bursts, sparse stretches, a year-old start, ids in the same millisecond, ids "from the future".
    for (start, count, step) in
        [(now - 365 * day, 5, day), (now - 30 * day, 300, 1), (now - 1000, 40, 7), (now + 5 * day, 3, 1)]
    {
        for i in 0..count {
            tail += 1;
            push(v7_at(start + i * step, tail), tail, &mut docs);
        }
    }
    for _ in 0..20 {
        tail += 1;
        push(v7_at(now - 10 * day, tail), tail, &mut docs);
    }
    // Not UUIDv7: random (v4), all zeros, all ones.
    for id in [Uuid::from(uuid::Uuid::new_v4()), Uuid::from_bytes([0; 16]), Uuid::from_bytes([0xff; 16])] {
        tail += 1;
        push(id, tail, &mut docs);
    }
    coll.insert_many(docs).await.unwrap();
    let all = |filter: Document| {
        let coll = coll.clone();
        async move {
            let docs: Vec<Document> =
                coll.find(filter).sort(doc! { "_id": 1 }).await.unwrap().try_collect().await.unwrap();
            docs.iter().map(id_of).collect::<Vec<_>>()
        }
    };
    let (everything, some) = (all(doc! {}).await, all(doc! { "k": 1 }).await);
    assert_eq!(everything.len(), 371);
    for limit in [1, 2, 7, 50, 101, 1000] {
        // A fresh repository (nothing learnt) and one that has walked before.
        let fresh = Repo::<Document>::new(&app.store, "paging_probe");
        assert_eq!(walk(&fresh, doc! {}, limit).await, everything, "limit {limit}");
        assert_eq!(walk(&fresh, doc! { "k": 1 }, limit).await, some, "limit {limit}, filtered");
        assert_eq!(walk(&fresh, doc! {}, limit).await, everything, "limit {limit}, again");
    }
    // An id older than every other, inserted after a repository learnt where the collection starts.
    let repo = Repo::<Document>::new(&app.store, "paging_probe");
    assert_eq!(walk(&repo, doc! {}, 10).await, everything);
    let older = v7_at(now - 3650 * day, 1);
    coll.insert_one(doc! { "_id": older, "k": 1 }).await.unwrap();
    let first = repo.page(doc! {}, None, 2).await.unwrap();
    assert_eq!(id_of(&first[0]), Uuid::from_bytes([0; 16]));
    assert_eq!(id_of(&first[1]), older);
}
