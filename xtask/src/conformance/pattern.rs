//! Strings for a schema's `pattern`: one made from the regular expression's syntax tree (the first
//! alternative, the fewest repetitions, a plain character of each class), checked against the
//! expression before it is used.
//!
//! Patterns are ECMA-262 regular expressions; this reads them with Rust's `regex` syntax, which agrees
//! on what real specs use. A pattern it cannot read gives no example and counts as matched.

use regex_syntax::hir::{Class, Hir, HirKind};

/// A string matching `pattern`, with `min..=max` characters when the pattern allows it.
pub fn example(pattern: &str, min: usize, max: usize) -> Option<String> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    let mut out = String::new();
    write(&hir, &mut out, 0)?;
    // Stretch with the last character when too short (`^[a-z]+$` at `minLength: 3`).
    if let Some(last) = out.chars().last() {
        while out.chars().count() < min {
            out.push(last);
        }
    }
    let out: String = out.chars().take(max.max(1)).collect();
    (matches(pattern, &out) != Some(false)).then_some(out)
}

/// Whether `text` matches `pattern` (anywhere, as JSON Schema says); `None` when the pattern cannot be
/// read.
pub fn matches(pattern: &str, text: &str) -> Option<bool> {
    regex::Regex::new(pattern).ok().map(|re| re.is_match(text))
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
        assert_eq!(matches(r"(?<=a)b", "ab"), None, "look-behind is not read");
    }
}
