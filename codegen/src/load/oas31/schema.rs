//! One schema object's rewrites, in the order they depend on one another: a `$ref` with siblings is
//! wrapped (and nothing else applies to it); an unsupported keyword makes the schema any JSON value;
//! `const` becomes an `enum` before a `type` array is split by type (each branch keeps its values);
//! the other keywords are rewritten on whatever schema is left. The branches a rewrite makes are
//! schemas of their own, rewritten when the walk reaches them.

use super::{keywords, siblings, tuples, types, Stage};
use serde_json::{Map, Value};

/// Rewrites one schema object at `path` in place.
pub(super) fn rewrite(stage: &mut Stage, schema: &mut Map<String, Value>, path: &[String]) {
    if schema.contains_key("$ref") {
        siblings::rewrite(stage, schema, path);
        return;
    }
    if keywords::unsupported(stage, schema, path) {
        return;
    }
    if !types::constant(stage, schema, path) {
        return;
    }
    types::enum_of_constants(schema);
    types::type_array(stage, schema, path);
    keywords::examples(schema);
    keywords::exclusive_bounds(stage, schema, path);
    keywords::content(schema);
    keywords::maps(stage, schema, path);
    keywords::boolean_children(schema);
    tuples::prefix_items(stage, schema, path);
    keywords::drop_annotations(schema);
}
