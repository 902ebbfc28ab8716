use super::*;

fn feed(buf: &mut ReplyBuf, bytes: &[u8]) {
    buf.space().unwrap().extend_from_slice(bytes);
}

#[test]
fn replies_come_one_at_a_time_across_reads() {
    let mut buf = ReplyBuf::new(1024, 8);
    assert!(buf.next().unwrap().is_none());
    feed(&mut buf, b"+OK\r\n:4");
    assert_eq!(
        buf.next().unwrap().unwrap().unwrap(),
        Value::Status("OK".into())
    );
    assert!(buf.next().unwrap().is_none(), "the integer is incomplete");
    feed(&mut buf, b"2\r\n$-1\r\n*2\r\n$1\r\na\r\n$0\r\n\r\n");
    assert_eq!(buf.next().unwrap().unwrap().unwrap(), Value::Int(42));
    assert_eq!(buf.next().unwrap().unwrap().unwrap(), Value::Nil);
    assert_eq!(
        buf.next().unwrap().unwrap().unwrap(),
        Value::Array(vec![Value::Data(b"a".to_vec()), Value::Data(vec![])])
    );
    assert!(buf.next().unwrap().is_none());
}

#[test]
fn an_error_reply_is_a_server_error_and_the_stream_goes_on() {
    let mut buf = ReplyBuf::new(1024, 8);
    feed(&mut buf, b"-WRONGPASS invalid password\r\n+PONG\r\n");
    match buf.next().unwrap().unwrap() {
        Err(Error::Server(e)) => {
            assert_eq!(e.kind(), "WRONGPASS");
            assert_eq!(e.message(), "invalid password");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        buf.next().unwrap().unwrap().unwrap(),
        Value::Status("PONG".into())
    );
}

#[test]
fn garbage_is_a_protocol_error() {
    let mut buf = ReplyBuf::new(1024, 8);
    feed(&mut buf, b"?what\r\n");
    assert!(matches!(
        buf.next(),
        Err(Error::Protocol(ProtocolError::UnknownType(b'?')))
    ));
}

#[test]
fn a_reply_over_the_limit_is_refused() {
    let mut buf = ReplyBuf::new(16, 8);
    // A status line that never ends.
    feed(&mut buf, b"+0123456789abcdef0123");
    assert!(buf.next().unwrap().is_none());
    assert!(matches!(
        buf.space(),
        Err(Error::Protocol(ProtocolError::TooLarge { max_bytes: 16 }))
    ));
}

/// Every reply of `bytes`, fed whole, then fed in pieces of `step` bytes:
/// both must give the same replies.
fn decode_all(bytes: &[u8], step: usize) -> Vec<Value> {
    let mut buf = ReplyBuf::new(1 << 20, 8);
    let mut out = Vec::new();
    for piece in bytes.chunks(step) {
        feed(&mut buf, piece);
        while let Some(reply) = buf.next().unwrap() {
            out.push(reply.unwrap_or_else(|e| Value::Status(format!("server: {e}"))));
        }
    }
    out
}

#[test]
fn any_split_of_the_bytes_gives_the_same_replies() {
    let bytes: &[u8] = b"*3\r\n*2\r\n:1\r\n$3\r\na\r\n\r\n*0\r\n*-1\r\n\
        +OK\r\n-ERR no\r\n$-1\r\n*2\r\n-WRONGTYPE x\r\n:-7\r\n";
    let whole = decode_all(bytes, bytes.len());
    assert_eq!(
        whole,
        [
            Value::Array(vec![
                Value::Array(vec![Value::Int(1), Value::Data(b"a\r\n".to_vec())]),
                Value::Array(vec![]),
                Value::Nil,
            ]),
            Value::Status("OK".into()),
            Value::Status("server: redis: server error: ERR no".into()),
            Value::Nil,
            Value::Array(vec![
                Value::Error(ServerError::new("WRONGTYPE x")),
                Value::Int(-7)
            ]),
        ]
    );
    for step in 1..bytes.len() {
        assert_eq!(decode_all(bytes, step), whole, "pieces of {step}");
    }
}

#[test]
fn nesting_past_the_limit_is_refused_without_recursion() {
    // 100,000 levels: the recursive decoder this replaced overflowed the
    // coroutine's stack on it and aborted the process.
    let mut buf = ReplyBuf::new(1 << 20, 64);
    feed(&mut buf, &b"*1\r\n".repeat(100_000));
    match buf.next() {
        Err(Error::Protocol(ProtocolError::TooDeep { max_depth: 64 })) => {}
        other => panic!("{other:?}"),
    }
    // The limit itself is accepted.
    let mut buf = ReplyBuf::new(1 << 20, 64);
    feed(&mut buf, &b"*1\r\n".repeat(64));
    feed(&mut buf, b":5\r\n");
    let mut value = buf.next().unwrap().unwrap().unwrap();
    for _ in 0..64 {
        let Value::Array(mut items) = value else {
            panic!("not an array")
        };
        value = items.pop().unwrap();
    }
    assert_eq!(value, Value::Int(5));
}

#[test]
fn announced_lengths_past_the_limit_are_refused_before_the_bytes() {
    for header in [
        &b"$1025\r\n"[..],
        b"*1025\r\n",
        b"*9223372036854775807\r\n",
        b"$99999999999999999999\r\n",
        b"*1\r\n*1\r\n$4096\r\n",
    ] {
        let mut buf = ReplyBuf::new(1024, 8);
        feed(&mut buf, header);
        assert!(
            matches!(buf.next(), Err(Error::Protocol(_))),
            "{}",
            String::from_utf8_lossy(header)
        );
    }
    // At the limit, it waits for the bytes.
    let mut buf = ReplyBuf::new(1024, 8);
    feed(&mut buf, b"$1000\r\n");
    assert!(buf.next().unwrap().is_none());
}

#[test]
fn malformed_headers_are_protocol_errors_that_say_which() {
    use std::error::Error as _;
    let not_integer = |e: &ProtocolError| matches!(e, ProtocolError::NotAnInteger(_));
    type Expected = fn(&ProtocolError) -> bool;
    let cases: [(&[u8], Expected); 9] = [
        (b"$-2\r\n", |e| *e == ProtocolError::NegativeLength(-2)),
        (b"*-5\r\n", |e| *e == ProtocolError::NegativeLength(-5)),
        (b"$x\r\n", |e| {
            *e == ProtocolError::NotAnInteger(b"x".to_vec())
        }),
        (b"$\r\n", not_integer),
        (b":1.5\r\n", not_integer),
        (b":--1\r\n", not_integer),
        (b":99999999999999999999\r\n", |e| {
            matches!(e, ProtocolError::IntegerOutOfRange(_)) && e.source().is_some()
        }),
        (b"$3\r\nabcXY", |e| *e == ProtocolError::MissingCrlf),
        (b"%1\r\n", |e| *e == ProtocolError::UnknownType(b'%')),
    ];
    for (bytes, expected) in cases {
        let mut buf = ReplyBuf::new(1024, 8);
        feed(&mut buf, bytes);
        let shown = String::from_utf8_lossy(bytes);
        match buf.next() {
            Err(err @ Error::Protocol(_)) => {
                let Error::Protocol(why) = &err else {
                    unreachable!()
                };
                assert!(expected(why), "{shown}: {why:?}");
                let source = err.source().expect("a protocol error has a source");
                assert_eq!(source.downcast_ref::<ProtocolError>(), Some(why));
            }
            other => panic!("{shown}: {other:?}"),
        }
    }
}

#[test]
fn a_long_line_that_is_not_an_integer_is_kept_short_in_its_error() {
    let mut buf = ReplyBuf::new(1 << 20, 8);
    let mut line = b":".to_vec();
    line.extend(std::iter::repeat_n(b'x', 100_000));
    line.extend_from_slice(b"\r\n");
    feed(&mut buf, &line);
    match buf.next() {
        Err(Error::Protocol(ProtocolError::NotAnInteger(shown))) => {
            assert_eq!(shown, vec![b'x'; 64]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_reply_decoded_in_parts_still_counts_against_the_limit() {
    let mut buf = ReplyBuf::new(128, 8);
    // Elements decoded as they come are dropped from the buffer, but not
    // from the reply's size.
    feed(&mut buf, b"*100\r\n");
    let mut fed = 0;
    while let Ok(space) = buf.space() {
        space.extend_from_slice(b":1\r\n");
        assert!(buf.next().unwrap().is_none());
        fed += 1;
        assert!(fed < 100, "never refused");
    }
    // 6 bytes of header and 31 elements of 4 make 130.
    assert_eq!(fed, 31);
}
