//! A form posted to a page's own path (`<form method="post" action="/the/page">`): the server
//! reads the urlencoded body and renders the page with it in context, so a page can show the
//! outcome of its form, and keep what was typed, without JavaScript and without putting
//! personal data in a URL. Which paths take a post is [`crate::services::manifest::form_pages`].

/// The posted fields, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostedForm(pub Vec<(String, String)>);

/// The form posted with this request, if it was a post.
pub fn posted_form() -> Option<PostedForm> {
    leptos::prelude::use_context::<PostedForm>()
}

/// The data of a page whose form posts to itself: what `submit` made of the posted form
/// (`None` on a plain visit), with what `load` reads for the page either way. Both run where
/// the page is rendered first (the server), and the client takes the result as it hydrates.
pub fn posted_resource<O, C, S, SF, L, LF>(
    submit: S,
    load: L,
) -> leptos::prelude::Resource<(Option<O>, C)>
where
    S: Fn(Vec<(String, String)>) -> SF + Clone + Send + Sync + 'static,
    SF: std::future::Future<Output = O> + Send + 'static,
    L: Fn() -> LF + Clone + Send + Sync + 'static,
    LF: std::future::Future<Output = C> + Send + 'static,
    O: Clone + serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    C: Clone + serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
{
    let posted = posted_form().map(|form| form.0);
    leptos::prelude::Resource::new(
        || (),
        move |()| {
            let (posted, submit, load) = (posted.clone(), submit.clone(), load.clone());
            async move {
                let outcome = match posted {
                    Some(posted) => Some(submit(posted).await),
                    None => None,
                };
                (outcome, load().await)
            }
        },
    )
}
