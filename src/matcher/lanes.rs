//! Lines walked through the literal automaton together. The walk is bound by memory
//! latency (each byte's transition is a load from a table of megabytes that depends
//! on the load before it), so one line at a time leaves the core waiting. Here every
//! line goes to one of [`LANES`] lanes and the lanes are stepped in lockstep: their
//! chains of loads are independent, and their cache misses overlap.

use super::automaton::{LiteralAutomaton, SEPARATOR, State, fold};

/// Lanes stepped at once ([`Lanes::walk`] names each of the four). Eight measured
/// within the noise of four.
const LANES: usize = 4;

/// Where the automaton reached a match state on a line: the end of the literals that
/// state reports (byte offset in the line) and the state.
pub type Find = (u32, State);

/// Lines queued for one walk, and what the walk found on each.
#[derive(Default)]
pub struct Lanes {
    /// Each lane's lines in automaton codes, each followed by [`SEPARATOR`] (which
    /// also pads the lanes to one length).
    codes: [Vec<u8>; LANES],
    /// Per line: its lane, where it starts there, its length.
    spans: Vec<(usize, usize, usize)>,
    /// Per lane, during a walk: (position in the lane, state) of each match.
    found: [Vec<Find>; LANES],
    /// Per line `i`: its finds, `finds[bounds[i]..bounds[i + 1]]`.
    finds: Vec<Find>,
    bounds: Vec<usize>,
}

impl Lanes {
    /// Empties the queue.
    pub fn clear(&mut self) {
        self.codes.iter_mut().for_each(Vec::clear);
        self.spans.clear();
    }

    /// Lines queued.
    pub fn lines(&self) -> usize {
        self.spans.len()
    }

    /// Bytes queued, over all lanes.
    pub fn bytes(&self) -> usize {
        self.codes.iter().map(Vec::len).sum()
    }

    /// Queues `line` in the shortest lane.
    pub fn push(&mut self, line: &[u8]) {
        let lane = (0..LANES).min_by_key(|&l| self.codes[l].len()).unwrap_or(0);
        let codes = &mut self.codes[lane];
        self.spans.push((lane, codes.len(), line.len()));
        codes.extend(fold(line));
        codes.push(SEPARATOR);
    }

    /// Length of queued line `line`.
    pub fn line_len(&self, line: usize) -> usize {
        self.spans[line].2
    }

    /// Queued line `line` in automaton codes.
    pub fn codes(&self, line: usize) -> &[u8] {
        let (lane, start, len) = self.spans[line];
        &self.codes[lane][start..start + len]
    }

    /// What the last walk found on queued line `line`, in order.
    pub fn finds(&self, line: usize) -> &[Find] {
        &self.finds[self.bounds[line]..self.bounds[line + 1]]
    }

    /// Steps `automaton` over every lane in lockstep, then files the matches by line.
    pub fn walk(&mut self, automaton: &LiteralAutomaton) {
        self.found.iter_mut().for_each(Vec::clear);
        if self.spans.len() == 1 {
            // One line (a header joined with its next line): padding three empty lanes
            // to its length would walk it four times.
            let mut state = automaton.start();
            for (i, &code) in self.codes[0].iter().enumerate() {
                state = step(automaton, state, code, i, &mut self.found[0]);
            }
            self.file_by_line();
            return;
        }
        let len = self.codes.iter().map(Vec::len).max().unwrap_or(0);
        for lane in &mut self.codes {
            lane.resize(len, SEPARATOR);
        }
        let mut states = [automaton.start(); LANES];
        let [a, b, c, d] = &self.codes;
        for (i, (((&a, &b), &c), &d)) in a.iter().zip(b).zip(c).zip(d).enumerate() {
            for (lane, code) in [a, b, c, d].into_iter().enumerate() {
                states[lane] = step(automaton, states[lane], code, i, &mut self.found[lane]);
            }
        }
        self.file_by_line();
    }

    /// Moves the lanes' matches to the lines they are on.
    fn file_by_line(&mut self) {
        self.finds.clear();
        self.bounds.clear();
        let mut next = [0; LANES];
        self.bounds.push(0);
        for &(lane, start, len) in &self.spans {
            let found = &self.found[lane];
            while let Some(&(at, state)) = found.get(next[lane]) {
                let at = at as usize;
                if at >= start + len {
                    break;
                }
                self.finds.push(((at + 1 - start) as u32, state));
                next[lane] += 1;
            }
            self.bounds.push(self.finds.len());
        }
    }
}

/// One step of a lane from `state` over `code`, at position `at`: the next state,
/// noted in `found` when it is a match.
#[inline(always)]
fn step(
    automaton: &LiteralAutomaton,
    state: State,
    code: u8,
    at: usize,
    found: &mut Vec<Find>,
) -> State {
    let state = automaton.next(state, code);
    if automaton.is_match(state) {
        found.push((at as u32, state));
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (end, literal ids) of each find on queued line `line`.
    fn found(automaton: &LiteralAutomaton, lanes: &Lanes, line: usize) -> Vec<(u32, Vec<u32>)> {
        let ids = |state| {
            automaton
                .reported(state)
                .iter()
                .map(|&(id, _)| id)
                .collect()
        };
        lanes
            .finds(line)
            .iter()
            .map(|&(end, state)| (end, ids(state)))
            .collect()
    }

    #[test]
    fn finds_end_where_the_literal_ends_on_its_own_line() {
        let automaton = LiteralAutomaton::new(&["access denied", "denied", "error"]);
        let mut lanes = Lanes::default();
        lanes.push(b"ERROR: access denied");
        lanes.push(b"");
        lanes.push(b"nothing here");
        lanes.push(b"denied");
        lanes.walk(&automaton);
        assert_eq!(
            found(&automaton, &lanes, 0),
            vec![(5, vec![2]), (20, vec![0, 1])]
        );
        assert_eq!(found(&automaton, &lanes, 1), vec![]);
        assert_eq!(found(&automaton, &lanes, 2), vec![]);
        assert_eq!(found(&automaton, &lanes, 3), vec![(6, vec![1])]);
        assert_eq!(lanes.line_len(0), 20);
    }

    #[test]
    fn a_literal_never_spans_two_lines_of_a_lane() {
        let automaton = LiteralAutomaton::new(&["access denied"]);
        let mut lanes = Lanes::default();
        // More lines than lanes, so some lane holds the two halves one after the other.
        for _ in 0..LANES {
            lanes.push(b"access");
            lanes.push(b" denied");
        }
        lanes.walk(&automaton);
        assert!((0..lanes.lines()).all(|line| lanes.finds(line).is_empty()));
    }

    /// Walked together, the lines of a real job log find exactly what each finds
    /// walked alone, whatever lane it lands in.
    #[test]
    fn lines_walked_together_find_what_they_find_alone() {
        let automaton = LiteralAutomaton::new(&[
            "error",
            "failed",
            "gradle",
            "task",
            "exception",
            "warning",
            "build",
            "at ",
            "could not",
            "java",
            "::",
            "e: ",
        ]);
        let log = std::fs::read_to_string("benches/logs/gradle-android-aapt2.log").unwrap();
        let lines: Vec<&str> = log.lines().collect();
        let mut together = Lanes::default();
        for line in &lines {
            together.push(line.as_bytes());
        }
        together.walk(&automaton);
        let mut finds = 0;
        for (i, line) in lines.iter().enumerate() {
            let mut alone = Lanes::default();
            alone.push(line.as_bytes());
            alone.walk(&automaton);
            assert_eq!(together.finds(i), alone.finds(0), "line {}: {line}", i + 1);
            finds += alone.finds(0).len();
        }
        assert!(finds > 100, "only {finds} finds");
    }
}
