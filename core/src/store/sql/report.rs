//! SQL for the reports of Pasal 24: aggregates over a period, grouped by OPD or application.
//! Accounts without an OPD (citizens) are grouped under the empty id.

pub const SIGN_INS_BY_OPD: &str = "SELECT COALESCE(a.opd_id, '') AS opd_id, \
     SUM(CASE WHEN s.result = 'ok' THEN 1 ELSE 0 END) AS ok, \
     SUM(CASE WHEN s.result <> 'ok' THEN 1 ELSE 0 END) AS failed, \
     COUNT(DISTINCT CASE WHEN s.result = 'ok' THEN s.account_id END) AS users \
     FROM sign_ins s JOIN accounts a ON a.id = s.account_id \
     WHERE s.at >= $1 AND s.at < $2 GROUP BY COALESCE(a.opd_id, '') ORDER BY 1";

/// Every grant of a person's sign-in to an application (one per code exchange).
pub const SIGN_INS_BY_APPLICATION: &str = "SELECT COALESCE(c.application_id, '') AS application_id, \
     COUNT(*) AS sign_ins, COUNT(DISTINCT g.account_id) AS users \
     FROM grants g JOIN clients c ON c.id = g.client_id \
     WHERE g.account_id IS NOT NULL AND g.created_at >= $1 AND g.created_at < $2 \
     GROUP BY COALESCE(c.application_id, '') ORDER BY 1";

pub const FACTORS_BY_OPD: &str = "SELECT COALESCE(a.opd_id, '') AS opd_id, COUNT(*) AS accounts, \
     SUM(CASE WHEN EXISTS (SELECT 1 FROM totp_credentials t WHERE t.account_id = a.id AND t.confirmed_at IS NOT NULL) \
       OR EXISTS (SELECT 1 FROM passkeys p WHERE p.account_id = a.id) THEN 1 ELSE 0 END) AS mfa, \
     SUM(CASE WHEN EXISTS (SELECT 1 FROM passkeys p WHERE p.account_id = a.id) THEN 1 ELSE 0 END) AS passkey \
     FROM accounts a WHERE a.status = 'active' GROUP BY COALESCE(a.opd_id, '') ORDER BY 1";

pub const APPLICATIONS: &str = "SELECT a.id, a.name, a.opd_id, a.onboarding, \
     (SELECT COUNT(*) FROM application_docs d WHERE d.application_id = a.id \
        AND (d.link IS NOT NULL OR d.file_sha256 IS NOT NULL)) AS docs_given, \
     (SELECT COUNT(*) FROM application_docs d WHERE d.application_id = a.id AND d.checked_at IS NOT NULL) AS docs_checked \
     FROM applications a ORDER BY a.opd_id, a.name_key, a.id";
