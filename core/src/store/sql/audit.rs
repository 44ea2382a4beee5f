//! SQL for the hash-chained audit log.

pub const SELECT_LAST: &str =
    "SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit_log ORDER BY seq DESC LIMIT 1";

pub const INSERT: &str = "INSERT INTO audit_log (seq, at, actor, action, target, detail, prev_hash, hash) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

pub const SELECT_RANGE: &str = "SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit_log \
     WHERE seq > $1 ORDER BY seq LIMIT $2";

pub const SELECT_FOR_TARGET: &str = "SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit_log \
     WHERE target = $1 ORDER BY seq DESC LIMIT $2";

/// Newest first, before `$1`; empty filters match anything; `$3` is an action prefix; the time
/// range is [`$5`, `$6`).
pub const SEARCH: &str = "SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit_log \
     WHERE seq < $1 AND ($2 = '' OR actor = $2) AND ($3 = '' OR action >= $3 AND action < $4) \
     AND ($7 = '' OR target = $7) AND at >= $5 AND at < $6 ORDER BY seq DESC LIMIT $8";
