//! Pub/sub against a real redis-server: subscribe, psubscribe, unsubscribe,
//! messages in order, subscribing while another coroutine reads.

mod util;

use std::rc::Rc;
use std::time::Duration;

use silly::redis::{self, Subscriber};
use silly::task;
use util::redis::RedisServer;

const WAIT: Duration = Duration::from_secs(5);

#[test]
fn messages_arrive_in_order_with_their_channel_and_pattern() {
    let server = RedisServer::start();
    let url = server.url();
    silly::run(move || {
        let sub = Subscriber::connect(&url).unwrap();
        sub.subscribe(&["news", "sport"]).unwrap();
        sub.psubscribe(&["room:*"]).unwrap();
        assert_eq!(sub.channels(), [b"news".to_vec(), b"sport".to_vec()]);
        assert_eq!(sub.patterns(), [b"room:*".to_vec()]);

        let mut publisher = redis::connect(&url).unwrap();
        for i in 0..100 {
            assert_eq!(publisher.publish("news", format!("n{i}")).unwrap(), 1);
        }
        assert_eq!(publisher.publish("room:1", b"\x00\xff").unwrap(), 1);
        assert_eq!(publisher.publish("elsewhere", "x").unwrap(), 0);

        for i in 0..100 {
            let msg = sub.next_message_timeout(WAIT).unwrap();
            assert_eq!(msg.channel, b"news");
            assert_eq!(msg.pattern, None);
            assert_eq!(msg.payload, format!("n{i}").into_bytes());
        }
        let msg = sub.next_message_timeout(WAIT).unwrap();
        assert_eq!(msg.channel, b"room:1");
        assert_eq!(msg.pattern.as_deref(), Some(&b"room:*"[..]));
        assert_eq!(msg.payload, b"\x00\xff");
        assert!(sub.is_connected());
    });
}

#[test]
fn unsubscribed_channels_are_silent() {
    let server = RedisServer::start();
    let url = server.url();
    silly::run(move || {
        let sub = Subscriber::connect(&url).unwrap();
        sub.subscribe(&["a", "b"]).unwrap();
        sub.psubscribe(&["p:*"]).unwrap();
        sub.unsubscribe(&["a"]).unwrap();
        sub.punsubscribe(&["p:*"]).unwrap();
        assert_eq!(sub.channels(), [b"b".to_vec()]);
        assert!(sub.patterns().is_empty());

        let mut publisher = redis::connect(&url).unwrap();
        assert_eq!(publisher.publish("a", "gone").unwrap(), 0);
        assert_eq!(publisher.publish("p:1", "gone").unwrap(), 0);
        assert_eq!(publisher.publish("b", "kept").unwrap(), 1);
        let msg = sub.next_message_timeout(WAIT).unwrap();
        assert_eq!(
            (msg.channel, msg.payload),
            (b"b".to_vec(), b"kept".to_vec())
        );
    });
}

#[test]
fn one_coroutine_reads_while_another_subscribes() {
    let server = RedisServer::start();
    let url = server.url();
    silly::run(move || {
        let sub = Rc::new(Subscriber::connect(&url).unwrap());
        let reader = {
            let sub = sub.clone();
            task::fork(move || {
                (0..3)
                    .map(|_| sub.next_message_timeout(WAIT).unwrap().payload)
                    .collect::<Vec<_>>()
            })
        };
        task::yield_now(); // the reader waits on the subscriber
        let mut publisher = redis::connect(&url).unwrap();
        for (i, topic) in ["t1", "t2", "t3"].into_iter().enumerate() {
            sub.subscribe(&[topic]).unwrap();
            assert_eq!(publisher.publish(topic, i.to_string()).unwrap(), 1);
        }
        assert_eq!(reader.join().unwrap(), [b"0", b"1", b"2"]);
    });
}

#[test]
fn no_message_is_a_timeout() {
    let server = RedisServer::start();
    let url = server.url();
    silly::run(move || {
        let sub = Subscriber::connect(&url).unwrap();
        sub.subscribe(&["quiet"]).unwrap();
        let err = sub
            .next_message_timeout(Duration::from_millis(50))
            .unwrap_err();
        assert!(
            matches!(err, redis::Error::Timeout) && err.is_timeout(),
            "{err:?}"
        );
    });
}
