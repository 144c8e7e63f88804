//! The literal automaton: one Aho-Corasick DFA over every literal the patterns
//! need, laid out for [`Lanes::walk`](super::lanes::Lanes::walk), whose time is a
//! chain of dependent table loads. A state is its row's offset in one flat table, so a
//! step is one add and one load; rows are numbered breadth first, so the shallow states
//! text keeps returning to share cache lines and pages; match states come first, so
//! telling one is a comparison; and each match state's literals sit in one row of
//! their own, so a find costs one more load.

/// The bytes the automaton tells apart: letters (either case), digits and the
/// punctuation common in error messages. Each gets its own code; every other byte
/// reads as one shared code. A line then holds a literal's codes wherever it holds the
/// literal (a superset the regex settles), and the alphabet stays under 64 codes.
const KEPT: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789 !\"'(),-./:;=[\\]_`#+";

/// The code of every byte outside [`KEPT`].
const OTHER: u8 = KEPT.len() as u8;

/// Ends a line: a code no text folds to, so no literal holds it and after it the
/// automaton is back at its start.
pub const SEPARATOR: u8 = OTHER + 1;

/// Bits of a row's width: [`SEPARATOR`] and every code below it fit in one row.
const ROW_BITS: u32 = 6;
const ROW: usize = 1 << ROW_BITS;
const _: () = assert!((SEPARATOR as usize) < ROW);

/// Byte to automaton code: the index in [`KEPT`] (upper-case letters as lower-case
/// ones), [`OTHER`] for any other byte.
static FOLD: [u8; 256] = {
    let mut table = [OTHER; 256];
    let mut i = 0;
    while i < KEPT.len() {
        table[KEPT[i] as usize] = i as u8;
        table[KEPT[i].to_ascii_uppercase() as usize] = i as u8;
        i += 1;
    }
    table
};

/// `text` in automaton codes.
pub fn fold(text: &[u8]) -> impl Iterator<Item = u8> + '_ {
    text.iter().map(|&b| FOLD[b as usize])
}

/// A state: the offset of its row in the table.
pub type State = u32;

/// Marks a match state's report that points into `shared` (no literal is this long).
const MANY: u32 = 1 << 31;

/// A standard (not leftmost) Aho-Corasick DFA over literals folded to codes: stepped
/// over a line's codes, it reaches a match state at the end of every occurrence of
/// every literal, those inside longer ones too.
pub struct LiteralAutomaton {
    /// Row of state `s` at `table[s..s + ROW]`: the next state for each code.
    table: Vec<State>,
    start: State,
    /// States below this one are match states.
    matching: State,
    /// Per match state `s`, at `s >> ROW_BITS`: (literal id, its length in bytes)
    /// when it reports one literal (most do); otherwise (start, count | [`MANY`]) of
    /// its literals in `shared`.
    reports: Vec<(u32, u32)>,
    shared: Vec<(u32, u32)>,
}

/// The trie of the literals, before it becomes a table.
#[derive(Default)]
struct Trie {
    /// Per node: (code, child) of each edge.
    children: Vec<Vec<(u8, usize)>>,
    /// Per node: the literals it ends, own ones first, then those of its failure
    /// node (the longest proper suffix that is also a node), as (id, length).
    ends: Vec<Vec<(u32, u32)>>,
    /// Per node: its failure node.
    failure: Vec<usize>,
}

impl Trie {
    fn child(&self, node: usize, code: u8) -> Option<usize> {
        self.children[node]
            .iter()
            .find(|&&(c, _)| c == code)
            .map(|&(_, child)| child)
    }

    fn add_node(&mut self) -> usize {
        self.children.push(Vec::new());
        self.ends.push(Vec::new());
        self.failure.push(0);
        self.children.len() - 1
    }

    fn insert(&mut self, id: u32, literal: &[u8]) {
        let mut node = 0;
        for code in fold(literal) {
            node = match self.child(node, code) {
                Some(child) => child,
                None => {
                    let child = self.add_node();
                    self.children[node].push((code, child));
                    child
                }
            };
        }
        self.ends[node].push((id, literal.len() as u32));
    }

    /// Sets every node's failure node and inherited literals; returns the nodes in
    /// breadth-first order (the root first).
    fn link(&mut self) -> Vec<usize> {
        let mut order = vec![0];
        let mut next = 0;
        while let Some(&node) = order.get(next) {
            next += 1;
            for i in 0..self.children[node].len() {
                let (code, child) = self.children[node][i];
                let failure = if node == 0 {
                    0
                } else {
                    let mut f = self.failure[node];
                    loop {
                        if let Some(target) = self.child(f, code) {
                            break target;
                        }
                        if f == 0 {
                            break 0;
                        }
                        f = self.failure[f];
                    }
                };
                self.failure[child] = failure;
                let inherited = self.ends[failure].clone();
                self.ends[child].extend(inherited);
                order.push(child);
            }
        }
        order
    }
}

impl LiteralAutomaton {
    /// The automaton over `literals`; literal `i` is reported as id `i`.
    pub fn new<S: AsRef<str>>(literals: &[S]) -> LiteralAutomaton {
        let mut trie = Trie::default();
        trie.add_node();
        for (id, literal) in literals.iter().enumerate() {
            let literal = literal.as_ref().as_bytes();
            if !literal.is_empty() {
                trie.insert(id as u32, literal);
            }
        }
        let order = trie.link();
        // Match states first, each group breadth first.
        let (matches, others): (Vec<usize>, Vec<usize>) =
            order.iter().partition(|&&node| !trie.ends[node].is_empty());
        let mut state_of = vec![0; order.len()];
        for (index, &node) in matches.iter().chain(&others).enumerate() {
            state_of[node] = (index << ROW_BITS) as State;
        }
        // A node's row is its failure node's row with its own edges over it: filled
        // breadth first, the failure node's row (shallower) is always there already.
        let mut table: Vec<State> = vec![0; order.len() << ROW_BITS];
        for &node in &order {
            let row = state_of[node] as usize;
            if node == 0 {
                table[row..row + ROW].fill(state_of[0]);
            } else {
                let failure = state_of[trie.failure[node]] as usize;
                table.copy_within(failure..failure + ROW, row);
            }
            for &(code, child) in &trie.children[node] {
                table[row + code as usize] = state_of[child];
            }
        }
        let mut reports = Vec::with_capacity(matches.len());
        let mut shared = Vec::new();
        for &node in &matches {
            reports.push(match trie.ends[node][..] {
                [one] => one,
                ref several => {
                    let at = shared.len() as u32;
                    shared.extend_from_slice(several);
                    (at, several.len() as u32 | MANY)
                }
            });
        }
        LiteralAutomaton {
            table,
            start: state_of[0],
            matching: (matches.len() << ROW_BITS) as State,
            reports,
            shared,
        }
    }

    /// Where every walk starts (and every line, after [`SEPARATOR`]).
    pub fn start(&self) -> State {
        self.start
    }

    /// The state after `state` reads `code` (a code of [`fold`] or [`SEPARATOR`]).
    #[inline]
    pub fn next(&self, state: State, code: u8) -> State {
        self.table[state as usize + code as usize]
    }

    /// Whether `state` ends some literal.
    #[inline]
    pub fn is_match(&self, state: State) -> bool {
        state < self.matching
    }

    /// The literals match state `state` ends, as (literal id, its length in bytes):
    /// the longest first, then the others in order of length.
    pub fn reported(&self, state: State) -> &[(u32, u32)] {
        let row = &self.reports[(state >> ROW_BITS) as usize];
        if row.1 & MANY == 0 {
            return std::slice::from_ref(row);
        }
        let (at, count) = (row.0 as usize, (row.1 & !MANY) as usize);
        &self.shared[at..at + count]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::automaton::Automaton;
    use aho_corasick::{Anchored, MatchKind, StartKind, dfa::DFA};

    /// Every (end, literal ids) the automaton finds walking `text` from its start.
    fn finds(automaton: &LiteralAutomaton, text: &[u8]) -> Vec<(usize, Vec<u32>)> {
        let mut state = automaton.start();
        let mut out = Vec::new();
        for (i, code) in fold(text).enumerate() {
            state = automaton.next(state, code);
            if automaton.is_match(state) {
                let ids = automaton.reported(state).iter().map(|r| r.0).collect();
                out.push((i + 1, ids));
            }
        }
        out
    }

    #[test]
    fn reports_every_literal_ending_at_each_place() {
        let automaton = LiteralAutomaton::new(&["access denied", "denied", "Error", "nied"]);
        assert_eq!(
            finds(&automaton, b"ERROR: access denied"),
            vec![(5, vec![2]), (20, vec![0, 1, 3])]
        );
        assert_eq!(
            automaton.reported(finds_state(&automaton, b"denied")),
            &[(1, 6), (3, 4)]
        );
        assert!(finds(&automaton, b"acces denie").is_empty());
    }

    fn finds_state(automaton: &LiteralAutomaton, text: &[u8]) -> State {
        fold(text).fold(automaton.start(), |s, c| automaton.next(s, c))
    }

    #[test]
    fn the_separator_returns_to_the_start() {
        let automaton = LiteralAutomaton::new(&["ab", "abc", "bcd"]);
        let state = finds_state(&automaton, b"xab");
        assert_ne!(state, automaton.start());
        assert_eq!(automaton.next(state, SEPARATOR), automaton.start());
        assert!(finds(&automaton, b"").is_empty());
    }

    #[test]
    fn bytes_outside_the_alphabet_share_one_code() {
        let automaton = LiteralAutomaton::new(&["caf\u{e9} ok"]);
        // The superset the regexes settle: any two other bytes stand for é's two.
        assert_eq!(finds(&automaton, "CAF\u{e8} OK".as_bytes()).len(), 1);
        assert_eq!(finds(&automaton, b"caf\x01\x02 ok").len(), 1);
        assert_eq!(finds(&automaton, b"caf\x01 ok").len(), 0);
    }

    /// On a real job log, with thousands of overlapping literals taken from another
    /// real log, every step reports exactly what aho-corasick's own DFA reports.
    #[test]
    fn agrees_with_aho_corasick_on_a_real_log() {
        let words = std::fs::read_to_string("benches/logs/node-vitest-esm-cjs.log").unwrap();
        let mut literals: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for word in words.split_whitespace().filter(|w| w.is_ascii()) {
            let lower = word.to_ascii_lowercase();
            for (from, len) in [(0, 3), (0, 5), (0, 8), (0, 13), (1, 4), (2, 6), (3, 9)] {
                if let Some(part) = lower.get(from..from + len)
                    && seen.insert(part.to_string())
                {
                    literals.push(part.to_string());
                }
            }
            if literals.len() >= 3000 {
                break;
            }
        }
        assert!(literals.len() >= 2000, "only {} literals", literals.len());
        let ours = LiteralAutomaton::new(&literals);
        let folded = literals
            .iter()
            .map(|l| fold(l.as_bytes()).collect::<Vec<u8>>());
        let theirs = DFA::builder()
            .match_kind(MatchKind::Standard)
            .start_kind(StartKind::Unanchored)
            .prefilter(false)
            .build(folded)
            .unwrap();
        let log = std::fs::read("benches/logs/gradle-android-aapt2.log").unwrap();
        let (mut state, mut their_state) =
            (ours.start(), theirs.start_state(Anchored::No).unwrap());
        let mut compared = 0;
        for line in log.split(|&b| b == b'\n') {
            for code in fold(line).chain([SEPARATOR]) {
                state = ours.next(state, code);
                their_state = theirs.next_state(Anchored::No, their_state, code);
                let count = if theirs.is_match(their_state) {
                    theirs.match_len(their_state)
                } else {
                    0
                };
                let expected: Vec<(u32, u32)> = (0..count)
                    .map(|k| {
                        let id = theirs.match_pattern(their_state, k);
                        (id.as_u32(), theirs.pattern_len(id) as u32)
                    })
                    .collect();
                let got = if ours.is_match(state) {
                    ours.reported(state)
                } else {
                    &[]
                };
                assert_eq!(got, &expected[..]);
                compared += usize::from(!expected.is_empty());
            }
        }
        assert!(compared > 10_000, "only {compared} finds compared");
    }
}
