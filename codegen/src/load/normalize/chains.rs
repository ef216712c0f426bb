//! Where `$ref`s lead: each reference text parsed once, each chain of references followed once
//! (memoized per node), circular chains detected instead of followed forever.

use super::pointer;
use crate::diagnostics::Diagnostic;
use crate::load::grammar::{kind_at, Kind};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// An index into [`Chains::nodes`].
pub(crate) type NodeId = usize;

/// A node some reference points at.
pub(crate) struct Node {
    /// Canonical tokens (list indices written plainly).
    pub tokens: Vec<String>,
    /// What the node is by its position, if an OpenAPI object.
    pub kind: Option<Kind>,
    /// An entry of `components.<section>` for its kind: `#/components/schemas/Disk`.
    pub direct: bool,
}

/// Where a reference text leads.
#[derive(Clone, Copy)]
pub(crate) enum Target {
    External,
    /// `#foo` and the like: not a JSON pointer.
    NotPointer,
    Missing,
    Node(NodeId),
}

/// The end of a chain of references.
#[derive(Clone)]
pub(crate) enum End {
    Node(NodeId),
    /// A reference in the chain points nowhere: its text.
    Dangling(String),
    /// The chain runs in a circle: the cycle's index.
    Cycle(usize),
}

/// How far to follow a chain.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// To the definition.
    Full,
    /// To the first component entry: a schema alias is a type of its own.
    Schema,
}

/// The references of one document.
pub(crate) struct Chains<'d> {
    document: &'d Value,
    pub nodes: Vec<Node>,
    ids: HashMap<String, NodeId>,
    targets: HashMap<String, Target>,
    ends: [HashMap<NodeId, End>; 2],
    cycles: Vec<Vec<NodeId>>,
    reported: HashSet<usize>,
}

impl<'d> Chains<'d> {
    pub(crate) fn new(document: &'d Value) -> Self {
        Chains {
            document,
            nodes: Vec::new(),
            ids: HashMap::new(),
            targets: HashMap::new(),
            ends: [HashMap::new(), HashMap::new()],
            cycles: Vec::new(),
            reported: HashSet::new(),
        }
    }

    /// Where a reference text leads (memoized).
    pub(crate) fn target(&mut self, reference: &str) -> Target {
        if let Some(t) = self.targets.get(reference) {
            return *t;
        }
        let t = if pointer::is_external(reference) {
            Target::External
        } else {
            match pointer::parse(reference) {
                None => Target::NotPointer,
                Some(tokens) => {
                    // As written first: a key may contain a literal `%`.
                    let found = pointer::lookup(self.document, &tokens).or_else(|| {
                        pointer::percent_decoded(&tokens)
                            .and_then(|decoded| pointer::lookup(self.document, &decoded))
                    });
                    match found {
                        Some(canonical) => Target::Node(self.intern(canonical)),
                        None => Target::Missing,
                    }
                }
            }
        };
        self.targets.insert(reference.to_owned(), t);
        t
    }

    /// The node at canonical tokens, known from now on.
    pub(crate) fn intern(&mut self, tokens: Vec<String>) -> NodeId {
        let key = pointer::format(&tokens);
        if let Some(id) = self.ids.get(&key) {
            return *id;
        }
        let kind = kind_at(&tokens);
        let direct = tokens.len() == 3
            && tokens[0] == "components"
            && kind.and_then(Kind::section) == Some(tokens[1].as_str());
        self.nodes.push(Node {
            tokens,
            kind,
            direct,
        });
        self.ids.insert(key, self.nodes.len() - 1);
        self.nodes.len() - 1
    }

    /// One link: the node a reference node points at, or where its chain ends.
    fn step(&mut self, id: NodeId, mode: Mode) -> Result<NodeId, End> {
        if mode == Mode::Schema && self.nodes[id].direct {
            return Err(End::Node(id));
        }
        let document = self.document;
        let reference = match pointer::get(document, &self.nodes[id].tokens) {
            Some(Value::Object(m)) => match m.get("$ref") {
                Some(Value::String(r)) => r,
                _ => return Err(End::Node(id)),
            },
            _ => return Err(End::Node(id)),
        };
        match self.target(reference) {
            Target::Node(next) => Ok(next),
            Target::Missing => Err(End::Dangling(reference.clone())),
            // Reported where that reference is; this node is as far as the chain goes.
            Target::External | Target::NotPointer => Err(End::Node(id)),
        }
    }

    /// Where the chain from `start` ends; memoized for every node on the way, so following every
    /// reference of a document visits each link once.
    pub(crate) fn end(&mut self, start: NodeId, mode: Mode) -> End {
        let slot = mode as usize;
        let mut chain: Vec<NodeId> = Vec::new();
        let mut on_chain: HashMap<NodeId, usize> = HashMap::new();
        let mut current = start;
        let end = loop {
            if let Some(end) = self.ends[slot].get(&current) {
                break end.clone();
            }
            if let Some(&i) = on_chain.get(&current) {
                self.cycles.push(chain[i..].to_vec());
                break End::Cycle(self.cycles.len() - 1);
            }
            on_chain.insert(current, chain.len());
            chain.push(current);
            match self.step(current, mode) {
                Ok(next) => current = next,
                Err(end) => break end,
            }
        };
        for id in chain {
            self.ends[slot].insert(id, end.clone());
        }
        end
    }

    /// The error for a cycle, the first time it is met: at the member the chain entered it by.
    pub(crate) fn report_cycle(&mut self, cycle: usize) -> Option<Diagnostic> {
        if !self.reported.insert(cycle) {
            return None;
        }
        let mut path: Vec<String> = self.cycles[cycle]
            .iter()
            .map(|id| pointer::format(&self.nodes[*id].tokens))
            .collect();
        let first = path.first()?.clone();
        path.push(first.clone());
        Some(
            Diagnostic::new(first, format!("circular `$ref`: {}", path.join(" → ")))
                .with_hint("a chain of references must end at a definition"),
        )
    }
}
