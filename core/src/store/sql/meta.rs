//! SQL for the key/value metadata of the installation.

pub const SELECT: &str = "SELECT value FROM meta WHERE key = $1";

pub const INSERT_IF_ABSENT: &str = "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";
