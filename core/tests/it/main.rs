//! Integration tests of gerbang-core: the store conformance suite, run unchanged on SQLite and
//! on PostgreSQL (skipped, and reported, without `TEST_DATABASE_URL`).

mod keyring;
mod store;

/// Declares each listed suite function as a test on both backends: `sqlite::name` and
/// `postgres::name`. A suite function takes a migrated `Store` on a fresh database.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let (store, _db) = gerbang_core::testing::TestDb::sqlite().await;
                    super::$name(store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let test = concat!(env!("CARGO_PKG_NAME"), " ", module_path!(), "::", stringify!($name));
                    let Some((store, db)) = gerbang_core::testing::TestDb::postgres(test).await else { return };
                    super::$name(store.clone()).await;
                    // Release every connection before the schema is dropped.
                    store.close().await;
                    drop(db);
                }
            )*
        }
    };
}
