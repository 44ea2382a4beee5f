//! SQL for the gateway's record of back-channel logouts.

pub const INSERT_LOGOUT: &str =
    "INSERT INTO gateway_logouts (idp_sid, sub, logged_out_at, expires_at) VALUES ($1, $2, $3, $4)";

pub const SELECT_LOGOUTS_SINCE: &str = "SELECT seq, idp_sid, sub, logged_out_at FROM gateway_logouts \
     WHERE logged_out_at >= $1 AND expires_at > $2 ORDER BY seq";

pub const DELETE_EXPIRED_LOGOUTS: &str = "DELETE FROM gateway_logouts WHERE expires_at <= $1";
