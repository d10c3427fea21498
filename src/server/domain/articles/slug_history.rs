//! Old addresses of articles (redirects) and addresses of deleted ones (410 Gone) belong to
//! those stories: a new article saved there would erase them.

use crate::{model::Article, server::state::Services};

/// True when `slug` redirects to another article than `current`, or is a deleted article's.
pub async fn belongs_to_another(
    svc: &Services,
    slug: &str,
    current: Option<&Article>,
) -> Result<bool, crate::model::AppError> {
    if current.is_some_and(|a| a.slug == slug) {
        return Ok(false);
    }
    if let Some(r) = svc.store.slug_redirect(slug).await? {
        // Renaming an article back to one of its own old addresses is fine.
        return Ok(current.is_none_or(|a| a.slug != r.slug));
    }
    Ok(svc.store.is_gone(slug).await?)
}
