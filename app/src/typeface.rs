//! The portal's served bold face (`public/fonts/`, made by `scripts/make-font.sh`) holds the
//! characters listed in `style/font-characters.txt`: printable ASCII, CJK and full-width
//! punctuation, and every character of the portal's own source. A page that gains a character
//! the face lacks would set it in another font mid-heading; this test notices first.

use std::collections::BTreeSet;
use std::path::Path;

fn source_characters(dir: &Path, found: &mut BTreeSet<char>) {
    for entry in std::fs::read_dir(dir).expect("app/src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            source_characters(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let text = std::fs::read_to_string(&path).expect("a source file is UTF-8");
            found.extend(text.chars().filter(|c| !c.is_ascii()));
        }
    }
}

#[test]
fn issue_24_the_served_font_covers_every_character_of_the_portals_text() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed: BTreeSet<char> = std::fs::read_to_string(root.join("../style/font-characters.txt"))
        .expect("style/font-characters.txt")
        .chars()
        .collect();
    let mut used = BTreeSet::new();
    source_characters(&root.join("src"), &mut used);
    let missing: String = used.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "the served font lacks {missing:?}: run scripts/make-font.sh"
    );
    // The face is the one the stylesheet names.
    let css = std::fs::read_to_string(root.join("../style/main.css")).expect("style/main.css");
    let font = css
        .split("url(\"/fonts/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("an @font-face naming /fonts/…");
    assert!(
        root.join("../public/fonts").join(font).is_file(),
        "{font} is missing"
    );
    assert!(listed.contains(&'戶') && listed.contains(&'，'));
}
