//! Where the nodes the 3.1 stage moved were in the document as written.
//!
//! Some rewrites move a subtree: a `type` array's keywords go into `anyOf` branches, `prefixItems`
//! under `items`, a `$ref` with siblings under `allOf`, a referenced path item to where it is used.
//! Lowering names the places it reports on by their position in the rewritten tree; [`Moves::original`]
//! turns such a pointer back into the one the author can look up. `$ref`s written against the
//! original tree are turned the other way by `Moves::current`.
//!
//! Every recorded pair maps a subtree's *final* position to its *original* one: the stage rewrites a
//! node before its children, so no later rewrite moves a subtree that already has an entry. The
//! original of any pointer is then the entry of its longest recorded prefix, plus the rest of it.

use std::collections::HashMap;

/// Moved subtrees, both ways, as pointer text (`#/components/schemas/A/anyOf/1`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Moves {
    /// Final position → original position.
    back: HashMap<String, String>,
    /// Original position → final position, for subtrees that moved (not for copies).
    ahead: HashMap<String, String>,
    /// Position of a copy → position of what it copies, in the rewritten tree (so the copied node's
    /// own moves apply to it too).
    copies: HashMap<String, String>,
}

impl Moves {
    /// Records that the subtree now at `now` was at `was`.
    pub(crate) fn moved(&mut self, now: String, was: String) {
        self.ahead.insert(was.clone(), now.clone());
        self.back.insert(now, was);
    }

    /// Records that the subtree now at `now` is a copy of the one now at `of` (which stays too).
    pub(crate) fn copied(&mut self, now: String, of: String) {
        self.copies.insert(now, of);
    }

    /// Whether nothing moved or was copied.
    pub fn is_empty(&self) -> bool {
        self.back.is_empty() && self.copies.is_empty()
    }

    /// The pointer, in the document as written, of what is now at `pointer`.
    pub fn original(&self, pointer: &str) -> String {
        let mut pointer = pointer.to_owned();
        // A copy of a copy is resolved in turn; copies cannot nest deeper than path items do.
        for _ in 0..8 {
            match longest(&self.copies, &pointer) {
                Some((prefix, of)) => pointer = format!("{of}{}", &pointer[prefix..]),
                None => break,
            }
        }
        match longest(&self.back, &pointer) {
            Some((prefix, was)) => format!("{was}{}", &pointer[prefix..]),
            None => pointer,
        }
    }

    /// Where the node a `$ref` written against the original document names is now, when it moved.
    pub(crate) fn current(&self, pointer: &str) -> Option<String> {
        longest(&self.ahead, pointer).map(|(prefix, now)| format!("{now}{}", &pointer[prefix..]))
    }
}

/// The entry of the longest prefix of `pointer` (whole reference tokens only): the prefix's length
/// and the entry.
fn longest<'m>(map: &'m HashMap<String, String>, pointer: &str) -> Option<(usize, &'m str)> {
    if map.is_empty() {
        return None;
    }
    let mut end = pointer.len();
    loop {
        if let Some(found) = map.get(&pointer[..end]) {
            return Some((end, found));
        }
        end = pointer[..end].rfind('/')?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_prefix_decides() {
        let mut moves = Moves::default();
        moves.moved("#/a/anyOf/0/properties".into(), "#/a/properties".into());
        moves.moved(
            "#/a/anyOf/0/properties/x/allOf/0".into(),
            "#/a/properties/x".into(),
        );
        assert_eq!(
            moves.original("#/a/anyOf/0/properties/y"),
            "#/a/properties/y"
        );
        assert_eq!(
            moves.original("#/a/anyOf/0/properties/x/allOf/0"),
            "#/a/properties/x"
        );
        assert_eq!(
            moves.original("#/a/anyOf/0/properties/x/description"),
            "#/a/properties/x/description"
        );
        assert_eq!(moves.original("#/a/anyOf/0"), "#/a/anyOf/0");
        assert_eq!(moves.original("#/b"), "#/b");
        // Whole tokens only: `#/a/anyOf/0/properties2` is not under `.../properties`.
        assert_eq!(
            moves.original("#/a/anyOf/0/properties2"),
            "#/a/anyOf/0/properties2"
        );
        assert_eq!(
            moves.current("#/a/properties/y").as_deref(),
            Some("#/a/anyOf/0/properties/y")
        );
        assert_eq!(moves.current("#/b/properties"), None);
    }

    #[test]
    fn copies_map_back_through_the_moves_of_what_they_copy() {
        let mut moves = Moves::default();
        moves.moved(
            "#/components/pathItems/A/get/x/allOf/0".into(),
            "#/components/pathItems/A/get/x".into(),
        );
        moves.copied("#/paths/~1a".into(), "#/components/pathItems/A".into());
        assert_eq!(
            moves.original("#/paths/~1a/get/responses"),
            "#/components/pathItems/A/get/responses"
        );
        assert_eq!(
            moves.original("#/paths/~1a/get/x/allOf/0"),
            "#/components/pathItems/A/get/x"
        );
        assert_eq!(moves.current("#/components/pathItems/A"), None);
    }
}
