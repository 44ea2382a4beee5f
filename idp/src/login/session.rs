//! Login sessions of the IdP: a random id in an `HttpOnly` cookie, only its SHA-256 in the
//! database, so a database leak does not hand out live sessions.

use gerbang_core::crypto::random;
use gerbang_core::store::{Account, AccountStatus, AccountStore, Session, SessionStore, Store, StoreError, now_unix};
use sha2::{Digest, Sha256};

#[derive(Clone)]
pub struct SessionService {
    store: Store,
    ttl_secs: i64,
}

/// A session that was just created; `cookie_value` goes to the browser and nowhere else.
pub struct NewSession {
    pub cookie_value: String,
    pub session: Session,
}

impl SessionService {
    pub fn new(store: Store, ttl_secs: u64) -> Self {
        SessionService { store, ttl_secs: ttl_secs as i64 }
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    pub async fn create(
        &self,
        account: &Account,
        amr: &str,
        user_agent: &str,
        source_ip: &str,
    ) -> Result<NewSession, StoreError> {
        let cookie_value = random::token(32);
        let now = now_unix();
        let session = Session {
            id_hash: hash(&cookie_value),
            account_id: account.id.clone(),
            amr: amr.into(),
            auth_time: now,
            created_at: now,
            expires_at: now + self.ttl_secs,
            user_agent: user_agent.chars().take(200).collect(),
            source_ip: source_ip.into(),
            sid: random::token(16),
        };
        let mut tx = self.store.begin().await?;
        tx.insert_session(&session).await?;
        tx.commit().await?;
        metrics::counter!("gerbang_sign_ins_total", "result" => "success", "method" => amr.replace(' ', "+"))
            .increment(1);
        Ok(NewSession { cookie_value, session })
    }

    /// The live session and its account, if the cookie names one and the account is active.
    pub async fn current(&self, cookie_value: &str) -> Result<Option<(Session, Account)>, StoreError> {
        if cookie_value.len() != 43 {
            return Ok(None);
        }
        let mut db = self.store.conn().await?;
        let Some(session) = db.live_session(&hash(cookie_value), now_unix()).await? else {
            return Ok(None);
        };
        match db.account(&session.account_id).await? {
            Some(account) if account.status == AccountStatus::Active => Ok(Some((session, account))),
            _ => Ok(None),
        }
    }

    pub async fn end(&self, cookie_value: &str) -> Result<(), StoreError> {
        let mut tx = self.store.begin().await?;
        tx.delete_session(&hash(cookie_value)).await?;
        tx.commit().await
    }
}

fn hash(cookie_value: &str) -> Vec<u8> {
    Sha256::digest(cookie_value.as_bytes()).to_vec()
}
