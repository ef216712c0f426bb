//! Generates the Petstore client into `OUT_DIR/petstore.rs` on every build where `petstore.yaml` changed.
//! A spec with problems fails the build, each problem located by file, line and column.

fn main() -> Result<(), openapi_client_gen::build::Error> {
    openapi_client_gen::build::generate("petstore.yaml", "petstore.rs")?;
    Ok(())
}
