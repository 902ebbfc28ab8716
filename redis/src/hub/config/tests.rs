use super::*;

#[test]
fn the_defaults_pass_and_settings_that_cannot_work_are_refused() {
    assert!(BackplaneConfig::default().check().is_ok());
    assert!(BackplaneConfig::default()
        .max_queue(1)
        .max_queue_bytes(1)
        .check()
        .is_ok());
    for bad in [
        BackplaneConfig::default().prefix(""),
        BackplaneConfig::default().max_queue(0),
        BackplaneConfig::default().max_queue_bytes(0),
    ] {
        match bad.check() {
            Err(Error::Invalid(why)) => assert!(!why.is_empty()),
            other => panic!("{bad:?} gave {other:?}"),
        }
    }
}
