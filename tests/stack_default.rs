//! The default coroutine stack fits what ordinary handlers call: recursive
//! libraries at their own depth limits, in debug builds too (these tests are
//! one). An overflow aborts the process, so each runs in a child process.

mod util;

/// Runs `scenario` in a child; it must end normally.
fn passes_in_a_child(test: &str, scenario: &str) {
    let out = util::run_child(test, scenario);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{scenario}: {:?}\n{stderr}",
        out.status
    );
    assert!(!stderr.contains("stack overflow"), "{stderr}");
}

/// Runs `work` in a task forked with the default stack size.
fn in_a_task(work: fn()) {
    silly::run(move || silly::task::fork(work).join().unwrap());
}

#[test]
fn serde_json_at_its_nesting_limit() {
    if util::child_scenario().is_some() {
        in_a_task(|| {
            // serde_json refuses input nested deeper than 128 levels; 127 parse.
            let depth = 127;
            let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            serde_json::from_str::<serde_json::Value>(&arrays).unwrap();
            let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
            serde_json::from_str::<serde_json::Value>(&objects).unwrap();
            let too_deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
            let err = serde_json::from_str::<serde_json::Value>(&too_deep).unwrap_err();
            assert!(err.to_string().contains("recursion limit"), "{err}");
        });
        return;
    }
    passes_in_a_child("serde_json_at_its_nesting_limit", "json");
}

#[test]
fn regex_compilation_of_a_deeply_nested_pattern() {
    if util::child_scenario().is_some() {
        in_a_task(|| {
            let nested = format!("{}a{}", "(?:".repeat(200), ")".repeat(200));
            assert!(regex::Regex::new(&nested).unwrap().is_match("a"));
            let re =
                regex::Regex::new(r"^(\w+)@(\w+)\.(com|org)((a|b)*c{2,5}[^x]+){1,20}$").unwrap();
            assert!(re.is_match("me@example.orgabccc1"));
            assert!(!re.is_match("me@example.net"));
        });
        return;
    }
    passes_in_a_child("regex_compilation_of_a_deeply_nested_pattern", "regex");
}
