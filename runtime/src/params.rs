//! How values that are not one piece of text travel in a query string, a header, a cookie, a path
//! segment or an `application/x-www-form-urlencoded` body: OpenAPI's parameter `style` and `explode`.
//!
//! A value is first turned into JSON (serde, so every generated type works the same way), then written
//! out. Scalars are their text (`true`, `42`, `abc`); `null` and absent values are left out. Names and
//! values are percent-encoded with the strict encoder of [`crate::request`]; the delimiters a style adds
//! (`,`, `[`, `]`, `=` inside a value) are written literally or escaped as the style requires, and never
//! in a form the URL parser would change (so what is signed is what is sent).

use crate::request::encode_path;
use serde::Serialize;
use serde_json::Value;

/// How an array or object parameter is written (OpenAPI `style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `name=a&name=b` (exploded) or `name=a,b`; objects `k=v&k2=v2` (exploded) or `name=k,v,k2,v2`.
    Form,
    /// `a,b`; objects `k=v,k2=v2` (exploded) or `k,v,k2,v2`. Path and header parameters.
    Simple,
    /// `name=a%20b`.
    SpaceDelimited,
    /// `name=a%7Cb`.
    PipeDelimited,
    /// `name[k]=v&name[k2]=v2`, nested objects as `name[k][k3]=v` and arrays as `name[k][0]=v`.
    DeepObject,
}

/// The JSON form of a value, or the serializer's message.
pub(crate) fn to_json(value: &impl Serialize) -> Result<Value, String> {
    serde_json::to_value(value).map_err(|e| e.to_string())
}

/// The text of a scalar (`None` for arrays, objects and null).
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// The text of an item inside a delimited list: a scalar's text, or compact JSON for anything nested
/// (no style defines nested lists; JSON keeps the data rather than dropping it).
fn item_text(value: &Value) -> String {
    scalar(value).unwrap_or_else(|| value.to_string())
}

/// Appends the query pairs of `value` under `name` to `out` (an encoded query string, `&`-joined).
pub(crate) fn push_query(out: &mut String, name: &str, value: &Value, style: Style, explode: bool) {
    let mut pair = |key: &str, encoded_value: &str| {
        if !out.is_empty() {
            out.push('&');
        }
        crate::request::push_encoded(out, key);
        out.push('=');
        out.push_str(encoded_value);
    };
    match value {
        Value::Null => {}
        Value::Array(items) => {
            let items: Vec<&Value> = items.iter().filter(|v| !v.is_null()).collect();
            if items.is_empty() {
                return;
            }
            match style {
                Style::Form | Style::Simple if explode => {
                    for item in items {
                        pair(name, &encode_path(&item_text(item)));
                    }
                }
                Style::DeepObject => {
                    for (i, item) in items.iter().enumerate() {
                        deep(&mut pair, &format!("{name}[{i}]"), item);
                    }
                }
                _ => {
                    let sep = match style {
                        Style::SpaceDelimited => "%20",
                        Style::PipeDelimited => "%7C",
                        _ => ",",
                    };
                    let joined: Vec<String> =
                        items.iter().map(|v| encode_path(&item_text(v))).collect();
                    pair(name, &joined.join(sep));
                }
            }
        }
        Value::Object(map) => match style {
            Style::DeepObject => deep(&mut pair, name, value),
            _ if explode => {
                for (key, item) in map.iter().filter(|(_, v)| !v.is_null()) {
                    pair(key, &encode_path(&item_text(item)));
                }
            }
            _ => {
                let joined: Vec<String> = map
                    .iter()
                    .filter(|(_, v)| !v.is_null())
                    .flat_map(|(k, v)| [encode_path(k), encode_path(&item_text(v))])
                    .collect();
                if !joined.is_empty() {
                    pair(name, &joined.join(","));
                }
            }
        },
        scalar_value => pair(name, &encode_path(&item_text(scalar_value))),
    }
}

/// `name[k]=v` pairs for every leaf under `value`.
fn deep(pair: &mut impl FnMut(&str, &str), name: &str, value: &Value) {
    match value {
        Value::Null => {}
        Value::Object(map) => {
            for (key, item) in map {
                deep(pair, &format!("{name}[{key}]"), item);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                deep(pair, &format!("{name}[{i}]"), item);
            }
        }
        leaf => pair(name, &encode_path(&item_text(leaf))),
    }
}

/// The `simple`-style text of a header or path value: `a,b`; objects `k,v` or `k=v` (exploded). `None`
/// for null (the header is left out). Not percent-encoded: headers carry text as is, and path segments
/// are encoded piece by piece by the caller ([`path_segment`]).
pub(crate) fn simple(value: &Value, explode: bool, encode: bool) -> Option<String> {
    let text = |s: &str| {
        if encode {
            encode_path(&s)
        } else {
            s.to_owned()
        }
    };
    match value {
        Value::Null => None,
        Value::Array(items) => Some(
            items
                .iter()
                .filter(|v| !v.is_null())
                .map(|v| text(&item_text(v)))
                .collect::<Vec<_>>()
                .join(","),
        ),
        Value::Object(map) => Some(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    let (k, v) = (text(k), text(&item_text(v)));
                    if explode {
                        format!("{k}={v}")
                    } else {
                        format!("{k},{v}")
                    }
                })
                .collect::<Vec<_>>()
                .join(","),
        ),
        leaf => Some(text(&item_text(leaf))),
    }
}

/// A path segment for an array or object path parameter (`simple` style): each item percent-encoded,
/// joined with literal commas.
///
/// ```
/// use openapi_client_runtime::params::path_segment;
/// assert_eq!(path_segment(&vec!["a b", "c"]), "a%20b,c");
/// assert_eq!(path_segment(&7), "7");
/// ```
pub fn path_segment(value: &impl Serialize) -> String {
    to_json(value)
        .ok()
        .and_then(|v| simple(&v, false, true))
        .unwrap_or_default()
}

/// The `application/x-www-form-urlencoded` text of a body: each property of the top-level object as
/// `name=value`; arrays of scalars repeat the name (`tag=a&tag=b`); nested objects and arrays of objects
/// use brackets (`metadata[key]=v`, `items[0][price]=p`), as Stripe-style APIs read them.
pub(crate) fn form_body(value: &Value) -> Result<String, String> {
    let Value::Object(map) = value else {
        return Err("a form body must be an object with named fields".to_owned());
    };
    let mut out = String::new();
    for (name, item) in map {
        let nested_array = matches!(item, Value::Array(items) if items.iter().any(|v| v.is_array() || v.is_object()));
        let style = if item.is_object() || nested_array {
            Style::DeepObject
        } else {
            Style::Form
        };
        push_query(&mut out, name, item, style, true);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn query(value: Value, style: Style, explode: bool) -> String {
        let mut out = String::new();
        push_query(&mut out, "id", &value, style, explode);
        out
    }

    #[test]
    fn query_styles_follow_the_openapi_examples() {
        // The table in OpenAPI 3.0.3 §4.7.12.4 (Style Examples), with `id` as the name.
        let list = json!([3, 4, 5]);
        let object = json!({"role": "admin", "firstName": "Alex"});
        assert_eq!(query(list.clone(), Style::Form, true), "id=3&id=4&id=5");
        assert_eq!(query(list.clone(), Style::Form, false), "id=3,4,5");
        assert_eq!(
            query(list.clone(), Style::SpaceDelimited, false),
            "id=3%204%205"
        );
        assert_eq!(query(list, Style::PipeDelimited, false), "id=3%7C4%7C5");
        assert_eq!(
            query(object.clone(), Style::Form, true),
            "role=admin&firstName=Alex"
        );
        assert_eq!(
            query(object.clone(), Style::Form, false),
            "id=role,admin,firstName,Alex"
        );
        assert_eq!(
            query(object, Style::DeepObject, true),
            "id%5Brole%5D=admin&id%5BfirstName%5D=Alex"
        );
        assert_eq!(query(json!(5), Style::Form, true), "id=5");
        assert_eq!(query(json!("a b,c"), Style::Form, false), "id=a%20b%2Cc");
    }

    #[test]
    fn null_and_empty_values_are_left_out() {
        assert_eq!(query(json!(null), Style::Form, true), "");
        assert_eq!(query(json!([]), Style::Form, false), "");
        assert_eq!(query(json!([null]), Style::Form, true), "");
        assert_eq!(query(json!({"a": null}), Style::Form, false), "");
        assert_eq!(
            query(json!({"a": null, "b": 1}), Style::DeepObject, true),
            "id%5Bb%5D=1"
        );
    }

    #[test]
    fn item_delimiters_inside_values_are_escaped() {
        assert_eq!(query(json!(["a,b", "c"]), Style::Form, false), "id=a%2Cb,c");
        assert_eq!(
            query(json!(["a|b"]), Style::PipeDelimited, false),
            "id=a%7Cb"
        );
    }

    #[test]
    fn simple_style_for_headers_and_paths() {
        assert_eq!(
            simple(&json!([3, 4, 5]), false, false).as_deref(),
            Some("3,4,5")
        );
        assert_eq!(
            simple(&json!({"role": "admin", "n": 1}), true, false).as_deref(),
            Some("role=admin,n=1")
        );
        assert_eq!(
            simple(&json!({"role": "admin"}), false, false).as_deref(),
            Some("role,admin")
        );
        assert_eq!(simple(&json!(null), false, false), None);
        assert_eq!(path_segment(&["a/b", "c d"]), "a%2Fb,c%20d");
    }

    #[test]
    fn form_bodies_flatten_like_stripe() {
        let body = json!({
            "amount": 2000,
            "currency": "usd",
            "expand": ["customer", "invoice"],
            "metadata": {"order_id": "6735", "note": null},
            "items": [{"price": "p_1", "quantity": 2}],
            "description": null,
            "capture": true,
        });
        assert_eq!(
            form_body(&body).as_deref(),
            Ok("amount=2000&currency=usd&expand=customer&expand=invoice&metadata%5Border_id%5D=6735&items%5B0%5D%5Bprice%5D=p_1&items%5B0%5D%5Bquantity%5D=2&capture=true")
        );
        assert!(form_body(&json!([1])).is_err());
    }
}
