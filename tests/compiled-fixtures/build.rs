//! Generates every feature fixture into `OUT_DIR/<name>.rs` (one module each in `src/lib.rs`), with the
//! same generator and the same code a standalone crate gets, so that the workspace build, clippy
//! (`-D warnings`) and rustdoc compile exactly what the fixture snapshots show.

/// The fixtures (relative to `tests/`) and their module names, as `src/lib.rs` includes them.
const FIXTURES: [(&str, &str); 10] = [
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
