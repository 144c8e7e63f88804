//! What a terminal would show for a line: ANSI escape sequences removed, carriage
//! returns applied (later text overwrites earlier text from column 0).

/// Removes ANSI escape sequences (CSI, OSC, two-byte escapes) and applies carriage
/// returns, writing the visible text into `out` (cleared first).
pub fn render(line: &str, out: &mut String) {
    out.clear();
    // Escapes that lost their ESC byte on the way into a paste: `^[[31m` (caret
    // notation) and `←[31m` (a Windows console showing ESC as an arrow).
    let restored;
    let bytes = line.as_bytes();
    // `^` or the first byte of `←` must be there for either residue.
    let residue = memchr::memchr2(b'^', 0xe2, bytes).is_some()
        && (line.contains("^[[") || line.contains("←["));
    let line = if residue {
        restored = line.replace("^[[", "\x1b[").replace("←[", "\x1b[");
        restored.as_str()
    } else {
        line
    };
    if memchr::memchr2(0x1b, b'\r', line.as_bytes()).is_none() {
        out.push_str(line);
        return;
    }
    if memchr::memchr(b'\r', line.as_bytes()).is_none() {
        strip_ansi(line, out);
        return;
    }
    // Overwrite semantics: keep a char buffer and a cursor reset at each `\r`.
    let mut cells: Vec<char> = Vec::new();
    let mut cursor = 0;
    let mut segment = String::new();
    for (i, part) in line.split('\r').enumerate() {
        if i > 0 {
            cursor = 0;
        }
        if part.starts_with("\x1b[K") || part.starts_with("\x1b[0K") || part.starts_with("\x1b[2K")
        {
            cells.clear();
        }
        strip_ansi(part, &mut segment);
        for c in segment.chars() {
            if cursor < cells.len() {
                cells[cursor] = c;
            } else {
                cells.push(c);
            }
            cursor += 1;
        }
    }
    out.extend(cells);
}

/// Appends `line` to `out` (cleared first) without its ANSI escape sequences.
pub fn strip_ansi(line: &str, out: &mut String) {
    out.clear();
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut start = 0;
    while let Some(off) = memchr::memchr(0x1b, &bytes[i..]) {
        let esc = i + off;
        out.push_str(&line[start..esc]);
        i = skip_escape(bytes, esc);
        // A cut or malformed sequence may end inside a multi-byte character.
        while i < bytes.len() && !line.is_char_boundary(i) {
            i += 1;
        }
        start = i;
    }
    out.push_str(&line[start..]);
}

/// Index just after the escape sequence starting at `esc`.
fn skip_escape(bytes: &[u8], esc: usize) -> usize {
    let Some(&kind) = bytes.get(esc + 1) else {
        return esc + 1;
    };
    match kind {
        // CSI: parameters and intermediates, then one final byte in 0x40..=0x7e.
        b'[' => {
            let mut j = esc + 2;
            while j < bytes.len() && !(0x40..=0x7e).contains(&bytes[j]) {
                j += 1;
            }
            (j + 1).min(bytes.len())
        }
        // OSC, and APC (Buildkite's `ESC _bk;t=...BEL` timestamps): until BEL or ESC \.
        b']' | b'_' => {
            let mut j = esc + 2;
            while j < bytes.len() {
                if bytes[j] == 0x07 {
                    return j + 1;
                }
                if bytes[j] == 0x1b && bytes.get(j + 1) == Some(&b'\\') {
                    return j + 2;
                }
                j += 1;
            }
            bytes.len()
        }
        // Two-byte escapes (ESC ( B etc. take one more byte).
        b'(' | b')' => (esc + 3).min(bytes.len()),
        _ if kind < 0x80 => esc + 2,
        _ => esc + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(line: &str) -> String {
        let mut out = String::new();
        render(line, &mut out);
        out
    }

    #[test]
    fn strips_colours_and_osc() {
        assert_eq!(shown("\x1b[31;1mError\x1b[0m: x"), "Error: x");
        assert_eq!(shown("\x1b]0;title\x07text"), "text");
        assert_eq!(shown("a\x1b(Bb"), "ab");
        assert_eq!(shown("\x1b_bk;t=1700000000000\x07npm test"), "npm test");
        assert_eq!(
            shown("^[[31m^[[1mAssertionError^[[22m: x"),
            "AssertionError: x"
        );
        assert_eq!(shown("[←[1;31mERROR←[m] denied"), "[ERROR] denied");
    }

    #[test]
    fn applies_carriage_returns() {
        assert_eq!(shown("10%\r50%\r100%"), "100%");
        assert_eq!(shown("downloading\rdone"), "doneloading");
        assert_eq!(shown("section_start:1:x\r\x1b[0KRunning"), "Running");
        assert_eq!(shown("text\r"), "text");
    }

    #[test]
    fn never_panics_on_cut_escapes() {
        for s in ["\x1b", "\x1b[", "\x1b]abc", "é\x1bé", "\x1b\u{e9}"] {
            shown(s);
        }
    }
}
