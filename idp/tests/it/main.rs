//! Integration tests of the IdP: a real server on 127.0.0.1:0, driven over HTTP, on SQLite and
//! on PostgreSQL (skipped, and reported, without `TEST_DATABASE_URL`).

mod accounts;
mod admin;
mod admin_hostile;
mod browser;
mod faults;
mod hr;
mod lifecycle;
mod login;
mod metrics;
mod oidc;
mod oidc_errors;
mod oidc_keys;
mod outbox;
mod portal_browser;
mod register_browser;
mod replicas;
mod scim;
mod strong_auth;
mod support;
mod throttle;

/// Declares each listed async fn (taking a `support::Backend`) as a test on both backends.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    // Boxed: a test's whole state machine would otherwise sit on the thread's stack.
                    Box::pin(super::$name($crate::support::Backend::Sqlite)).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    Box::pin(super::$name($crate::support::Backend::Postgres(concat!(env!("CARGO_PKG_NAME"), " ", module_path!(), "::", stringify!($name))))).await;
                }
            )*
        }
    };
}
