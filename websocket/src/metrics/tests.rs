use super::*;

#[test]
fn codes_past_the_table_are_counted_as_other() {
    let mut table = CloseCodes::new();
    for code in 4000..4000 + CLOSE_CODES as u16 + 2 {
        table.count(code);
    }
    table.count(4000);
    let counts: Vec<(u16, u64)> = table.snapshot().iter().copied().collect();
    assert_eq!(counts.len(), CLOSE_CODES + 1);
    assert_eq!(counts[0], (0, 2), "two codes found no slot");
    assert_eq!(counts[1], (4000, 2));
    assert!(counts.windows(2).all(|w| w[0].0 < w[1].0), "in order");
}

#[test]
fn a_close_without_a_code_is_1005() {
    assert_eq!(close_code(&[]), 1005);
    assert_eq!(close_code(&[0x03, 0xe8, b'x']), 1000);
}

#[test]
fn sums_merge_codes() {
    let a = WebSocketMetrics {
        close_sent: vec![(1000, 1), (1001, 2)].into(),
        messages_sent: 3,
        ..WebSocketMetrics::default()
    };
    let b = WebSocketMetrics {
        close_sent: vec![(1000, 4), (4001, 1)].into(),
        messages_sent: 5,
        ..WebSocketMetrics::default()
    };
    let sum = a + b;
    assert_eq!(sum.close_sent, vec![(1000, 5), (1001, 2), (4001, 1)].into());
    assert_eq!(sum.close_sent.get(1000), 5);
    assert_eq!(sum.close_sent.get(1002), 0);
    assert_eq!(sum.messages_sent, 8);
}
