//! Recursive types: a struct field or union variant whose type contains the struct or union itself
//! (not through a `Vec` or map, which are already indirect) is held in a `Box`; an alias that would
//! expand to itself, which Rust cannot express at all, refers to `serde_json::Value` instead.

use super::Schemas;
use crate::diagnostics::Pointer;
use crate::ir::{TypeDef, TypeKind, TypeRef};
use std::collections::BTreeMap;

impl Schemas<'_> {
    /// Sets `boxed` on every field and variant on a cycle of direct containment, and breaks alias
    /// cycles. Idempotent, and independent of the order types were lowered in: a field is boxed when
    /// its type is in the same strongly connected component as the type that holds it.
    pub(crate) fn break_cycles(&mut self) {
        self.break_alias_cycles();
        let index: BTreeMap<&str, usize> = self
            .types
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.as_str(), i))
            .collect();
        let edges: Vec<Vec<usize>> = self
            .types
            .iter()
            .map(|t| {
                let mut out = Vec::new();
                for ty in contained(t) {
                    direct_names(ty, &mut |n| {
                        if let Some(&i) = index.get(n) {
                            out.push(i);
                        }
                    });
                }
                out
            })
            .collect();
        let component = strongly_connected(&edges);
        let boxed = |ty: &TypeRef, holder: usize| {
            let mut on_cycle = false;
            direct_names(ty, &mut |n| {
                on_cycle |= index
                    .get(n)
                    .is_some_and(|&i| component[i] == component[holder]);
            });
            on_cycle
        };
        let decisions: Vec<Vec<bool>> = self
            .types
            .iter()
            .enumerate()
            .map(|(i, t)| contained(t).into_iter().map(|ty| boxed(ty, i)).collect())
            .collect();
        for (t, boxes) in self.types.iter_mut().zip(decisions) {
            match &mut t.kind {
                TypeKind::Struct(s) => {
                    for (f, b) in s.fields.iter_mut().zip(boxes) {
                        f.boxed = b;
                    }
                }
                TypeKind::OneOf(u) => {
                    for (v, b) in u.variants.iter_mut().zip(boxes) {
                        v.boxed = b;
                    }
                }
                _ => {}
            }
        }
    }

    /// `A = Vec<A>`, `A = B, B = A`: a type alias cannot refer to itself. The reference that closes
    /// the cycle (found in type order) becomes `serde_json::Value`, with a warning.
    fn break_alias_cycles(&mut self) {
        for i in 0..self.types.len() {
            let TypeKind::Alias(target, _) = &self.types[i].kind else {
                continue;
            };
            let name = self.types[i].name.clone();
            let mut target = target.clone();
            let mut closing = Vec::new();
            replace_names(&mut target, &mut |n| {
                let cycle = n == name || self.alias_reaches(n, &name);
                if cycle {
                    closing.push(n.to_owned());
                }
                cycle
            });
            if closing.is_empty() {
                continue;
            }
            let at = Pointer::from_raw(self.types[i].pointer.clone());
            self.sink.warn(
                &at,
                format!(
                    "`{name}` would be an alias of itself (through `{}`), which Rust cannot express; that reference is generated as `serde_json::Value`",
                    closing.join("`, `")
                ),
            );
            if let TypeKind::Alias(t, _) = &mut self.types[i].kind {
                *t = target;
            }
        }
    }

    /// Whether the alias `from` refers to `goal` through aliases only.
    fn alias_reaches(&self, from: &str, goal: &str) -> bool {
        let mut todo = vec![from.to_owned()];
        let mut seen = Vec::new();
        while let Some(n) = todo.pop() {
            if seen.contains(&n) {
                continue;
            }
            let Some(TypeDef {
                kind: TypeKind::Alias(target, _),
                ..
            }) = self.types.iter().find(|t| t.name == n)
            else {
                continue;
            };
            let mut found = false;
            all_names(target, &mut |m| {
                found |= m == goal;
                todo.push(m.to_owned());
            });
            if found {
                return true;
            }
            seen.push(n);
        }
        false
    }
}

/// The types a type holds directly, one per field or variant (in order), or its alias target.
fn contained(t: &TypeDef) -> Vec<&TypeRef> {
    match &t.kind {
        TypeKind::Struct(s) => s.fields.iter().map(|f| &f.ty).collect(),
        TypeKind::OneOf(u) => u.variants.iter().map(|v| &v.ty).collect(),
        TypeKind::Alias(target, _) => vec![target],
        _ => Vec::new(),
    }
}

/// The named types a value of this type holds inline (an `Option` is inline, a `Vec` or map is not).
fn direct_names(ty: &TypeRef, f: &mut impl FnMut(&str)) {
    match ty {
        TypeRef::Named(n) => f(n),
        TypeRef::Nullable(inner) => direct_names(inner, f),
        TypeRef::Tuple(items) => items.iter().for_each(|item| direct_names(item, f)),
        _ => {}
    }
}

/// Every named type mentioned in a type.
fn all_names(ty: &TypeRef, f: &mut impl FnMut(&str)) {
    match ty {
        TypeRef::Named(n) => f(n),
        TypeRef::Nullable(inner) | TypeRef::Vec(inner) | TypeRef::Map(inner) => all_names(inner, f),
        TypeRef::Tuple(items) => items.iter().for_each(|item| all_names(item, f)),
        _ => {}
    }
}

/// Replaces each named type for which `f` says so with `serde_json::Value`.
fn replace_names(ty: &mut TypeRef, f: &mut impl FnMut(&str) -> bool) {
    match ty {
        TypeRef::Named(n) if f(n) => *ty = TypeRef::Json,
        TypeRef::Nullable(inner) | TypeRef::Vec(inner) | TypeRef::Map(inner) => {
            replace_names(inner, f)
        }
        TypeRef::Tuple(items) => items.iter_mut().for_each(|item| replace_names(item, f)),
        _ => {}
    }
}

/// Tarjan's algorithm, without recursion (specs nest deeper than a thread's stack allows): the
/// component number of each node.
fn strongly_connected(edges: &[Vec<usize>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let mut order = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut component = vec![UNSEEN; n];
    let mut next_order = 0;
    let mut next_component = 0;
    for root in 0..n {
        if order[root] != UNSEEN {
            continue;
        }
        // (node, index of the next edge to look at)
        let mut work = vec![(root, 0)];
        order[root] = next_order;
        low[root] = next_order;
        next_order += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut edge)) = work.last_mut() {
            if let Some(&w) = edges[v].get(*edge) {
                *edge += 1;
                if order[w] == UNSEEN {
                    order[w] = next_order;
                    low[w] = next_order;
                    next_order += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(order[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == order[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = next_component;
                    if w == v {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_group_nodes_on_a_cycle() {
        // 0 → 1 → 2 → 0, 2 → 3, 3 → 3, 4 alone
        let c = strongly_connected(&[vec![1], vec![2], vec![0, 3], vec![3], vec![]]);
        assert_eq!(c[0], c[1]);
        assert_eq!(c[1], c[2]);
        assert_ne!(c[2], c[3]);
        assert_ne!(c[3], c[4]);
    }

    #[test]
    fn a_long_chain_does_not_overflow_the_stack() {
        let n = 200_000;
        let edges: Vec<Vec<usize>> = (0..n).map(|i| vec![(i + 1) % n]).collect();
        let c = strongly_connected(&edges);
        assert!(c.iter().all(|&x| x == c[0]));
    }
}
