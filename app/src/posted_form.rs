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
