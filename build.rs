//! Ships the widget's style sheet without its comments (build/css_min.rs).

#[path = "build/css_min.rs"]
mod css_min;

fn main() {
    let source = "src/ui/widget.css";
    println!("cargo:rerun-if-changed={source}");
    println!("cargo:rerun-if-changed=build/css_min.rs");
    let css = std::fs::read_to_string(source).expect("src/ui/widget.css is readable");
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("widget.min.css");
    std::fs::write(out, css_min::minify_css(&css)).expect("OUT_DIR is writable");
}
