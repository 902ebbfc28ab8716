//! The `Date` header value (RFC 9110, section 5.6.7: IMF-fixdate), cached per second.

use std::cell::RefCell;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use silly_runtime::time::loop_now;

/// `Date: ` and an IMF-fixdate (always 29 bytes) and CRLF.
const LINE_LEN: usize = 6 + 29 + 2;

/// The header line with the formatted date, and the instant (on the loop's
/// clock) it stops being true. A fixed-size line: appending it is a few
/// stores, not a call to copy a string of unknown length.
struct Cached {
    line: [u8; LINE_LEN],
    until: Option<Instant>,
}

thread_local! {
    static CACHE: RefCell<Cached> = const {
        RefCell::new(Cached { line: [0; LINE_LEN], until: None })
    };
}

/// Appends the `Date` header line, reformatted at most once a second; returns
/// when (on the loop's clock) the line stops being true.
pub(crate) fn push_header_line(out: &mut Vec<u8>) -> Instant {
    let now = loop_now();
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.until.is_none_or(|until| now >= until) {
            let since_epoch = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            let line = format!("Date: {}\r\n", format_imf(since_epoch.as_secs()));
            // A year past 9999 would not fit; the line then keeps its last value.
            if let Ok(line) = line.as_bytes().try_into() {
                cache.line = line;
            }
            let left =
                Duration::from_secs(1) - Duration::from_nanos(since_epoch.subsec_nanos().into());
            cache.until = Some(now + left);
        }
        out.extend_from_slice(&cache.line);
        cache.until.unwrap_or(now)
    })
}

/// Formats seconds since the Unix epoch as an IMF-fixdate.
pub(crate) fn format_imf(secs: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        day,
        MONTHS[(month - 1) as usize],
        year,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_dates() {
        assert_eq!(
            super::format_imf(784_111_777),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
        assert_eq!(super::format_imf(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            super::format_imf(951_782_400),
            "Tue, 29 Feb 2000 00:00:00 GMT"
        );
    }

    #[test]
    fn the_header_line_is_today_in_imf_fixdate() {
        silly_runtime::run(|| {
            let mut out = Vec::new();
            super::push_header_line(&mut out);
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            let line = String::from_utf8(out).unwrap();
            // The second may turn between the two clock reads.
            let expected =
                [secs - 1, secs, secs + 1].map(|s| format!("Date: {}\r\n", super::format_imf(s)));
            assert!(expected.contains(&line), "{line:?}");
        });
    }
}
