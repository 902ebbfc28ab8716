use super::*;

fn feed(buf: &mut ReplyBuf, bytes: &[u8]) {
    buf.space().unwrap().extend_from_slice(bytes);
}

#[test]
fn replies_come_one_at_a_time_across_reads() {
    let mut buf = ReplyBuf::new(1024);
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
    let mut buf = ReplyBuf::new(1024);
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
    let mut buf = ReplyBuf::new(1024);
    feed(&mut buf, b"?what\r\n");
    assert!(matches!(buf.next(), Err(Error::Protocol(_))));
}

#[test]
fn a_reply_over_the_limit_is_refused() {
    let mut buf = ReplyBuf::new(16);
    feed(&mut buf, b"$100\r\n0123456789abcdef0123");
    assert!(buf.next().unwrap().is_none());
    assert!(matches!(buf.space(), Err(Error::Protocol(_))));
}
