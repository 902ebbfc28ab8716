use super::*;

#[test]
fn conversions_of_the_common_types() {
    assert_eq!(
        Value::Data(b"abc".to_vec()).convert::<Vec<u8>>().unwrap(),
        b"abc"
    );
    assert_eq!(
        Value::Status("OK".into()).convert::<String>().unwrap(),
        "OK"
    );
    assert_eq!(Value::Int(7).convert::<i64>().unwrap(), 7);
    assert_eq!(Value::Data(b"-12".to_vec()).convert::<i64>().unwrap(), -12);
    assert!(Value::Int(1).convert::<bool>().unwrap());
    assert!(!Value::Int(0).convert::<bool>().unwrap());
    assert!(Value::Status("OK".into()).convert::<bool>().unwrap());
    assert_eq!(Value::Nil.convert::<Option<String>>().unwrap(), None);
    assert_eq!(
        Value::Data(b"x".to_vec())
            .convert::<Option<String>>()
            .unwrap(),
        Some("x".into())
    );
    let array = Value::Array(vec![Value::Int(1), Value::Data(b"2".to_vec())]);
    assert_eq!(array.convert::<Vec<i64>>().unwrap(), [1, 2]);
    assert_eq!(Value::Nil.convert::<Vec<i64>>().unwrap(), Vec::<i64>::new());
    Value::Array(vec![]).convert::<()>().unwrap();
}

#[test]
fn mismatches_are_type_errors() {
    let err = Value::Data(b"abc".to_vec()).convert::<i64>().unwrap_err();
    assert!(
        matches!(err, Error::Type(ref t) if t.contains("integer")),
        "{err}"
    );
    assert!(matches!(
        Value::Nil.convert::<String>(),
        Err(Error::Type(_))
    ));
    assert!(matches!(
        Value::Data(vec![0xff]).convert::<String>(),
        Err(Error::Type(_))
    ));
    assert!(matches!(
        Value::Int(1).convert::<Vec<i64>>(),
        Err(Error::Type(_))
    ));
}

#[test]
fn an_error_inside_an_array_is_a_server_error() {
    let exec = Value::Array(vec![
        Value::Status("OK".into()),
        Value::Error(ServerError::new("WRONGTYPE Operation against a key")),
    ]);
    match exec.convert::<Vec<String>>() {
        Err(Error::Server(e)) => assert_eq!(e.kind(), "WRONGTYPE"),
        other => panic!("{other:?}"),
    }
}
