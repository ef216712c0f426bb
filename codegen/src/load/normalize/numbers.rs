//! Schema bounds that openapiv3 cannot hold: integer-schema bounds outside `i64` (or written as
//! floats), and negative or fractional lengths and counts (`usize`). Each is moved to the nearest value
//! it can hold that keeps the same meaning for the values the Rust type can carry.

use serde_json::{Map, Number, Value};

/// The `usize` keywords of a schema, and whether each is a lower bound.
const COUNTS: [(&str, bool); 6] = [
    ("minLength", true),
    ("maxLength", false),
    ("minItems", true),
    ("maxItems", false),
    ("minProperties", true),
    ("maxProperties", false),
];

/// Whether [`fix`] would change this schema (cheap: no allocation).
pub(crate) fn needs_fix(schema: &Map<String, Value>) -> bool {
    let integer = schema.get("type").and_then(Value::as_str) == Some("integer");
    let bad_int = |v: &Value| matches!(v, Value::Number(n) if !n.is_i64());
    let bad_count = |v: &Value| matches!(v, Value::Number(n) if !n.is_u64() || n.as_u64().is_some_and(|u| usize::try_from(u).is_err()));
    (integer
        && (["minimum", "maximum", "multipleOf"]
            .iter()
            .any(|k| schema.get(*k).is_some_and(bad_int))
            || schema
                .get("enum")
                .and_then(Value::as_array)
                .is_some_and(|values| values.iter().any(bad_int))))
        || COUNTS
            .iter()
            .any(|(k, _)| schema.get(*k).is_some_and(bad_count))
}

/// Clamps the bounds of one schema object in place.
pub(crate) fn fix(schema: &mut Map<String, Value>) {
    if schema.get("type").and_then(Value::as_str) == Some("integer") {
        for (key, lower) in [("minimum", true), ("maximum", false)] {
            if let Some(v) = schema.get_mut(key) {
                if let Some(i) = as_i64(v, lower) {
                    *v = Value::from(i);
                }
            }
        }
        // A fractional `multipleOf` has no integer form: openapiv3 then keeps the schema untyped.
        if let Some(v) = schema.get_mut("multipleOf") {
            if let Some(i) = v
                .as_f64()
                .filter(|f| f.fract() == 0.0)
                .and_then(|_| as_i64(v, true))
            {
                *v = Value::from(i);
            }
        }
        if let Some(Value::Array(values)) = schema.get_mut("enum") {
            for v in values {
                if let Some(i) = v.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18) {
                    *v = Value::from(i as i64);
                }
            }
        }
    }
    for (key, lower) in COUNTS {
        if let Some(Value::Number(n)) = schema.get(key) {
            if let Some(c) = as_count(n, lower) {
                schema.insert(key.to_owned(), Value::from(c));
            }
        }
    }
}

/// An integer bound as the `i64` with the same meaning (rounded inwards), saturating at the ends.
fn as_i64(v: &Value, lower: bool) -> Option<i64> {
    let Value::Number(n) = v else { return None };
    if n.is_i64() {
        return None;
    }
    if n.is_u64() {
        return Some(i64::MAX);
    }
    let f = n.as_f64()?;
    // `as` saturates: -9223372036854776000.0 becomes i64::MIN.
    Some(if lower { f.ceil() } else { f.floor() } as i64)
}

/// A length or count as a `usize`, rounded inwards; a negative count is no constraint (0).
fn as_count(n: &Number, lower: bool) -> Option<usize> {
    if let Some(u) = n.as_u64() {
        return usize::try_from(u).is_err().then_some(usize::MAX);
    }
    let f = n.as_f64()?;
    let rounded = if lower { f.ceil() } else { f.floor() };
    Some(if rounded <= 0.0 { 0 } else { rounded as usize })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixed(v: Value) -> Value {
        let Value::Object(mut m) = v else {
            unreachable!("tests pass objects")
        };
        assert!(needs_fix(&m));
        fix(&mut m);
        assert!(!needs_fix(&m));
        Value::Object(m)
    }

    #[test]
    fn integer_bounds_beyond_i64_saturate() {
        let v = fixed(
            json!({"type": "integer", "minimum": -9223372036854776000.0_f64, "maximum": 1e300}),
        );
        assert_eq!(
            v,
            json!({"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX})
        );
        let v = fixed(json!({"type": "integer", "maximum": u64::MAX}));
        assert_eq!(v["maximum"], i64::MAX);
    }

    #[test]
    fn fractional_integer_bounds_round_inwards() {
        let v = fixed(
            json!({"type": "integer", "minimum": 0.5, "maximum": 9.5, "multipleOf": 2.0, "enum": [1.0, 2]}),
        );
        assert_eq!(
            v,
            json!({"type": "integer", "minimum": 1, "maximum": 9, "multipleOf": 2, "enum": [1, 2]})
        );
    }

    #[test]
    fn counts_are_clamped_to_usize() {
        let v =
            fixed(json!({"type": "string", "minLength": -1, "maxLength": 3.7, "maxItems": 1e30}));
        assert_eq!(
            v,
            json!({"type": "string", "minLength": 0, "maxLength": 3, "maxItems": usize::MAX})
        );
    }

    #[test]
    fn number_schemas_keep_their_floats() {
        let m = json!({"type": "number", "minimum": -1e300, "maximum": 0.5});
        assert!(!needs_fix(m.as_object().unwrap()));
    }
}
