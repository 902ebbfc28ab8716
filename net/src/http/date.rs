//! The `Date` header value (RFC 9110, section 5.6.7: IMF-fixdate), cached per second.

use std::cell::RefCell;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use silly_runtime::time::loop_now;

/// The header line with the formatted date, and the instant (on the loop's
/// clock) it stops being true.
struct Cached {
    line: String,
    until: Option<Instant>,
}

thread_local! {
    static CACHE: RefCell<Cached> = const {
        RefCell::new(Cached { line: String::new(), until: None })
    };
}

/// Runs `f` with the current `Date` header line, e.g.
/// `Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n`. The clocks are read once a second,
/// not once a response: checking the loop's clock is free, and the date may
/// lag by a loop turn.
pub(crate) fn with_header_line<R>(f: impl FnOnce(&str) -> R) -> R {
    let now = loop_now();
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.until.is_none_or(|until| now >= until) {
            let since_epoch = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            cache.line = format!("Date: {}\r\n", format_imf(since_epoch.as_secs()));
            let left =
                Duration::from_secs(1) - Duration::from_nanos(since_epoch.subsec_nanos().into());
            cache.until = Some(now + left);
        }
        f(&cache.line)
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
}
