//! A bounded pool of connections shared by the coroutines of one runtime.

use std::cell::RefCell;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::rc::Rc;
use std::time::Instant;

use silly_runtime::sync::Semaphore;
use silly_runtime::time;

use crate::backoff::{self, Backoff};
use crate::config::Config;
use crate::connection::Connection;
use crate::error::{Error, Result};

/// Connections for the coroutines of one runtime: at most
/// [`Config::pool_size`] open at once, opened when needed, kept for reuse.
///
/// [`get`](Pool::get) hands out a connection, waiting up to
/// [`Config::pool_timeout`] when all are in use; dropping the
/// [`PooledConnection`] gives it back, unless a failure (or a command
/// interrupted while being written) closed it: a closed connection is dropped, and the next `get` opens a new one; so is an idle
/// one the server closed meanwhile. When opening
/// fails, `get` tries again after a back-off that doubles from
/// [`Config::backoff_min`] up to [`Config::backoff_max`], until its wait runs
/// out; a refused password is returned at once.
///
/// Cloning shares the pool. It is `!Send` (one per runtime): with several
/// runtimes, make one pool in each.
///
/// ```no_run
/// use silly_redis::{Config, Pool};
///
/// silly_runtime::run(|| {
///     let pool = Pool::new(Config::from_url("redis://127.0.0.1/").unwrap()).unwrap();
///     let workers: Vec<_> = (0..100)
///         .map(|i| {
///             let pool = pool.clone();
///             silly_runtime::task::fork(move || {
///                 let mut conn = pool.get().unwrap();
///                 conn.incr(format!("counter:{}", i % 10), 1).unwrap()
///             })
///         })
///         .collect();
///     for w in workers {
///         w.join().unwrap();
///     }
/// });
/// ```
#[derive(Clone)]
pub struct Pool {
    shared: Rc<Shared>,
}

struct Shared {
    config: Config,
    /// Open connections not in use, the most recently returned last.
    idle: RefCell<Vec<Connection>>,
    /// One permit per connection that may be in use: taken by `get`, given
    /// back when the `PooledConnection` drops.
    permits: Semaphore,
    /// Shared by every `get`, so a server that is down is not hammered by
    /// each waiting coroutine in turn from the shortest wait.
    backoff: RefCell<Backoff>,
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("config", &self.shared.config)
            .field("idle", &self.idle())
            .field("available", &self.shared.permits.available())
            .finish()
    }
}

impl Pool {
    /// A pool for `config`; no connection is opened until the first `get`.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a config that cannot work (see
    /// [`Config::check`]).
    pub fn new(config: Config) -> Result<Pool> {
        config.check()?;
        Ok(Pool {
            shared: Rc::new(Shared {
                permits: Semaphore::new(config.pool_size),
                backoff: RefCell::new(Backoff::new(config.backoff_min, config.backoff_max)),
                idle: RefCell::new(Vec::new()),
                config,
            }),
        })
    }

    /// A connection: an idle one, else a new one while fewer than
    /// `pool_size` are open, else the first one given back.
    ///
    /// # Errors
    ///
    /// [`Error::PoolTimeout`] when none is free within `pool_timeout`; the
    /// error of the last attempt to open one when the server cannot be
    /// reached by then; [`Error::Server`] for a refused password or db.
    ///
    /// # Interrupts
    ///
    /// **Whole**: the permit taken goes back, and a connection being
    /// opened is dropped.
    pub fn get(&self) -> Result<PooledConnection> {
        let deadline = time::deadline(self.shared.config.pool_timeout);
        let permits = &self.shared.permits;
        crate::metrics::pool_get(permits.available() == 0);
        match deadline {
            Some(deadline) => time::timeout_at(deadline, || permits.acquire().forget())
                .map_err(|_| Error::PoolTimeout)?,
            None => permits.acquire().forget(),
        }
        // From here the permit is the guard's: given back however this ends.
        let mut pooled = PooledConnection {
            conn: None,
            shared: self.shared.clone(),
        };
        pooled.conn = Some(self.checkout(deadline)?);
        Ok(pooled)
    }

    fn checkout(&self, deadline: Option<Instant>) -> Result<Connection> {
        // Idle connections the server closed meanwhile (a restart, its
        // `timeout` setting) are dropped here, not handed out to fail.
        loop {
            let idle = self.shared.idle.borrow_mut().pop();
            match idle {
                Some(conn) if conn.is_open() => return Ok(conn),
                Some(_) => continue,
                None => break,
            }
        }
        loop {
            let config = &self.shared.config;
            let opened = match deadline {
                Some(deadline) => time::timeout_at(deadline, || Connection::open_checked(config))?,
                None => Connection::open_checked(config),
            };
            match opened {
                Ok(conn) => {
                    self.shared.backoff.borrow_mut().succeeded();
                    return Ok(conn);
                }
                // The server answered: it will refuse the next attempt too.
                Err(e @ Error::Server(_)) => return Err(e),
                Err(e) => {
                    let wait = self.shared.backoff.borrow_mut().failed();
                    log::debug!("redis pool: connect failed ({e}); next attempt in {wait:?}");
                    let retry_at = time::deadline(Some(wait));
                    if deadline.is_some_and(|end| retry_at.is_none_or(|at| at >= end)) {
                        return Err(e);
                    }
                    backoff::sleep_until(retry_at);
                }
            }
        }
    }

    /// Open connections not in use.
    pub fn idle(&self) -> usize {
        self.shared.idle.borrow().len()
    }

    /// The pool's config.
    pub fn config(&self) -> &Config {
        &self.shared.config
    }
}

/// A connection on loan from a [`Pool`]; derefs to [`Connection`]. Dropping
/// it gives it back, or closes it when it is closed (see
/// [`Connection::is_closed`]).
///
/// # Interrupts
///
/// Its commands are those of [`Connection`]. Dropped by an interrupt's
/// unwinding, it gives back a connection left whole (replies owed to a
/// command cut while waiting are dropped by the next borrower's first
/// command) and closes one a cut write closed: a pool never lends a
/// closed connection.
pub struct PooledConnection {
    /// `None` only while `get` is still opening it.
    conn: Option<Connection>,
    shared: Rc<Shared>,
}

impl fmt::Debug for PooledConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PooledConnection")
            .field("conn", &self.conn)
            .finish()
    }
}

impl Deref for PooledConnection {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("a handed-out connection is open")
    }
}

impl DerefMut for PooledConnection {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("a handed-out connection is open")
    }
}

impl Drop for PooledConnection {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            if !conn.is_closed() {
                self.shared.idle.borrow_mut().push(conn);
            }
        }
        self.shared.permits.add_permits(1);
    }
}
