//! Server functions for administrators: staff accounts.

use crate::model::{AppError, FormOutcome, UsersPage};
use leptos::{prelude::*, server_fn::codec::GetUrl};

#[cfg(feature = "ssr")]
use crate::{
    api::{auth::require, ctx, forms},
    model::Role,
    server::users,
};

/// Every staff account.
#[server(prefix = "/api", endpoint = "admin/users", input = GetUrl)]
pub async fn users() -> Result<UsersPage, AppError> {
    let viewer = require(Role::Admin)?;
    let svc = ctx::services()?;
    ctx::respond(users::users_page(&svc, viewer).await)
}

/// Adds a staff account.
#[server(prefix = "/api", endpoint = "admin/create-user")]
pub async fn create_user(
    email: String,
    name: String,
    role: String,
    password: String,
) -> Result<FormOutcome, AppError> {
    let viewer = require(Role::Admin)?;
    let svc = ctx::services()?;
    let result = async {
        let role = Role::parse(&role).ok_or_else(|| AppError::field("role", "Choose a role."))?;
        users::add_user(&svc, &viewer, &email, &name, role, &password).await?;
        Ok(FormOutcome {
            redirect: Some("/editor/users".into()),
            ..FormOutcome::message(format!("Added {}.", name.trim()))
        })
    }
    .await;
    forms::finish(
        "new-user",
        &[("email", &email), ("name", &name), ("role", &role)],
        result,
    )
    .await
}

/// Changes an account's role and whether it is active.
#[server(prefix = "/api", endpoint = "admin/update-user")]
pub async fn update_user(
    user_id: i64,
    role: String,
    active: Option<String>,
) -> Result<FormOutcome, AppError> {
    let viewer = require(Role::Admin)?;
    let svc = ctx::services()?;
    let result = async {
        let role = Role::parse(&role).ok_or_else(|| AppError::field("role", "Choose a role."))?;
        let message =
            users::change_user(&svc, &viewer, user_id, Some(role), Some(active.is_some())).await?;
        Ok(FormOutcome::message(message))
    }
    .await;
    forms::finish(&format!("user-{user_id}"), &[], result).await
}

/// Sets a new password for an account (ending its sessions).
#[server(prefix = "/api", endpoint = "admin/reset-password")]
pub async fn reset_password(user_id: i64, password: String) -> Result<FormOutcome, AppError> {
    let viewer = require(Role::Admin)?;
    let svc = ctx::services()?;
    let result = async {
        users::reset_password(&svc, &viewer, user_id, &password).await?;
        Ok(FormOutcome::message(
            "Password changed. Their other sessions have been signed out.",
        ))
    }
    .await;
    forms::finish(&format!("password-{user_id}"), &[], result).await
}
