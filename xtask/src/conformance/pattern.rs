//! Strings for a schema's `pattern`, and whether a string matches one.
//!
//! Patterns are ECMA-262 regular expressions, matched here by `regress`, an engine of that syntax (as
//! Prism's ajv matches them, with the `u` flag): look-arounds and all. A string for a pattern is made
//! from the pattern's syntax tree where Rust's `regex-syntax` reads it (look-arounds taken out first):
//! the first alternative, one of each optional piece, a plain character of each class. When that
//! string does not match (a look-around said no), a few ordinary strings are tried. Whatever is
//! returned matches the pattern.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Ordinary strings tried when the one made from the syntax tree does not match: short ones, a
/// strong password, words.
const FALLBACKS: [&str; 10] = [
    "ab",
    "a1",
    "aB3$kLm9!Qz2x",
    "string",
    "abc123",
    "a",
    "A",
    "1",
    "0",
    "a-b_c.d",
];

/// A string matching `pattern`, with `min..=max` characters when the pattern allows it; `None` when
/// the pattern cannot be read or none of the tries matches.
pub fn example(pattern: &str, min: usize, max: usize) -> Option<String> {
    let regex = regress::Regex::with_flags(pattern, "u").ok()?;
    let fits = |text: &str| {
        let length = text.chars().count();
        (min..=max).contains(&length) && regex.find(text).is_some()
    };
    let mut tries: Vec<String> = Vec::new();
    if let Ok(hir) = regex_syntax::ParserBuilder::new()
        .build()
        .parse(&without_look_arounds(pattern))
    {
        let mut made = String::new();
        if write(&hir, &mut made, 0).is_some() {
            // Stretched with its last character when too short (`^[a-z]+$` at `minLength: 3`).
            let mut stretched = made.clone();
            if let Some(last) = made.chars().last() {
                while stretched.chars().count() < min {
                    stretched.push(last);
                }
            }
            tries.push(made);
            tries.push(stretched);
        }
    }
    tries.extend(FALLBACKS.iter().map(|t| (*t).to_owned()));
    tries.extend(
        FALLBACKS
            .iter()
            .map(|t| t.repeat(min.div_ceil(t.len()).max(1))),
    );
    tries.into_iter().find(|t| fits(t))
}

/// Whether `text` matches `pattern` (anywhere, as JSON Schema says); `None` when the pattern cannot be
/// read.
pub fn matches(pattern: &str, text: &str) -> Option<bool> {
    regress::Regex::with_flags(pattern, "u")
        .ok()
        .map(|regex| regex.find(text).is_some())
}

/// The pattern without its look-around groups (`(?=...)`, `(?!...)`, `(?<=...)`, `(?<!...)`), which
/// Rust's syntax does not read; what is left describes the characters, the look-arounds only forbid
/// some of them.
fn without_look_arounds(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = |prefix: &str| {
            prefix
                .chars()
                .enumerate()
                .all(|(k, c)| chars.get(i + k) == Some(&c))
        };
        if chars[i] == '\\' {
            out.push(chars[i]);
            if let Some(next) = chars.get(i + 1) {
                out.push(*next);
            }
            i += 2;
            continue;
        }
        if starts("(?=") || starts("(?!") || starts("(?<=") || starts("(?<!") {
            // Skip to the matching parenthesis, escapes and classes included.
            let mut depth = 0;
            let mut in_class = false;
            while i < chars.len() {
                match chars[i] {
                    '\\' => i += 1,
                    '[' => in_class = true,
                    ']' => in_class = false,
                    '(' if !in_class => depth += 1,
                    ')' if !in_class => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn write(hir: &Hir, out: &mut String, depth: usize) -> Option<()> {
    if depth > 64 || out.len() > 4096 {
        return None;
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => out.push_str(std::str::from_utf8(&literal.0).ok()?),
        HirKind::Class(class) => out.push(class_char(class)?),
        HirKind::Repetition(repetition) => {
            // At least one of an optional piece when it is cheap, so that `\d*` still shows a digit;
            // the fewest otherwise.
            let times = repetition
                .min
                .max(u32::from(repetition.max != Some(0)))
                .min(64);
            for _ in 0..times {
                write(&repetition.sub, out, depth + 1)?;
            }
        }
        HirKind::Capture(capture) => write(&capture.sub, out, depth + 1)?,
        HirKind::Concat(parts) => {
            for part in parts {
                write(part, out, depth + 1)?;
            }
        }
        HirKind::Alternation(branches) => write(branches.first()?, out, depth + 1)?,
    }
    Some(())
}

/// A character of the class: a lowercase letter, a digit or an uppercase letter when it has one, else
/// its first printable character.
fn class_char(class: &Class) -> Option<char> {
    let ranges: Vec<(char, char)> = match class {
        Class::Unicode(unicode) => unicode
            .ranges()
            .iter()
            .map(|r| (r.start(), r.end()))
            .collect(),
        Class::Bytes(bytes) => bytes
            .ranges()
            .iter()
            .map(|r| (char::from(r.start()), char::from(r.end())))
            .collect(),
    };
    let contains = |c: char| ranges.iter().any(|(start, end)| *start <= c && c <= *end);
    ['a', '0', 'A', 'x', '1']
        .into_iter()
        .find(|c| contains(*c))
        .or_else(|| {
            ranges.iter().find_map(|(start, end)| {
                (u32::from(*start)..=u32::from(*end).min(u32::from(*start) + 256))
                    .filter_map(char::from_u32)
                    .find(|c| !c.is_control() && !c.is_whitespace())
            })
        })
        .or_else(|| ranges.first().map(|(start, _)| *start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_match_their_patterns() {
        for pattern in [
            r"^[a-z]+$",
            r"^\d{3}-\d{4}$",
            r"^(foo|bar)\.[A-Z]{2,}$",
            r"^\+?[1-9]\d{1,14}$",
            r"^[^@\s]+@[^@\s]+$",
            r"^cus_[a-zA-Z0-9]{14}$",
            r"[A-Z]",
        ] {
            let text = example(pattern, 0, usize::MAX).expect(pattern);
            assert_eq!(matches(pattern, &text), Some(true), "{pattern}: {text}");
        }
        assert_eq!(example(r"^[a-z]+$", 5, 10).as_deref(), Some("aaaaa"));
        // ECMA syntax: look-arounds are read, and a string is found that satisfies them.
        assert_eq!(matches(r"(?<=a)b", "ab"), Some(true));
        let label = r"^[a-zA-Z]((?!--|__|..)[a-zA-Z0-9-_.])+$";
        assert_eq!(example(label, 0, usize::MAX).as_deref(), Some("aa"));
        let password = r"^(((?=.*[a-z])(?=.*[A-Z]))|((?=.*[a-z])(?=.*[0-9])))(?=.{6,})";
        let text = example(password, 0, usize::MAX).expect("a password");
        assert_eq!(matches(password, &text), Some(true), "{text}");
        assert_eq!(matches("(unclosed", "x"), None);
    }
}
