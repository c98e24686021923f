//! The widget's style sheet as shipped: comments and the whitespace CSS
//! does not need taken out at build time. The sheet lives in the wasm's
//! data (the custom element adopts it), where its comments and indentation
//! cost 1.2 KB gzip; the source keeps them for the next reader.

/// `css` without comments, each run of whitespace made one space, and none
/// beside `{`, `}`, `;`, `,` or `>` or before a `}`'s last `;`. Quoted
/// strings are copied as they are. Spaces around `:`, `(`, `+` and `-`
/// stay: in a selector (`.a :hover`) or in `calc()` they mean something.
pub fn minify_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut space = false;
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
                // A comment is no whitespace: between two tokens it keeps
                // them apart without making a descendant combinator of
                // `.a/**/.b`, so there an empty one stays.
                let touching = !space
                    && out.chars().last().is_some_and(|c| !c.is_whitespace())
                    && chars.peek().is_some_and(|c| !c.is_whitespace());
                if touching {
                    out.push_str("/**/");
                }
            }
            c if c.is_whitespace() => space = true,
            '"' | '\'' => {
                push_space(&mut out, &mut space, c);
                out.push(c);
                let mut escaped = false;
                for s in chars.by_ref() {
                    out.push(s);
                    if escaped {
                        escaped = false;
                    } else if s == '\\' {
                        escaped = true;
                    } else if s == c {
                        break;
                    }
                }
            }
            _ => {
                if c == '}' && out.ends_with(';') {
                    out.pop();
                }
                push_space(&mut out, &mut space, c);
                out.push(c);
            }
        }
    }
    out
}

fn tight(c: char) -> bool {
    matches!(c, '{' | '}' | ';' | ',' | '>')
}

/// The one space a run of whitespace (or a comment) before `next` leaves.
fn push_space(out: &mut String, space: &mut bool, next: char) {
    if std::mem::take(space) && !tight(next) && out.chars().last().is_some_and(|c| !tight(c)) {
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::minify_css;

    #[test]
    fn comments_and_spare_whitespace_go() {
        let css = "/* why */\n:host { display: block; }\n.a > .b,\n.c  .d {\n  color: red;\n  margin: 0 auto;\n}\n";
        assert_eq!(
            minify_css(css),
            ":host{display: block}.a>.b,.c .d{color: red;margin: 0 auto}"
        );
    }

    #[test]
    fn meaningful_spaces_and_strings_stay() {
        let css = ".a :hover { width: calc(100% - 2rem); }\n@container (max-width: 32rem) { .x[data-t=\"a  b\"] { content: 'x /* y */ z'; } }";
        assert_eq!(
            minify_css(css),
            ".a :hover{width: calc(100% - 2rem)}@container (max-width: 32rem){.x[data-t=\"a  b\"]{content: 'x /* y */ z'}}"
        );
    }

    #[test]
    fn a_comment_between_tokens_keeps_them_apart_as_it_did() {
        assert_eq!(
            minify_css(".a/* x */.b { border: 1px/* y */solid; }"),
            ".a/**/.b{border: 1px/**/solid}"
        );
        assert_eq!(minify_css(".a /* x */ .b{}"), ".a .b{}");
    }

    #[test]
    fn the_widgets_sheet_keeps_every_rule() {
        let css = include_str!("../src/ui/widget.css");
        let min = minify_css(css);
        assert!(
            min.len() < css.len() * 3 / 4,
            "{} of {}",
            min.len(),
            css.len()
        );
        assert!(!min.contains("/*") && !min.contains('\n'));
        // As many rules and declarations blocks as the source has.
        let blocks = |s: &str| s.matches('{').count();
        let source_without_comments: String = {
            let mut s = css.to_owned();
            while let Some(start) = s.find("/*") {
                let end = s[start..].find("*/").map_or(s.len(), |e| start + e + 2);
                s.replace_range(start..end, " ");
            }
            s
        };
        assert_eq!(blocks(&min), blocks(&source_without_comments));
        assert_eq!(min.matches('}').count(), blocks(&min));
    }
}
