//! SQL for the hash-chained audit log.

pub const SELECT_LAST: &str =
    "SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit_log ORDER BY seq DESC LIMIT 1";

pub const INSERT: &str = "INSERT INTO audit_log (seq, at, actor, action, target, detail, prev_hash, hash) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

pub const SELECT_RANGE: &str = "SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit_log \
     WHERE seq > $1 ORDER BY seq LIMIT $2";

pub const SELECT_FOR_TARGET: &str = "SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit_log \
     WHERE target = $1 ORDER BY seq DESC LIMIT $2";
