//! SQL for the hash-chained audit log.

pub const SELECT_LAST: &str =
    "SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit_log ORDER BY seq DESC LIMIT 1";

/// Rows written by one statement of [`insert_many`] (8 parameters each, far below either
/// driver's limit).
pub const ROWS_PER_INSERT: usize = 64;

/// `INSERT` of `rows` records in one statement.
pub fn insert_many(rows: usize) -> String {
    let mut sql =
        String::from("INSERT INTO audit_log (seq, at, actor, action, target, detail, prev_hash, hash) VALUES ");
    for r in 0..rows {
        let n = r * 8;
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
            n + 1,
            n + 2,
            n + 3,
            n + 4,
            n + 5,
            n + 6,
            n + 7,
            n + 8
        ));
    }
    sql
}

pub const SELECT_RANGE: &str = "SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit_log \
     WHERE seq > $1 ORDER BY seq LIMIT $2";

pub const SELECT_FOR_TARGET: &str = "SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit_log \
     WHERE target = $1 ORDER BY seq DESC LIMIT $2";

/// Newest first, before `$1`; empty filters match anything; `$3` is an action prefix; the time
/// range is [`$5`, `$6`).
pub const SEARCH: &str = "SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit_log \
     WHERE seq < $1 AND ($2 = '' OR actor = $2) AND ($3 = '' OR action >= $3 AND action < $4) \
     AND ($7 = '' OR target = $7) AND at >= $5 AND at < $6 ORDER BY seq DESC LIMIT $8";
