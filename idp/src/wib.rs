//! Times shown to people: Western Indonesia Time (UTC+7, no daylight saving), written the
//! Indonesian way (`17-08-2026 14.30 WIB`). Storage and tokens stay in UTC.

fn local(unix: i64) -> Option<time::OffsetDateTime> {
    let offset = time::UtcOffset::from_hms(7, 0, 0).ok()?;
    Some(time::OffsetDateTime::from_unix_timestamp(unix).ok()?.to_offset(offset))
}

/// `17-08-2026 14.30 WIB`
pub fn date_time(unix: i64) -> String {
    match local(unix) {
        Some(t) => {
            format!("{:02}-{:02}-{} {:02}.{:02} WIB", t.day(), u8::from(t.month()), t.year(), t.hour(), t.minute())
        }
        None => "-".into(),
    }
}

/// `17-08-2026`
pub fn date(unix: i64) -> String {
    match local(unix) {
        Some(t) => format!("{:02}-{:02}-{}", t.day(), u8::from(t.month()), t.year()),
        None => "-".into(),
    }
}

/// `14.30 WIB`
pub fn time_of_day(unix: i64) -> String {
    match local(unix) {
        Some(t) => format!("{:02}.{:02} WIB", t.hour(), t.minute()),
        None => "-".into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn wib_is_utc_plus_seven() {
        // 2026-08-17 07:30:00 UTC
        assert_eq!(super::date_time(1_786_951_800), "17-08-2026 14.30 WIB");
        assert_eq!(super::time_of_day(1_786_951_800), "14.30 WIB");
        assert_eq!(super::date(1_786_951_800), "17-08-2026");
    }
}
