//! A rendered page as a person reads it, for assertions that should not depend on how the
//! markup happens to be spelled: the error beside a field, the alerts and notices, a table's
//! rows, the text of an element, the value a form carries.

use scraper::{ElementRef, Html, Selector};

pub struct Page {
    html: Html,
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|error| panic!("selector {css}: {error}"))
}

/// An element's text with runs of white space as one space, trimmed.
fn text_of(element: ElementRef<'_>) -> String {
    element
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Page {
    pub fn parse(html: &str) -> Page {
        Page {
            html: Html::parse_document(html),
        }
    }

    /// The text of every element matching `css`, in document order.
    pub fn texts(&self, css: &str) -> Vec<String> {
        self.html.select(&selector(css)).map(text_of).collect()
    }

    /// The text of the first element matching `css`; the test fails if there is none.
    pub fn text(&self, css: &str) -> String {
        self.texts(css)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no {css} on the page"))
    }

    /// Attribute `attr` of every element matching `css` that has it, in document order.
    pub fn attrs(&self, css: &str, attr: &str) -> Vec<String> {
        self.html
            .select(&selector(css))
            .filter_map(|element| element.value().attr(attr).map(str::to_owned))
            .collect()
    }

    /// The error shown beside field `name` (empty: none).
    pub fn field_error(&self, name: &str) -> String {
        self.text(&format!("#{name}-error"))
    }

    /// What the page announces as errors and refusals (`role="alert"`).
    pub fn alerts(&self) -> Vec<String> {
        self.texts("[role=alert]")
    }

    /// What the page announces as done (`role="status"`).
    pub fn notices(&self) -> Vec<String> {
        self.texts("[role=status]")
    }

    /// The value the form field `name` carries (hidden or shown).
    pub fn input_value(&self, name: &str) -> String {
        self.html
            .select(&selector(&format!("input[name={name}]")))
            .next()
            .and_then(|input| input.value().attr("value"))
            .unwrap_or_else(|| panic!("no input {name} with a value on the page"))
            .to_owned()
    }

    /// The body rows, as cell texts, of the table whose caption contains `caption`; the test
    /// fails if there is no such table.
    pub fn table_rows(&self, caption: &str) -> Vec<Vec<String>> {
        let table = self
            .html
            .select(&selector("table"))
            .find(|table| {
                table
                    .select(&selector("caption"))
                    .next()
                    .is_some_and(|found| text_of(found).contains(caption))
            })
            .unwrap_or_else(|| panic!("no table captioned {caption}"));
        table
            .select(&selector("tbody tr"))
            .map(|row| row.select(&selector("td, th")).map(text_of).collect())
            .collect()
    }
}

#[test]
fn the_page_model_reads_errors_notices_tables_and_values() {
    let page = Page::parse(
        r#"<!DOCTYPE html><html><body>
        <div role="alert"><p>資料有誤</p></div>
        <div class="notice" role="status"><p>已送出 <!---->M1</p></div>
        <span class="error" id="email-error" aria-live="polite">電子信箱格式
            錯誤</span>
        <span class="error" id="phone-error"></span>
        <input type="hidden" name="captcha_id" value="c-1">
        <table><caption>受理中案件</caption><thead><tr><th>日期</th></tr></thead>
        <tbody><tr class="overdue"><td>115/12/01</td><td class="age">11（逾期）</td></tr></tbody></table>
        </body></html>"#,
    );
    assert_eq!(page.alerts(), ["資料有誤"]);
    assert_eq!(page.notices(), ["已送出 M1"]);
    assert_eq!(page.field_error("email"), "電子信箱格式 錯誤");
    assert_eq!(page.field_error("phone"), "");
    assert_eq!(page.input_value("captcha_id"), "c-1");
    assert_eq!(
        page.table_rows("受理中"),
        [vec!["115/12/01".to_owned(), "11（逾期）".to_owned()]]
    );
}
