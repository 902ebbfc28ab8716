//! The harness's parts, by concept: what is measured ([`workloads`]), the
//! processes ([`launch`]), the rounds ([`rounds`]), the loader's figures
//! ([`run`], read through [`json`]), the results file ([`results`]), the
//! statistics ([`stats`]), the report ([`markdown`], [`svg`], [`machine`],
//! written by [`outputs`]), and the [`soak`] command.

pub(crate) mod json;
pub(crate) mod launch;
pub(crate) mod machine;
pub(crate) mod markdown;
pub(crate) mod outputs;
pub(crate) mod results;
pub(crate) mod rounds;
pub(crate) mod run;
pub(crate) mod soak;
pub(crate) mod stats;
pub(crate) mod svg;
pub(crate) mod workloads;
