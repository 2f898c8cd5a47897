//! The Markdown being written: whole lines with their prefixes (block quote markers of the
//! enclosing items, indentation, list markers), and the blank lines between blocks.

/// The Markdown being written: whole lines, handed on in blocks by the writer.
pub(super) struct Out {
    pub buf: String,
    /// Something has been written.
    pub started: bool,
    /// A blank line is due before the next line.
    pub blank: bool,
    /// Paragraphs written so far in the current block quote.
    pub paras: usize,
    /// Room for the escaped lines of a multi-line text.
    pub scratch: String,
}

impl Out {
    /// Starts a line: a blank line first when one is due, then the prefix.
    pub(super) fn start(&mut self, p: &Prefix<'_>) {
        if self.blank && self.started {
            self.buf.push('\n');
        }
        self.blank = false;
        self.started = true;
        self.buf.push_str(p.ctx);
        crate::write::fmt::pad(&mut self.buf, p.pad * 2);
        self.buf.push_str(p.tail);
    }

    /// Writes one line.
    pub(super) fn line(&mut self, p: &Prefix<'_>, text: &str) {
        self.start(p);
        self.buf.push_str(text);
        self.buf.push('\n');
    }

    /// Starts a line of a block quote (`q` ends in `> `); returns where its text starts.
    pub(super) fn quote_start(&mut self, q: &Prefix<'_>) -> usize {
        self.start(q);
        self.buf.len()
    }

    /// Ends a line of a block quote; an empty one is written `>`, without the space.
    pub(super) fn quote_end(&mut self, text_start: usize) {
        if self.buf.len() == text_start {
            self.buf.pop();
        }
        self.buf.push('\n');
    }

    pub(super) fn quote_line(&mut self, q: &Prefix<'_>, text: &str) {
        let k = self.quote_start(q);
        self.buf.push_str(text);
        self.quote_end(k);
    }

    /// Starts a paragraph of a block quote: an empty quote line after the previous one.
    pub(super) fn para(&mut self, q: &Prefix<'_>) {
        if self.paras > 0 {
            self.quote_line(q, "");
        }
        self.paras += 1;
    }

    pub(super) fn heading(&mut self, level: usize, text: &str) {
        self.blank = true;
        self.start(&Prefix::none());
        for _ in 0..level {
            self.buf.push('#');
        }
        if !text.is_empty() {
            self.buf.push(' ');
            self.buf.push_str(text);
        }
        self.buf.push('\n');
        self.blank = true;
    }
}

impl Prefix<'static> {
    pub(super) fn none() -> Self {
        Prefix {
            ctx: "",
            pad: 0,
            tail: "",
        }
    }
}

/// What goes before the text of a line.
pub(super) struct Prefix<'p> {
    pub ctx: &'p str,
    pub pad: usize,
    pub tail: &'p str,
}
