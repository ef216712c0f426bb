//! Where a JSON pointer lands in YAML or JSON text: a best-effort line and column for diagnostics.
//!
//! JSON text (its first significant character is `{`) is walked by a small scanner that follows the
//! pointer's tokens through objects and arrays, skipping every other value; it finds every node exactly,
//! on one line or many.
//!
//! The spec is parsed elsewhere without positions, so this walks the pointer's tokens down the text by
//! indentation: block mapping keys (`key:`, `"key":`, `'key':`) and block sequence items (`- `), with
//! `~1` and `~0` unescaped. It does not look inside flow collections (`{ $ref: ... }`, `[a, b]`),
//! block scalars or anything else it does not recognise; there it stops at the deepest node it found
//! (and says the location is not exact). A pointer whose first token cannot be found has no location.

/// A position in the text, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
    /// False when only an ancestor of the pointed-to node was found.
    pub exact: bool,
}

/// The location of `pointer` (`#/paths/~1contacts/post`, or without the `#`) in `yaml`: the key or
/// the `-` of the node, or of its deepest ancestor that could be found. `None` for the root and for
/// pointers none of whose tokens can be found.
pub fn locate(yaml: &str, pointer: &str) -> Option<Location> {
    let tokens = tokens(pointer)?;
    if yaml.trim_start().starts_with('{') {
        return json::locate(yaml, &tokens);
    }
    let text = Text {
        lines: yaml.lines().collect(),
    };
    let mut node = Some(text.root()?);
    let mut found: Option<Location> = None;
    for token in &tokens {
        let step = node.and_then(|n| text.child(&n, token));
        match step {
            Some((at, child)) => {
                found = Some(at);
                node = child;
            }
            None => return found.map(|l| Location { exact: false, ..l }),
        }
    }
    found
}

/// The pointer's reference tokens, unescaped; `None` when it is not a pointer or is the root.
fn tokens(pointer: &str) -> Option<Vec<String>> {
    let path = pointer.strip_prefix('#').unwrap_or(pointer);
    let path = path.strip_prefix('/')?;
    Some(
        path.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

struct Text<'a> {
    lines: Vec<&'a str>,
}

/// A block node: its first entry starts at `col` of line `line`; the others start at `col` on the
/// lines before `end`.
#[derive(Debug, Clone, Copy)]
struct Node {
    line: usize,
    col: usize,
    end: usize,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Blank lines, comments and document markers carry no nodes.
fn significant(line: &str) -> bool {
    let t = line.trim();
    !(t.is_empty() || t.starts_with('#') || t == "---" || t == "..." || line.starts_with('%'))
}

/// `-` followed by a space or the end of the line: a block sequence item.
fn is_dash(rest: &str) -> bool {
    rest == "-" || rest.starts_with("- ")
}

impl<'a> Text<'a> {
    fn root(&self) -> Option<Node> {
        let first = self.next_significant(0, self.lines.len())?;
        Some(Node {
            line: first,
            col: indent(self.lines[first]),
            end: self.lines.len(),
        })
    }

    fn location(&self, line: usize, col: usize) -> Location {
        let text = self.lines[line];
        let column = text.get(..col).map_or(col, |s| s.chars().count()) + 1;
        Location {
            line: line + 1,
            column,
            exact: true,
        }
    }

    /// The first significant line in `from..end`.
    fn next_significant(&self, from: usize, end: usize) -> Option<usize> {
        (from..end.min(self.lines.len())).find(|&l| significant(self.lines[l]))
    }

    /// The first significant line in `from..end` for which `stop` holds, or `end`.
    fn end_where(&self, from: usize, end: usize, stop: impl Fn(&str) -> bool) -> usize {
        (from..end.min(self.lines.len()))
            .find(|&l| significant(self.lines[l]) && stop(self.lines[l]))
            .unwrap_or(end)
    }

    /// The entries of a block node: `(line, col)` of each key or `-`.
    fn entries(&self, node: &Node) -> Vec<(usize, usize)> {
        let mut out = vec![(node.line, node.col)];
        for l in node.line + 1..node.end.min(self.lines.len()) {
            let line = self.lines[l];
            if !significant(line) {
                continue;
            }
            match indent(line) {
                i if i == node.col => out.push((l, node.col)),
                i if i < node.col => break,
                _ => {}
            }
        }
        out
    }

    /// The child `token` of `node`: where it is, and its own node when it has block content.
    fn child(&self, node: &Node, token: &str) -> Option<(Location, Option<Node>)> {
        let entries = self.entries(node);
        let is_sequence = entries
            .first()
            .is_some_and(|&(l, c)| is_dash(&self.lines[l][c..]));
        if is_sequence {
            let index: usize = token.parse().ok()?;
            let &(l, c) = entries
                .iter()
                .filter(|&&(l, c)| is_dash(&self.lines[l][c..]))
                .nth(index)?;
            return Some((self.location(l, c), self.item_value(node, l, c)));
        }
        entries.iter().find_map(|&(l, c)| {
            let (key, after) = parse_key(&self.lines[l][c..])?;
            (key == token).then(|| (self.location(l, c), self.key_value(node, l, c, c + after)))
        })
    }

    /// The value of the sequence item whose `-` is at `col` of `line`.
    fn item_value(&self, parent: &Node, line: usize, col: usize) -> Option<Node> {
        let text = self.lines[line];
        let content = col + 1 + indent(&text[col + 1..]);
        let end = self.end_where(line + 1, parent.end, |l| indent(l) <= col);
        let rest = &text[content..];
        if !rest.is_empty() && !rest.starts_with('#') {
            // `- key: value` (a mapping that starts on this line), `- - x`, or a scalar or flow
            // collection, in which no key will be found.
            return Some(Node {
                line,
                col: content,
                end,
            });
        }
        let next = self.next_significant(line + 1, end)?;
        Some(Node {
            line: next,
            col: indent(self.lines[next]),
            end,
        })
    }

    /// The value of the mapping key at `col` of `line`, whose `:` ends before `after`.
    fn key_value(&self, parent: &Node, line: usize, col: usize, after: usize) -> Option<Node> {
        let text = self.lines[line];
        let mut rest = text[after..].trim_start();
        // An anchor or a tag before a block value: `key: &name` / `key: !tag`.
        while rest.starts_with('&') || rest.starts_with('!') {
            rest = rest.split_once(' ').map_or("", |(_, r)| r.trim_start());
        }
        if !rest.is_empty() && !rest.starts_with('#') {
            // A scalar, block scalar (`|`, `>`), alias or flow collection: nothing to walk into.
            return None;
        }
        let next = self.next_significant(line + 1, parent.end)?;
        let next_text = self.lines[next];
        let next_indent = indent(next_text);
        if next_indent > col {
            let end = self.end_where(next + 1, parent.end, |l| indent(l) <= col);
            Some(Node {
                line: next,
                col: next_indent,
                end,
            })
        } else if next_indent == col && is_dash(&next_text[col..]) {
            // A block sequence may sit at its key's own indentation.
            let end = self.end_where(next + 1, parent.end, |l| {
                indent(l) < col || (indent(l) == col && !is_dash(&l[col..]))
            });
            Some(Node {
                line: next,
                col,
                end,
            })
        } else {
            None
        }
    }
}

/// A block mapping key at the start of `text`: the key, unquoted, and the byte offset just after its
/// `:`. `None` when `text` does not start with a key (a sequence item, a flow collection, a scalar).
fn parse_key(text: &str) -> Option<(String, usize)> {
    let (key, after_key) = match text.chars().next()? {
        '"' => {
            let mut key = String::new();
            let mut chars = text.char_indices().skip(1);
            let mut close = None;
            while let Some((i, ch)) = chars.next() {
                match ch {
                    '"' => {
                        close = Some(i + 1);
                        break;
                    }
                    '\\' => match chars.next()? {
                        (_, 'n') => key.push('\n'),
                        (_, 't') => key.push('\t'),
                        (_, other) => key.push(other),
                    },
                    other => key.push(other),
                }
            }
            (key, close?)
        }
        '\'' => {
            let mut key = String::new();
            let mut chars = text.char_indices().skip(1).peekable();
            let mut close = None;
            while let Some((i, ch)) = chars.next() {
                if ch == '\'' {
                    if matches!(chars.peek(), Some((_, '\''))) {
                        key.push('\'');
                        chars.next();
                        continue;
                    }
                    close = Some(i + 1);
                    break;
                }
                key.push(ch);
            }
            (key, close?)
        }
        '-' if is_dash(text) => return None,
        '{' | '[' | '?' | '|' | '>' | '&' | '*' | '!' => return None,
        _ => {
            // A plain key ends at the first `: ` (or `:` at the end of the line).
            let colon = text
                .match_indices(':')
                .map(|(i, _)| i)
                .find(|&i| text[i + 1..].is_empty() || text[i + 1..].starts_with([' ', '\t']))?;
            let key = text[..colon].trim_end();
            if key.contains(" #") {
                return None;
            }
            return Some((key.to_owned(), colon + 1));
        }
    };
    let spaces = text[after_key..].len() - text[after_key..].trim_start().len();
    let colon = after_key + spaces;
    let after = &text[colon..];
    (after.starts_with(':') && (after.len() == 1 || after[1..].starts_with([' ', '\t'])))
        .then_some((key, colon + 1))
}

/// The JSON walker.
mod json {
    use super::Location;

    struct Scanner<'a> {
        text: &'a [u8],
        pos: usize,
    }

    impl Scanner<'_> {
        fn skip_ws(&mut self) {
            while self
                .text
                .get(self.pos)
                .is_some_and(|b| b.is_ascii_whitespace())
            {
                self.pos += 1;
            }
        }

        fn peek(&self) -> Option<u8> {
            self.text.get(self.pos).copied()
        }

        /// A string starting at `pos` (its opening quote), unescaped; `None` when malformed.
        fn string(&mut self) -> Option<String> {
            if self.peek() != Some(b'"') {
                return None;
            }
            self.pos += 1;
            let mut out = Vec::new();
            loop {
                let b = self.peek()?;
                self.pos += 1;
                match b {
                    b'"' => return String::from_utf8(out).ok(),
                    b'\\' => {
                        let e = self.peek()?;
                        self.pos += 1;
                        match e {
                            b'n' => out.push(b'\n'),
                            b't' => out.push(b'\t'),
                            b'r' => out.push(b'\r'),
                            b'b' => out.push(8),
                            b'f' => out.push(12),
                            b'u' => {
                                let hex = self.text.get(self.pos..self.pos + 4)?;
                                self.pos += 4;
                                let code =
                                    u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
                                // Surrogate pairs are rare in keys; a lone one becomes U+FFFD.
                                let c = char::from_u32(code).unwrap_or('\u{FFFD}');
                                out.extend_from_slice(c.to_string().as_bytes());
                            }
                            other => out.push(other),
                        }
                    }
                    other => out.push(other),
                }
            }
        }

        /// Skips the value at `pos`; `None` when malformed.
        fn skip_value(&mut self) -> Option<()> {
            self.skip_ws();
            match self.peek()? {
                b'"' => self.string().map(|_| ()),
                b'{' | b'[' => {
                    let mut depth = 0usize;
                    loop {
                        match self.peek()? {
                            b'"' => {
                                self.string()?;
                                continue;
                            }
                            b'{' | b'[' => depth += 1,
                            b'}' | b']' => {
                                depth -= 1;
                                if depth == 0 {
                                    self.pos += 1;
                                    return Some(());
                                }
                            }
                            _ => {}
                        }
                        self.pos += 1;
                    }
                }
                _ => {
                    while self.peek().is_some_and(|b| {
                        !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace()
                    }) {
                        self.pos += 1;
                    }
                    Some(())
                }
            }
        }

        /// Moves to the child `token` of the object or array at `pos` (after whitespace): the
        /// position of its key (object) or of the value (array), with `pos` at the child's value.
        fn child(&mut self, token: &str) -> Option<usize> {
            self.skip_ws();
            match self.peek()? {
                b'{' => {
                    self.pos += 1;
                    loop {
                        self.skip_ws();
                        if self.peek()? == b'}' {
                            return None;
                        }
                        let at = self.pos;
                        let key = self.string()?;
                        self.skip_ws();
                        if self.peek()? != b':' {
                            return None;
                        }
                        self.pos += 1;
                        if key == token {
                            self.skip_ws();
                            return Some(at);
                        }
                        self.skip_value()?;
                        self.skip_ws();
                        if self.peek()? == b',' {
                            self.pos += 1;
                        }
                    }
                }
                b'[' => {
                    let index: usize = token.parse().ok()?;
                    self.pos += 1;
                    for _ in 0..index {
                        self.skip_ws();
                        if self.peek()? == b']' {
                            return None;
                        }
                        self.skip_value()?;
                        self.skip_ws();
                        if self.peek()? != b',' {
                            return None;
                        }
                        self.pos += 1;
                    }
                    self.skip_ws();
                    if self.peek()? == b']' {
                        return None;
                    }
                    Some(self.pos)
                }
                _ => None,
            }
        }
    }

    /// The position of the node at `tokens` in JSON `text`, or of its deepest ancestor found.
    pub(super) fn locate(text: &str, tokens: &[String]) -> Option<Location> {
        let mut scanner = Scanner {
            text: text.as_bytes(),
            pos: 0,
        };
        let mut found: Option<usize> = None;
        for token in tokens {
            match scanner.child(token) {
                Some(at) => found = Some(at),
                None => return found.map(|at| position(text, at, false)),
            }
        }
        found.map(|at| position(text, at, true))
    }

    /// Line and column (in characters, from 1) of byte offset `at`.
    fn position(text: &str, at: usize, exact: bool) -> Location {
        let before = &text.as_bytes()[..at];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = text
            .get(line_start..at)
            .map_or(at - line_start, |s| s.chars().count())
            + 1;
        Location {
            line,
            column,
            exact,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = "{\n  \"openapi\": \"3.0.3\",\n  \"paths\": {\n    \"/a/{id}\": {\"get\": {\"parameters\": [{\"name\": \"x,}\"}, {\"in\": \"query\"}],\n      \"responses\": {\"200\": {}}}},\n    \"/b\": {}\n  },\n  \"k\\\"ey\": 1\n}\n";

    #[test]
    fn json_keys_and_items_are_found_exactly() {
        let at = |p: &str| locate(JSON, p).map(|l| (l.line, l.column, l.exact));
        assert_eq!(at("#/openapi"), Some((2, 3, true)));
        assert_eq!(at("#/paths/~1a~1{id}"), Some((4, 5, true)));
        assert_eq!(
            at("#/paths/~1a~1{id}/get/parameters/1"),
            Some((4, 57, true))
        );
        assert_eq!(
            at("#/paths/~1a~1{id}/get/parameters/1/in"),
            Some((4, 58, true))
        );
        assert_eq!(
            at("#/paths/~1a~1{id}/get/responses/200"),
            Some((5, 21, true))
        );
        assert_eq!(at("#/paths/~1b"), Some((6, 5, true)));
        assert_eq!(at("#/k\"ey"), Some((8, 3, true)));
        // Past what exists: the deepest ancestor, not exact.
        assert_eq!(at("#/paths/~1b/get"), Some((6, 5, false)));
        assert_eq!(
            at("#/paths/~1a~1{id}/get/parameters/5"),
            Some((4, 25, false))
        );
        assert_eq!(at("#/nope"), None);
    }

    #[test]
    fn minified_json_is_found_on_its_one_line() {
        let text = r#"{"a":{"b":[1,{"c":true}]}}"#;
        let l = locate(text, "#/a/b/1/c").expect("found");
        assert_eq!((l.line, l.column, l.exact), (1, 15, true));
    }

    const SMALL: &str = r#"openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  # the one path
  /a/{id}:
    get:
      parameters:
      - name: id
        in: path
      -   $ref: '#/components/parameters/P'
      responses:
        "200":
          description: |
            ok: a block scalar
            key: not a key
          content:
            application/json:
              schema: { $ref: '#/components/schemas/A' }
        'it''s':
          description: quoted with an escape
components:
  schemas:
    A:
      type: object
      required:
        - x
        - "y"
      properties:
        x: {type: string}
        tilde~key:
          type: integer
"#;

    fn at(pointer: &str) -> Option<(usize, usize, bool)> {
        locate(SMALL, pointer).map(|l| (l.line, l.column, l.exact))
    }

    #[test]
    fn keys_nested_by_indentation() {
        assert_eq!(at("#/openapi"), Some((1, 1, true)));
        assert_eq!(at("#/paths"), Some((3, 1, true)));
        assert_eq!(at("#/paths/~1a~1{id}"), Some((5, 3, true)));
        assert_eq!(at("#/paths/~1a~1{id}/get/responses"), Some((11, 7, true)));
        assert_eq!(
            at("/components/schemas/A/properties/x"),
            Some((29, 9, true))
        );
        assert_eq!(
            at("#/components/schemas/A/properties/tilde~0key/type"),
            Some((31, 11, true))
        );
    }

    #[test]
    fn quoted_keys() {
        assert_eq!(
            at("#/paths/~1a~1{id}/get/responses/200"),
            Some((12, 9, true))
        );
        assert_eq!(
            at("#/paths/~1a~1{id}/get/responses/200/content/application~1json/schema"),
            Some((18, 15, true))
        );
        assert_eq!(
            at("#/paths/~1a~1{id}/get/responses/it's/description"),
            Some((20, 11, true))
        );
    }

    #[test]
    fn sequence_items_at_the_keys_indentation_and_deeper() {
        assert_eq!(at("#/paths/~1a~1{id}/get/parameters/0"), Some((8, 7, true)));
        assert_eq!(
            at("#/paths/~1a~1{id}/get/parameters/0/in"),
            Some((9, 9, true))
        );
        assert_eq!(
            at("#/paths/~1a~1{id}/get/parameters/1/$ref"),
            Some((10, 11, true))
        );
        assert_eq!(at("#/components/schemas/A/required/1"), Some((27, 9, true)));
        // Past the end of the sequence: the sequence itself.
        assert_eq!(
            at("#/paths/~1a~1{id}/get/parameters/2"),
            Some((7, 7, false))
        );
    }

    #[test]
    fn flow_collections_and_scalars_give_the_parent() {
        assert_eq!(at("#/info/title"), Some((2, 1, false)));
        assert_eq!(
            at("#/paths/~1a~1{id}/get/responses/200/content/application~1json/schema/$ref"),
            Some((18, 15, false))
        );
        assert_eq!(
            at("#/components/schemas/A/properties/x/type"),
            Some((29, 9, false))
        );
        // Text inside a block scalar is not a key.
        assert_eq!(
            at("#/paths/~1a~1{id}/get/responses/200/description/key"),
            Some((13, 11, false))
        );
        assert_eq!(
            at("#/paths/~1a~1{id}/get/responses/200/key"),
            Some((12, 9, false))
        );
    }

    #[test]
    fn unknown_pointers_and_the_root_have_no_location() {
        assert_eq!(at("#"), None);
        assert_eq!(at(""), None);
        assert_eq!(at("#/nope/deeper"), None);
        assert_eq!(locate("", "#/a"), None);
    }

    /// The real spec: finds `needle` (a whole trimmed line) on or after line index `from`.
    fn line_of(spec: &str, needle: &str, from: usize) -> usize {
        spec.lines()
            .enumerate()
            .skip(from)
            .find(|(_, l)| l.trim() == needle)
            .map(|(i, _)| i + 1)
            .unwrap_or_else(|| panic!("`{needle}` is not in the spec after line {from}"))
    }

    fn spec() -> String {
        include_str!("../../spec/awal.yaml").to_owned()
    }

    #[test]
    fn real_spec_paths_operations_and_request_bodies() {
        let spec = spec();
        let path = line_of(&spec, "/contacts:", 0);
        let post = line_of(&spec, "post:", path);
        let body = line_of(&spec, "requestBody:", post);
        let here = |p: &str| locate(&spec, p).map(|l| (l.line, l.column, l.exact));
        assert_eq!(here("#/paths/~1contacts"), Some((path, 3, true)));
        assert_eq!(here("#/paths/~1contacts/post"), Some((post, 5, true)));
        assert_eq!(
            here("#/paths/~1contacts/post/requestBody"),
            Some((body, 7, true))
        );
    }

    #[test]
    fn real_spec_schema_properties_and_security_extensions() {
        let spec = spec();
        let here = |p: &str| locate(&spec, p).map(|l| (l.line, l.column, l.exact));
        let schemas = line_of(&spec, "schemas:", line_of(&spec, "components:", 0));
        let contact = line_of(&spec, "Contact:", schemas);
        let email = line_of(&spec, "email:", contact);
        assert_eq!(
            here("#/components/schemas/Contact/properties/email"),
            Some((email, 9, true))
        );
        let schemes = line_of(&spec, "securitySchemes:", 0);
        let hmac = line_of(&spec, "hmacSignature:", schemes);
        let signing = line_of(&spec, "x-signing:", hmac);
        let secret = line_of(&spec, "secret:", signing);
        let env = line_of(&spec, "env: AWAL_HMAC_SECRET", secret);
        assert_eq!(
            here("#/components/securitySchemes/hmacSignature/x-signing"),
            Some((signing, 7, true))
        );
        assert_eq!(
            here("#/components/securitySchemes/hmacSignature/x-signing/secret/env"),
            Some((env, 11, true))
        );
        // `string-to-sign: [method, path, ...]` is a flow sequence: its items are not found.
        let parts = spec
            .lines()
            .skip(signing)
            .position(|l| l.trim_start().starts_with("string-to-sign:"));
        let parts = signing + parts.expect("string-to-sign") + 1;
        assert_eq!(
            here("#/components/securitySchemes/hmacSignature/x-signing/string-to-sign/2"),
            Some((parts, 9, false))
        );
    }

    #[test]
    fn real_spec_flow_mappings_give_the_parent() {
        let spec = spec();
        let here = |p: &str| locate(&spec, p).map(|l| (l.line, l.exact));
        let path = line_of(&spec, "/contacts:", 0);
        let get = line_of(&spec, "get:", path);
        // `"400": { $ref: "#/components/responses/BadRequest" }`
        let bad = spec
            .lines()
            .skip(get)
            .position(|l| l.trim_start().starts_with("\"400\": { $ref:"))
            .map(|i| get + i + 1)
            .expect("a 400 response by $ref");
        assert_eq!(
            here("#/paths/~1contacts/get/responses/400"),
            Some((bad, true))
        );
        assert_eq!(
            here("#/paths/~1contacts/get/responses/400/$ref"),
            Some((bad, false))
        );
        // `- $ref: "#/components/parameters/..."` is a block sequence item holding a mapping.
        let params = line_of(&spec, "parameters:", get);
        let param = params + 1;
        assert!(spec
            .lines()
            .nth(param - 1)
            .unwrap()
            .trim_start()
            .starts_with("- $ref:"));
        assert_eq!(
            here("#/paths/~1contacts/get/parameters/0"),
            Some((param, true))
        );
        assert_eq!(
            here("#/paths/~1contacts/get/parameters/0/$ref"),
            Some((param, true))
        );
    }

    #[test]
    fn parse_key_forms() {
        assert_eq!(parse_key("a: b"), Some(("a".into(), 2)));
        assert_eq!(parse_key("a:"), Some(("a".into(), 2)));
        assert_eq!(parse_key("/a/{id}:"), Some(("/a/{id}".into(), 8)));
        assert_eq!(parse_key("url: https://x"), Some(("url".into(), 4)));
        assert_eq!(parse_key("\"a\\\"b\" : c"), Some(("a\"b".into(), 8)));
        assert_eq!(parse_key("'it''s': c"), Some(("it's".into(), 8)));
        assert_eq!(parse_key("- a: b"), None);
        assert_eq!(parse_key("{a: b}"), None);
        assert_eq!(parse_key("just a scalar"), None);
        assert_eq!(parse_key("https://x"), None);
    }
}
