use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{Addr, AddrError, Host};

#[test]
fn silly_forms() {
    let any = Addr::parse(":8080").unwrap();
    assert_eq!(any.host(), &Host::Ip(IpAddr::V4(Ipv4Addr::UNSPECIFIED)));
    assert_eq!(any.port(), 8080);

    let v4 = Addr::parse("127.0.0.1:80").unwrap();
    assert_eq!(v4.host(), &Host::Ip(IpAddr::V4(Ipv4Addr::LOCALHOST)));

    let v6 = Addr::parse("[::1]:443").unwrap();
    assert_eq!(v6.host(), &Host::Ip(IpAddr::V6(Ipv6Addr::LOCALHOST)));
    assert_eq!(v6.to_string(), "[::1]:443");

    let name = Addr::parse("localhost:8080").unwrap();
    assert_eq!(name.host(), &Host::Name("localhost".into()));
    assert_eq!(Addr::parse("a-b.example.com.:1").unwrap().port(), 1);
}

#[test]
fn malformed_addresses_are_typed_errors() {
    assert_eq!(Addr::parse(""), Err(AddrError::Empty));
    assert_eq!(Addr::parse("localhost"), Err(AddrError::MissingPort));
    assert_eq!(Addr::parse("[::1]"), Err(AddrError::MissingPort));
    assert!(matches!(
        Addr::parse("host:"),
        Err(AddrError::InvalidPort(_))
    ));
    assert!(matches!(
        Addr::parse("host:65536"),
        Err(AddrError::InvalidPort(_))
    ));
    assert!(matches!(
        Addr::parse("host:+80"),
        Err(AddrError::InvalidPort(_))
    ));
    assert!(matches!(
        Addr::parse("::1:80"),
        Err(AddrError::InvalidIp(_))
    ));
    assert!(matches!(
        Addr::parse("[::1:80"),
        Err(AddrError::InvalidIp(_))
    ));
    assert!(matches!(
        Addr::parse("[nope]:80"),
        Err(AddrError::InvalidIp(_))
    ));
    assert!(matches!(
        Addr::parse("bad host:80"),
        Err(AddrError::InvalidHost(_))
    ));
    assert!(matches!(
        Addr::parse("-x.com:80"),
        Err(AddrError::InvalidHost(_))
    ));
    assert!(matches!(
        Addr::parse("a..b:80"),
        Err(AddrError::InvalidHost(_))
    ));
    let long = format!("{}:80", "a".repeat(300));
    assert!(matches!(Addr::parse(&long), Err(AddrError::InvalidHost(_))));
}

#[test]
fn arbitrary_strings_never_panic_and_round_trip() {
    // A deterministic sweep over short strings from an alphabet that covers
    // every branch of the parser.
    let alphabet: Vec<char> = "[]:.0-9a%ff:: é".chars().collect();
    let mut count = 0;
    for a in &alphabet {
        for b in &alphabet {
            for c in &alphabet {
                for d in &alphabet {
                    let s: String = [*a, *b, *c, *d].iter().collect();
                    if let Ok(addr) = Addr::parse(&s) {
                        // What parses prints back to a string that parses the same.
                        assert_eq!(Addr::parse(&addr.to_string()), Ok(addr));
                        count += 1;
                    }
                }
            }
        }
    }
    assert!(count > 0, "the sweep reached the accepting paths");
}

mod properties {
    use proptest::prelude::*;

    use super::super::Addr;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn arbitrary_strings_parse_or_refuse(text in ".{0,80}") {
            if let Ok(addr) = Addr::parse(&text) {
                prop_assert_eq!(Addr::parse(&addr.to_string()), Ok(addr));
            }
        }

        #[test]
        fn host_and_port_round_trip(host in "[a-z]([a-z0-9-]{0,18}[a-z0-9])?(\\.[a-z][a-z0-9]{0,10}){0,3}", port in any::<u16>()) {
            let addr = Addr::parse(&format!("{host}:{port}")).unwrap();
            prop_assert_eq!(addr.port(), port);
            prop_assert_eq!(addr.to_string(), format!("{host}:{port}"));
        }
    }
}

#[test]
fn address_errors_are_not_timeouts_and_say_what_was_refused() {
    for text in ["", "localhost", "host:x", "::1:80", "bad host:1"] {
        let err = Addr::parse(text).unwrap_err();
        assert!(!err.is_timeout(), "{text:?}");
        let io = std::io::Error::from(err.clone());
        assert_eq!(io.kind(), std::io::ErrorKind::InvalidInput);
        assert_eq!(
            io.get_ref().and_then(|e| e.downcast_ref::<AddrError>()),
            Some(&err),
            "the AddrError is the io::Error's source"
        );
    }
}
