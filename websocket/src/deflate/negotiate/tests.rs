//! Offers, answers and responses as header strings: no sockets.

use super::*;

fn accept_one(header: &str, ours: Compression) -> Option<(String, Agreed)> {
    accept(std::iter::once(header), &ours)
}

const SHARED: Compression = Compression::shared();
const OWN: Compression = Compression::per_connection();

#[test]
fn browser_offer_in_shared_mode_gets_no_takeover_both_ways() {
    let (answer, agreed) =
        accept_one("permessage-deflate; client_max_window_bits", SHARED).expect("accepted");
    assert_eq!(
        answer,
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
    );
    assert!(agreed.server_no_context_takeover && agreed.client_no_context_takeover);
    assert_eq!(
        (agreed.server_max_window_bits, agreed.client_max_window_bits),
        (15, 15)
    );
}

#[test]
fn per_connection_mode_keeps_context_and_echoes_what_was_asked() {
    let (answer, agreed) = accept_one("permessage-deflate", OWN).unwrap();
    assert_eq!(answer, "permessage-deflate");
    assert!(!agreed.server_no_context_takeover && !agreed.client_no_context_takeover);
    let (answer, agreed) = accept_one(
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=10",
        OWN,
    )
    .unwrap();
    assert_eq!(
        answer,
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=10"
    );
    assert_eq!(agreed.server_max_window_bits, 10);
    let (send, recv) = agreed.directions(false);
    assert_eq!((send.takeover, send.window_bits), (false, 10));
    assert_eq!((recv.takeover, recv.window_bits), (true, 15));
}

#[test]
fn smaller_window_of_ours_bounds_the_client_when_it_allows() {
    let ours = OWN.window_bits(11);
    let (answer, agreed) = accept_one("permessage-deflate; client_max_window_bits", ours).unwrap();
    assert_eq!(answer, "permessage-deflate; client_max_window_bits=11");
    assert_eq!(
        (agreed.server_max_window_bits, agreed.client_max_window_bits),
        (11, 11)
    );
    // Without client_max_window_bits in the offer, it may not be answered.
    let (answer, agreed) = accept_one("permessage-deflate", ours).unwrap();
    assert_eq!(answer, "permessage-deflate");
    assert_eq!(agreed.client_max_window_bits, 15);
}

#[test]
fn window_bits_8_is_accepted_as_offered() {
    let (answer, agreed) = accept_one(
        "permessage-deflate; server_max_window_bits=8; client_max_window_bits=8",
        OWN,
    )
    .unwrap();
    assert_eq!(answer, "permessage-deflate; server_max_window_bits=8");
    assert_eq!(
        (agreed.server_max_window_bits, agreed.client_max_window_bits),
        (8, 8)
    );
}

#[test]
fn invalid_offers_are_declined_and_the_next_taken() {
    for bad in [
        "permessage-deflate; server_max_window_bits",
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=010",
        "permessage-deflate; client_max_window_bits=abc",
        "permessage-deflate; server_no_context_takeover=1",
        "permessage-deflate; unknown_param",
        "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
        "x-webkit-deflate-frame",
    ] {
        assert_eq!(accept_one(bad, OWN), None, "{bad}");
        let two = format!("{bad}, permessage-deflate; client_no_context_takeover");
        let (answer, agreed) = accept_one(&two, OWN).expect(&two);
        assert_eq!(answer, "permessage-deflate; client_no_context_takeover");
        assert!(agreed.client_no_context_takeover);
    }
    // Offers spread over two header lines, a quoted value.
    let lines = ["foo", "permessage-deflate; server_max_window_bits=\"12\""];
    let (answer, _) = accept(lines.into_iter(), &OWN).unwrap();
    assert_eq!(answer, "permessage-deflate; server_max_window_bits=12");
    assert_eq!(
        accept_one("permessage-deflate; a=\"unterminated", OWN),
        None
    );
    assert_eq!(accept(std::iter::empty(), &OWN), None);
}

#[test]
fn our_offers_are_accepted_by_our_server() {
    for ours in [SHARED, OWN, OWN.window_bits(10)] {
        let offer = offer(&ours);
        let (answer, server) = accept_one(&offer, ours).expect(&offer);
        let client = check_response(std::iter::once(answer.as_str()), Some(&ours))
            .expect(&answer)
            .expect("agreed");
        assert_eq!(client, server, "{offer} -> {answer}");
    }
}

#[test]
fn responses_are_checked() {
    let ok = |r: &str| check_response(std::iter::once(r), Some(&OWN));
    assert_eq!(check_response(std::iter::empty(), Some(&OWN)), Ok(None));
    let agreed = ok("permessage-deflate; client_max_window_bits=9; server_no_context_takeover")
        .unwrap()
        .unwrap();
    let (send, recv) = agreed.directions(true);
    assert_eq!((send.takeover, send.window_bits), (true, 9));
    assert_eq!((recv.takeover, recv.window_bits), (false, 15));
    for bad in [
        "permessage-deflate; client_max_window_bits",
        "permessage-deflate; server_max_window_bits=20",
        "permessage-deflate; bogus",
        "permessage-deflate, permessage-deflate",
        "x-other",
        "permessage-deflate; \"",
    ] {
        assert!(ok(bad).is_err(), "{bad}");
    }
    // Nothing offered: any extension fails the handshake.
    assert!(check_response(std::iter::once("permessage-deflate"), None).is_err());
    assert_eq!(check_response(std::iter::empty(), None), Ok(None));
}

proptest::proptest! {
    /// Any offer built from the RFC's names (valid or not) is declined, or
    /// answered with a response our client accepts with the same takeover.
    #[test]
    fn answers_are_accepted_by_our_client(
        offer in "(permessage-deflate|x-y)(; ?(server_no_context_takeover|client_no_context_takeover|server_max_window_bits(=\"?[0-9]{1,2}\"?)?|client_max_window_bits(=[0-9]{1,2})?|z)){0,5}(, permessage-deflate(; client_max_window_bits)?)?"
    ) {
        for ours in [SHARED, OWN, OWN.window_bits(9)] {
            if let Some((answer, server)) = accept_one(&offer, ours) {
                let client = check_response(std::iter::once(answer.as_str()), Some(&ours))
                    .expect(&answer)
                    .expect("agreed");
                proptest::prop_assert_eq!(
                    (client.server_no_context_takeover, client.client_no_context_takeover),
                    (server.server_no_context_takeover, server.client_no_context_takeover)
                );
                proptest::prop_assert!(server.server_max_window_bits <= ours.window_bits);
            }
        }
    }
}
