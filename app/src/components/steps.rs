//! A step indicator (docs/design.md): where a visitor is in a flow of several pages, the
//! steps behind them marked done and the one they are on marked `aria-current="step"`.

use crate::i18n::Lang;
use leptos::prelude::*;

/// A flow's steps, each as (zh-TW, English).
pub type Flow = [(&'static str, &'static str)];

/// The steps of `flow`, the visitor on step `current` (from 0).
#[component]
pub fn Steps(flow: &'static Flow, current: usize, lang: Lang) -> impl IntoView {
    view! {
        <ol class="step-indicator" aria-label=lang.pick("申辦步驟", "Steps")>
            {flow.iter().enumerate().map(|(at, &(zh_tw, english))| {
                let done = at < current;
                view! {
                    <li class=done.then_some("done") aria-current=(at == current).then_some("step")>
                        {done.then(|| view! {
                            <span class="visually-hidden">{lang.pick("已完成：", "Done: ")}</span>
                        })}
                        {lang.pick(zh_tw, english)}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLOW: &Flow = &[("填寫", "Fill in"), ("確認", "Check"), ("完成", "Done")];

    #[test]
    fn issue_24_steps_mark_those_done_and_the_current_one() {
        let html = view! { <Steps flow=FLOW current=1 lang=Lang::ZhTw /> }.to_html();
        let items: Vec<&str> = html.split("<li").skip(1).collect();
        assert_eq!(items.len(), 3);
        assert!(
            items[0].contains("class=\"done\"")
                && items[0].contains("已完成：")
                && items[0].contains("填寫")
        );
        assert!(items[1].contains("aria-current=\"step\"") && !items[1].contains("done"));
        assert!(!items[2].contains("aria-current") && !items[2].contains("done"));
    }
}
