//! The generator's feature fixtures, compiled: each module is the client generated from one fixture spec
//! by `build.rs`, the code its snapshots in `tests/tests/snapshots/` show. Public, so that missing docs
//! and dead code would be reported as they are in a generated crate.

#![warn(missing_docs)]

/// Includes the client generated from one fixture.
macro_rules! fixture {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[rustfmt::skip]
        pub mod $name {
            include!(concat!(env!("OUT_DIR"), "/", stringify!($name), ".rs"));
        }
    };
}

fixture!(
    /// The client generated from `tests/fixtures/features.yaml`.
    features
);
fixture!(
    /// The client generated from `tests/fixtures/deep-refs.yaml`.
    deep_refs
);
fixture!(
    /// The client generated from `tests/fixtures/security.yaml`.
    security
);
fixture!(
    /// The client generated from `tests/fixtures/operations/operations.yaml`.
    operations
);
fixture!(
    /// The client generated from `tests/fixtures/schemas/all_of.yaml`.
    all_of
);
fixture!(
    /// The client generated from `tests/fixtures/schemas/formats.yaml`.
    formats
);
fixture!(
    /// The client generated from `tests/fixtures/schemas/maps_nullable.yaml`.
    maps_nullable
);
fixture!(
    /// The client generated from `tests/fixtures/schemas/names.yaml`.
    names
);
fixture!(
    /// The client generated from `tests/fixtures/schemas/recursion.yaml`.
    recursion
);
fixture!(
    /// The client generated from `tests/fixtures/schemas/unions.yaml`.
    unions
);
