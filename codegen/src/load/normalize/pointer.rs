//! JSON pointers as lists of unescaped reference tokens: parsing `$ref` text, looking nodes up, and
//! writing canonical `$ref`s.

use serde_json::Value;

/// A local reference's tokens (`#/a/b~1c` → `["a", "b/c"]`), or `None` for anything that is not a
/// local JSON pointer (`other.yaml#/X`, `#foo`).
pub(crate) fn parse(reference: &str) -> Option<Vec<String>> {
    let rest = reference.strip_prefix('#')?;
    if rest.is_empty() {
        return Some(Vec::new());
    }
    let rest = rest.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// Whether a `$ref` names something outside this document (another file or a URL).
pub(crate) fn is_external(reference: &str) -> bool {
    !reference.starts_with('#')
}

/// Tokens with `%xx` escapes decoded, as a URI fragment may carry them (`application%2Fjson`).
pub(crate) fn percent_decoded(tokens: &[String]) -> Option<Vec<String>> {
    if !tokens.iter().any(|t| t.contains('%')) {
        return None;
    }
    Some(tokens.iter().map(|t| decode(t)).collect())
}

fn decode(token: &str) -> String {
    let bytes = token.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).and_then(|b| hex(*b)),
            bytes.get(i + 2).and_then(|b| hex(*b)),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| token.to_owned())
}

/// The `#/...` text of tokens, escaped per RFC 6901.
pub(crate) fn format<S: AsRef<str>>(tokens: &[S]) -> String {
    let mut out = String::from("#");
    for t in tokens {
        out.push('/');
        out.push_str(&t.as_ref().replace('~', "~0").replace('/', "~1"));
    }
    out
}

/// The node at `tokens`, with list indices written canonically (`"01"` → `"1"`), or `None`.
pub(crate) fn lookup(root: &Value, tokens: &[String]) -> Option<Vec<String>> {
    let mut node = root;
    let mut canonical = Vec::with_capacity(tokens.len());
    for t in tokens {
        node = match node {
            Value::Object(m) => {
                canonical.push(t.clone());
                m.get(t)?
            }
            Value::Array(a) => {
                let i: usize = t.parse().ok()?;
                canonical.push(i.to_string());
                a.get(i)?
            }
            _ => return None,
        };
    }
    Some(canonical)
}

/// The node at canonical tokens.
pub(crate) fn get<'v, S: AsRef<str>>(root: &'v Value, tokens: &[S]) -> Option<&'v Value> {
    tokens.iter().try_fold(root, |node, t| match node {
        Value::Object(m) => m.get(t.as_ref()),
        Value::Array(a) => a.get(t.as_ref().parse::<usize>().ok()?),
        _ => None,
    })
}

/// The node at canonical tokens, mutably.
pub(crate) fn get_mut<'v, S: AsRef<str>>(
    root: &'v mut Value,
    tokens: &[S],
) -> Option<&'v mut Value> {
    tokens.iter().try_fold(root, |node, t| match node {
        Value::Object(m) => m.get_mut(t.as_ref()),
        Value::Array(a) => a.get_mut(t.as_ref().parse::<usize>().ok()?),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip() {
        let t = parse("#/paths/~1a~1{id}/get/x~0y").unwrap();
        assert_eq!(t, ["paths", "/a/{id}", "get", "x~y"]);
        assert_eq!(format(&t), "#/paths/~1a~1{id}/get/x~0y");
        assert_eq!(parse("#").unwrap(), Vec::<String>::new());
        assert_eq!(parse("other.yaml#/a"), None);
        assert_eq!(parse("#a"), None);
        assert!(is_external("http://x/y.json#/a"));
    }

    #[test]
    fn percent_escapes_are_decoded_on_request() {
        let t = parse("#/c/application%2Fjson/100%").unwrap();
        assert_eq!(
            percent_decoded(&t).unwrap(),
            ["c", "application/json", "100%"]
        );
    }

    #[test]
    fn lookups_canonicalize_indices() {
        let doc = json!({"a": [{"b": 1}, {"b": 2}]});
        let t = parse("#/a/01/b").unwrap();
        assert_eq!(lookup(&doc, &t).unwrap(), ["a", "1", "b"]);
        assert_eq!(get(&doc, &["a", "1", "b"]), Some(&json!(2)));
        assert!(lookup(&doc, &parse("#/a/2").unwrap()).is_none());
        assert!(lookup(&doc, &parse("#/a/b").unwrap()).is_none());
    }
}
