use super::{is_clean_value, is_token};

/// The byte-at-a-time definitions the fast checks must agree with.
fn naive_clean(value: &[u8]) -> bool {
    !value.iter().any(|&b| b == b'\r' || b == b'\n' || b == 0)
}

fn naive_token(name: &[u8]) -> bool {
    !name.is_empty()
        && name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[test]
fn value_check_agrees_for_every_byte_at_every_place() {
    for len in 1..=19 {
        for at in 0..len {
            for b in 0..=255u8 {
                let mut value = vec![b'a'; len];
                value[at] = b;
                assert_eq!(is_clean_value(&value), naive_clean(&value), "{value:?}");
            }
        }
    }
    assert!(is_clean_value(b""));
    assert!(is_clean_value(
        "tab\there, UTF-8 é, obs-text \u{ff}".as_bytes()
    ));
}

#[test]
fn token_check_agrees_for_every_byte_at_every_place() {
    for len in 1..=12 {
        for at in 0..len {
            for b in 0..=255u8 {
                let mut name = vec![b'x'; len];
                name[at] = b;
                assert_eq!(is_token(&name), naive_token(&name), "{name:?}");
            }
        }
    }
    assert!(!is_token(b""));
}
