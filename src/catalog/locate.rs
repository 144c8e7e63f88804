//! Maps a key path such as `fixes[2].success_rate` to its line in the front matter,
//! using toml_edit's spans, so meaning errors found after serde still point at a line.

use toml_edit::{Array, ArrayOfTables, Document, Item, TableLike, Value};

/// Finds line numbers of key paths in one front matter.
pub struct Locator {
    doc: Option<Document<String>>,
    front: String,
    front_line: usize,
}

impl Locator {
    pub fn new(front: &str, front_line: usize) -> Locator {
        Locator {
            doc: Document::parse(front.to_string()).ok(),
            front: front.to_string(),
            front_line,
        }
    }

    /// The line of the deepest part of `path` that exists (the first front-matter
    /// line when nothing does).
    pub fn line(&self, path: &str) -> usize {
        let offset = self.doc.as_ref().and_then(|doc| {
            let mut best = None;
            let mut node = Node::of_item(doc.as_item());
            for seg in segments(path) {
                let Some((start, next)) = node.step(seg) else {
                    break;
                };
                best = start.or(best);
                node = next;
            }
            best
        });
        self.front_line + offset.map_or(0, |o| super::parse::line_of(&self.front, o) - 1)
    }
}

#[derive(Clone, Copy)]
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

fn segments(path: &str) -> impl Iterator<Item = Seg<'_>> {
    path.split('.').flat_map(|part| {
        let (key, rest) = part.split_once('[').unwrap_or((part, ""));
        let index = rest.trim_end_matches(']').parse().ok().map(Seg::Index);
        std::iter::once(Seg::Key(key)).chain(index)
    })
}

/// A position in the parsed document while walking a key path.
#[derive(Clone, Copy)]
enum Node<'a> {
    Table(&'a dyn TableLike),
    Array(&'a Array),
    Tables(&'a ArrayOfTables),
    Leaf,
}

impl<'a> Node<'a> {
    fn of_item(item: &'a Item) -> Node<'a> {
        match item {
            Item::ArrayOfTables(aot) => Node::Tables(aot),
            Item::Value(value) => Node::of_value(value),
            other => other.as_table_like().map_or(Node::Leaf, Node::Table),
        }
    }

    fn of_value(value: &'a Value) -> Node<'a> {
        match value {
            Value::Array(array) => Node::Array(array),
            Value::InlineTable(table) => Node::Table(table),
            _ => Node::Leaf,
        }
    }

    /// Byte offset of the step (if known) and the node reached.
    fn step(self, seg: Seg<'_>) -> Option<(Option<usize>, Node<'a>)> {
        match (self, seg) {
            (Node::Table(table), Seg::Key(key)) => {
                let (k, child) = table.get_key_value(key)?;
                Some((k.span().map(|s| s.start), Node::of_item(child)))
            }
            (Node::Tables(aot), Seg::Index(i)) => {
                let table = aot.get(i)?;
                // An element of an array of tables is located by its first key.
                let start = table
                    .iter()
                    .next()
                    .and_then(|(k, _)| table.key(k)?.span().map(|s| s.start));
                Some((start, Node::Table(table)))
            }
            (Node::Array(array), Seg::Index(i)) => {
                let value = array.get(i)?;
                Some((value.span().map(|s| s.start), Node::of_value(value)))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_keys() {
        let front =
            "id = \"x\"\n\n[[fixes]]\nid = \"a\"\n\n[[fixes]]\nid = \"b\"\nsuccess_rate = 2.0\n";
        let loc = Locator::new(front, 2);
        assert_eq!(loc.line("id"), 2);
        assert_eq!(loc.line("fixes[1].success_rate"), 9);
        assert_eq!(loc.line("fixes[1].missing"), 8);
        assert_eq!(loc.line("nothing"), 2);
    }
}
