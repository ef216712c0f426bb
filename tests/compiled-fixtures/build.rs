//! Generates every feature fixture into `OUT_DIR/<name>.rs` (one module each in `src/lib.rs`), with the
//! same generator and the same code a standalone crate gets, so that the workspace build, clippy
//! (`-D warnings`) and rustdoc compile exactly what the fixture snapshots show.

/// The fixtures (relative to `tests/`) and their module names, as `src/lib.rs` includes them.
const FIXTURES: [(&str, &str); 28] = [
    ("fixtures/features.yaml", "features"),
    ("fixtures/deep-refs.yaml", "deep_refs"),
    ("fixtures/security.yaml", "security"),
    ("fixtures/operations/operations.yaml", "operations"),
    ("fixtures/schemas/all_of.yaml", "all_of"),
    ("fixtures/schemas/formats.yaml", "formats"),
    ("fixtures/schemas/maps_nullable.yaml", "maps_nullable"),
    ("fixtures/schemas/names.yaml", "names"),
    ("fixtures/schemas/recursion.yaml", "recursion"),
    ("fixtures/schemas/unions.yaml", "unions"),
    ("fixtures/oas31/anchors.yaml", "oas31_anchors"),
    ("fixtures/oas31/bounds.yaml", "oas31_bounds"),
    ("fixtures/oas31/const.yaml", "oas31_const"),
    ("fixtures/oas31/content.yaml", "oas31_content"),
    ("fixtures/oas31/defs.yaml", "oas31_defs"),
    ("fixtures/oas31/dialect.yaml", "oas31_dialect"),
    ("fixtures/oas31/document.yaml", "oas31_document"),
    ("fixtures/oas31/examples.yaml", "oas31_examples"),
    ("fixtures/oas31/maps.yaml", "oas31_maps"),
    ("fixtures/oas31/minified.json", "oas31_minified"),
    ("fixtures/oas31/nullable.yaml", "oas31_nullable"),
    ("fixtures/oas31/path-items.yaml", "oas31_path_items"),
    ("fixtures/oas31/ref-siblings.yaml", "oas31_ref_siblings"),
    ("fixtures/oas31/tuples.yaml", "oas31_tuples"),
    ("fixtures/oas31/type-arrays.yaml", "oas31_type_arrays"),
    ("fixtures/oas31/unsupported.yaml", "oas31_unsupported"),
    ("fixtures/oas31/webhooks-only.yaml", "oas31_webhooks_only"),
    ("fixtures/oas31/webhooks.yaml", "oas31_webhooks"),
];

fn main() -> Result<(), openapi_client_gen::build::Error> {
    let Some(out_dir) = std::env::var_os("OUT_DIR") else {
        return Err(openapi_client_gen::build::Error::from("OUT_DIR is not set"));
    };
    // `generate_into`: the fixtures' warnings are what they test, held by their own tests; not build noise.
    for (spec, module) in FIXTURES {
        let target = std::path::Path::new(&out_dir).join(format!("{module}.rs"));
        openapi_client_gen::build::generate_into(
            std::path::Path::new(&format!("../{spec}")),
            &target,
        )?;
    }
    Ok(())
}
