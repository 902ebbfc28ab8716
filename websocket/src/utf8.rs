//! Incremental UTF-8 validation across fragments and reads: a text message
//! fails on the first invalid byte sequence, not after it is complete, and a
//! code point split between fragments is accepted.
//!
//! The validator answers whether the bytes so far can still become UTF-8. The
//! last piece of a message is not fed to it: the reader checks the whole
//! message once more with `String::from_utf8`, which is what makes it a
//! `String` without `unsafe`, and which also rejects a message ending inside a
//! code point. A message that arrives in one piece is so checked exactly once.

/// Validates a byte stream in pieces.
#[derive(Debug, Default, Clone)]
pub(crate) struct Utf8Validator {
    /// The start of a code point cut off at the end of the last piece.
    pending: [u8; 4],
    pending_len: usize,
}

/// Bytes in the UTF-8 sequence that `first` starts (0: not a leading byte).
fn sequence_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 0,
    }
}

impl Utf8Validator {
    /// Checks the next piece; `Err` as soon as the stream cannot be UTF-8
    /// whatever follows. `Ok` means the bytes so far are a prefix of UTF-8 text.
    pub(crate) fn feed(&mut self, mut bytes: &[u8]) -> Result<(), ()> {
        if self.pending_len > 0 {
            let need = sequence_len(self.pending[0]);
            let take = (need - self.pending_len).min(bytes.len());
            self.pending[self.pending_len..self.pending_len + take].copy_from_slice(&bytes[..take]);
            self.pending_len += take;
            bytes = &bytes[take..];
            match std::str::from_utf8(&self.pending[..self.pending_len]) {
                Ok(_) => self.pending_len = 0,
                Err(e) if e.error_len().is_none() && self.pending_len < need => return Ok(()),
                Err(_) => return Err(()),
            }
        }
        match std::str::from_utf8(bytes) {
            Ok(_) => Ok(()),
            // Cut at the end, and what is there is a valid start: keep it.
            Err(e) if e.error_len().is_none() => {
                let tail = &bytes[e.valid_up_to()..];
                self.pending[..tail.len()].copy_from_slice(tail);
                self.pending_len = tail.len();
                Ok(())
            }
            Err(_) => Err(()),
        }
    }
}

/// Whether `bytes` can begin UTF-8 text: what [`Utf8Validator::feed`] must
/// accept, in any pieces. The oracle of its tests.
#[cfg(any(test, fuzzing))]
pub(crate) fn is_valid_prefix(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::{is_valid_prefix, Utf8Validator};

    /// Every split of the input into 1, 2 and 3 pieces agrees with std on
    /// whether it can begin UTF-8; returns whether it is UTF-8 as a whole.
    fn check_split(text: &[u8]) -> bool {
        let prefix = is_valid_prefix(text);
        for i in 0..=text.len() {
            for j in i..=text.len() {
                let mut v = Utf8Validator::default();
                let ok = v.feed(&text[..i]).is_ok()
                    && v.feed(&text[i..j]).is_ok()
                    && v.feed(&text[j..]).is_ok();
                assert_eq!(ok, prefix, "{text:?} split at {i}, {j}");
            }
        }
        std::str::from_utf8(text).is_ok()
    }

    #[test]
    fn agrees_with_std_on_every_split() {
        assert!(check_split("κόσμε".as_bytes()));
        assert!(check_split("a€b𝄞c".as_bytes()));
        assert!(!check_split(&[
            0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5, 0xED, 0xA0, 0x80
        ]));
        assert!(!check_split(&[0xF4, 0x90, 0x80, 0x80])); // above U+10FFFF
        assert!(!check_split(&[0xE2, 0x82])); // cut short: a prefix, not whole
        assert!(is_valid_prefix(&[0xE2, 0x82]));
        assert!(!check_split(&[0xC0, 0xAF])); // overlong
    }

    #[test]
    fn fails_fast_on_the_first_invalid_piece() {
        let mut v = Utf8Validator::default();
        assert!(v.feed("hello ".as_bytes()).is_ok());
        assert!(
            v.feed(&[0xF0, 0x9F]).is_ok(),
            "a valid start of a 4-byte sequence"
        );
        assert!(
            v.feed(&[0x28]).is_err(),
            "not a continuation byte: fails before the message ends"
        );
    }
}
