use super::*;

#[test]
fn the_defaults_pass_and_settings_that_cannot_work_are_refused() {
    assert!(BackplaneConfig::default().check().is_ok());
    assert!(BackplaneConfig::default()
        .max_queue(1)
        .max_queue_bytes(1)
        .check()
        .is_ok());
    for (bad, field) in [
        (BackplaneConfig::default().prefix(String::new()), "prefix"),
        (BackplaneConfig::default().max_queue(0), "max_queue"),
        (
            BackplaneConfig::default().max_queue_bytes(0),
            "max_queue_bytes",
        ),
    ] {
        let err = bad.check().unwrap_err();
        assert_eq!(
            (err.config(), err.field()),
            ("BackplaneConfig", field),
            "{bad:?}"
        );
    }
}
