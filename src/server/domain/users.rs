//! Staff accounts as administrators manage them: the users page, adding accounts, roles,
//! deactivation and password resets. Each change commits with its audit entry.

use crate::{
    model::{AppError, AuditAction, AuditTarget, Role, UsersPage, Viewer},
    server::{audit, auth, limits, state::Services},
};

/// The users page (admins).
pub async fn users_page(svc: &Services, viewer: Viewer) -> Result<UsersPage, AppError> {
    viewer.require(Role::Admin)?;
    Ok(UsersPage {
        viewer,
        users: svc.store.users().await?,
    })
}

/// Changes a user's role or active flag (admins), refusing to remove the last active admin.
pub async fn change_user(
    svc: &Services,
    viewer: &Viewer,
    user_id: i64,
    role: Option<Role>,
    active: Option<bool>,
) -> Result<String, AppError> {
    viewer.require(Role::Admin)?;
    let tx = svc.store.begin().await?;
    let user = tx.user_by_id(user_id).await?.ok_or(AppError::NotFound)?;
    let loses_admin = user.role == Role::Admin
        && user.active
        && (role.is_some_and(|r| r != Role::Admin) || active == Some(false));
    if loses_admin {
        let admins = tx
            .users()
            .await?
            .into_iter()
            .filter(|u| u.role == Role::Admin && u.active)
            .count();
        if admins <= 1 {
            return Err(AppError::Conflict(
                "This is the last active administrator; make someone else an administrator first."
                    .into(),
            ));
        }
    }
    let mut done = Vec::new();
    if let Some(r) = role
        && r != user.role
    {
        tx.set_user_role(user_id, r).await?;
        audit::record(
            svc,
            &*tx,
            viewer,
            AuditAction::RoleChange,
            (AuditTarget::User, Some(user_id)),
            format!("{}: {} → {}", user.email, user.role.as_str(), r.as_str()),
        )
        .await?;
        done.push(format!("{} is now {}", user.name, r.label().to_lowercase()));
    }
    if let Some(a) = active
        && a != user.active
    {
        tx.set_user_active(user_id, a).await?;
        audit::record(
            svc,
            &*tx,
            viewer,
            if a {
                AuditAction::Activate
            } else {
                AuditAction::Deactivate
            },
            (AuditTarget::User, Some(user_id)),
            user.email.clone(),
        )
        .await?;
        done.push(format!(
            "{} is {}",
            user.name,
            if a { "active again" } else { "deactivated" }
        ));
    }
    tx.commit().await?;
    Ok(if done.is_empty() {
        "Nothing changed.".into()
    } else {
        format!("{}.", done.join("; "))
    })
}

/// Adds a staff account (admins); returns its id.
pub async fn add_user(
    svc: &Services,
    viewer: &Viewer,
    email: &str,
    name: &str,
    role: Role,
    password: &str,
) -> Result<i64, AppError> {
    viewer.require(Role::Admin)?;
    let user = auth::prepare_user(email, name, role, password).await?;
    let tx = svc.store.begin().await?;
    let id = tx
        .create_user(&user, svc.clock.now())
        .await
        .map_err(auth::email_taken)?;
    audit::record(
        svc,
        &*tx,
        viewer,
        AuditAction::UserCreated,
        (AuditTarget::User, Some(id)),
        format!("{} as {}", user.email, role.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Sets a new password for an account (admins), ending its sessions and its sign-in lockout.
pub async fn reset_password(
    svc: &Services,
    viewer: &Viewer,
    user_id: i64,
    password: &str,
) -> Result<(), AppError> {
    viewer.require(Role::Admin)?;
    auth::validate_password(password)?;
    let hash = auth::hash_password(password.to_owned()).await?;
    let tx = svc.store.begin().await?;
    let user = tx.user_by_id(user_id).await?.ok_or(AppError::NotFound)?;
    tx.set_password(user_id, &hash, svc.clock.now()).await?;
    audit::record(
        svc,
        &*tx,
        viewer,
        AuditAction::PasswordReset,
        (AuditTarget::User, Some(user_id)),
        String::new(),
    )
    .await?;
    tx.commit().await?;
    // The account's sign-in lockout ends too: the admin vouched for whoever gets the password.
    limits::clear(svc, limits::SIGN_IN_ACCOUNT, &user.email).await?;
    Ok(())
}
