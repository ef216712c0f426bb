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
fixture!(
    /// The client generated from `tests/fixtures/oas31/anchors.yaml`.
    oas31_anchors
);
fixture!(
    /// The client generated from `tests/fixtures/oas31/bounds.yaml`.
    oas31_bounds
);
fixture!(
    /// The client generated from `tests/fixtures/oas31/const.yaml`.
    oas31_const
);
fixture!(
    /// The client generated from `tests/fixtures/oas31/content.yaml`.
    oas31_content
);
fixture!(
    /// The client generated from `tests/fixtures/oas31/defs.yaml`.
    oas31_defs
);
fixture!(
    /// The client generated from `tests/fixtures/oas31/dialect.yaml`.
    oas31_dialect
);
fixture!(
    /// The client generated from `tests/fixtures/oas31/document.yaml`.
    oas31_document
);
fixture!(
    /// The client generated from `tests/fixtures/oas31/examples.yaml`.
    oas31_examples
);
fixture!(
    /// The client generated from `tests/fixtures/oas31/maps.yaml`.
    oas31_maps
);
fixture!(
    /// The client generated from `tests/fixtures/oas31/minified.json`.
    oas31_minified
);
fixture!(
    /// The client generated from `tests/fixtures/oas31/nullable.yaml`.
    oas31_nullable
);
fixture!(
    /// The client generated from `tests/fixtures/oas31/path-items.yaml`.
    oas31_path_items
);
fixture!(
    /// The client generated from `tests/fixtures/oas31/ref-siblings.yaml`.
    oas31_ref_siblings
);
fixture!(
    /// The client generated from `tests/fixtures/oas31/tuples.yaml`.
    oas31_tuples
);
fixture!(
    /// The client generated from `tests/fixtures/oas31/type-arrays.yaml`.
    oas31_type_arrays
);
fixture!(
    /// The client generated from `tests/fixtures/oas31/unsupported.yaml`.
    oas31_unsupported
);
fixture!(
    /// The client generated from `tests/fixtures/oas31/webhooks-only.yaml`.
    oas31_webhooks_only
);
fixture!(
    /// The client generated from `tests/fixtures/oas31/webhooks.yaml`.
    oas31_webhooks
);
